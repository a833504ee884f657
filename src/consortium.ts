/**
 * The consortium file: who the members are, what each may do, and where each one's account is
 * (docs/DESIGN.md, "Consortium file"). Browser-safe: parsing, checking and looking members up. Reading the file from
 * disk and loading keys are Node-only, in `medbill/node`.
 */
import { getAddress } from "ethers";
import { isLocalChain } from "./constants";
import { MedBillError } from "./medbill-error";

/** What a consortium member does on the registry. */
export type MemberRole = "admin" | "issuer" | "claimer" | "none";

/** The roles a consortium file may give, in the order documented. */
export const MEMBER_ROLES: readonly MemberRole[] = ["admin", "issuer", "claimer", "none"];

/** One member of the consortium, as listed in the consortium file. */
export interface ConsortiumMember {
  /** Short stable id, e.g. `hz-hospital`. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** Display name in Chinese, when known. */
  readonly nameZh?: string;
  /** Kind of institution, e.g. `hospital`, `insurer`. */
  readonly kind: string;
  /** City, for hospitals. */
  readonly city?: string;
  /** 6-digit administrative area code of a hospital: the start of its bill codes. */
  readonly areaCode?: string;
  /** The registry role the member is meant to hold. */
  readonly role: MemberRole;
  /** The member's account, checksummed (real networks give every member by address). */
  readonly address?: string;
  /** Index of the member's account in the development mnemonic: local chains only ({@link isLocalChain}). */
  readonly accountIndex?: number;
}

/** A consortium: its members, read from a consortium file such as `consortium/local.json`. */
export interface Consortium {
  /** Where it was read from (a file name, for messages). */
  readonly source: string;
  /** The network's name, when the file says. */
  readonly network?: string;
  /** Chain id the file is meant for, when it says. */
  readonly chainId?: bigint;
  /** The members, in file order. */
  readonly members: readonly ConsortiumMember[];
}

/** A consortium file that is malformed, meant for another chain, or names an unknown member; the message says which. */
export class ConsortiumError extends MedBillError {
  /** @param message - What is wrong, naming the file and the field. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "CONSORTIUM", options);
  }
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Checks a parsed consortium file. Every member has an `id` (lower-case letters, digits and `-`; unique), a
 * `name`, a `kind`, a `role` and an account: an `address`, an `accountIndex` (a development account, local chains
 * only), or both (then they must agree, which {@link checkConsortiumChain}'s callers check where they know the key).
 *
 * @param value - The file's parsed JSON.
 * @param source - The file's name, for messages.
 * @returns The consortium, addresses checksummed.
 * @throws {@link ConsortiumError} naming the file and the faulty field.
 */
export function parseConsortium(value: unknown, source = "consortium file"): Consortium {
  const doc = value as { network?: unknown; chainId?: unknown; members?: unknown } | null;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new ConsortiumError(`${source}: expected a JSON object with "members"`);
  if (!Array.isArray(doc.members) || doc.members.length === 0)
    throw new ConsortiumError(`${source}: "members" must be a non-empty array`);
  let chainId: bigint | undefined;
  if (doc.chainId !== undefined) {
    if (!Number.isSafeInteger(doc.chainId) || (doc.chainId as number) <= 0)
      throw new ConsortiumError(`${source}: "chainId" must be a positive whole number`);
    chainId = BigInt(doc.chainId as number);
  }
  const seen = new Map<string, string>();
  const members = doc.members.map((entry: unknown, i: number): ConsortiumMember => {
    const where = `${source}: members[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry))
      throw new ConsortiumError(`${where} must be an object`);
    const m = entry as Record<string, unknown>;
    if ("account" in m) throw new ConsortiumError(`${where}.account is no longer read: name it "accountIndex"`);
    for (const key of ["id", "name", "kind"]) {
      if (typeof m[key] !== "string" || (m[key] as string).trim().length === 0)
        throw new ConsortiumError(`${where}.${key} must be a non-empty string`);
    }
    const id = m.id as string;
    if (!ID.test(id)) throw new ConsortiumError(`${where}.id "${id}" must be lower-case letters, digits and "-"`);
    if (seen.has(id)) throw new ConsortiumError(`${where}.id "${id}" is already used by ${seen.get(id)}`);
    seen.set(id, `members[${i}]`);
    if (m.areaCode !== undefined && (typeof m.areaCode !== "string" || !/^\d{6}$/.test(m.areaCode)))
      throw new ConsortiumError(`${where}.areaCode must be 6 digits`);
    for (const key of ["nameZh", "city"]) {
      if (m[key] !== undefined && typeof m[key] !== "string")
        throw new ConsortiumError(`${where}.${key} must be a string`);
    }
    if (typeof m.role !== "string" || !(MEMBER_ROLES as readonly string[]).includes(m.role))
      throw new ConsortiumError(`${where}.role must be one of ${MEMBER_ROLES.join(", ")}`);
    let address: string | undefined;
    if (m.address !== undefined) {
      try {
        address = getAddress(m.address as string);
      } catch {
        throw new ConsortiumError(`${where}.address ${JSON.stringify(m.address)} is not an address`);
      }
    }
    if (m.accountIndex !== undefined && (!Number.isSafeInteger(m.accountIndex) || (m.accountIndex as number) < 0))
      throw new ConsortiumError(`${where}.accountIndex must be a development account index (0, 1, ...)`);
    if (address === undefined && m.accountIndex === undefined)
      throw new ConsortiumError(`${where} ("${id}") needs an "address" (or, on a local chain, an "accountIndex")`);
    return {
      id,
      name: m.name as string,
      nameZh: m.nameZh as string | undefined,
      kind: m.kind as string,
      city: m.city as string | undefined,
      areaCode: m.areaCode as string | undefined,
      role: m.role as MemberRole,
      address,
      accountIndex: m.accountIndex as number | undefined,
    };
  });
  const byAddress = new Map<string, string>();
  for (const member of members) {
    if (member.address === undefined) continue;
    const other = byAddress.get(member.address);
    if (other !== undefined)
      throw new ConsortiumError(`${source}: members "${other}" and "${member.id}" share the address ${member.address}`);
    byAddress.set(member.address, member.id);
  }
  const network = typeof doc.network === "string" ? doc.network : undefined;
  return { source, network, chainId, members };
}

/**
 * Checks that a consortium may be used on `chainId`: the file's `chainId`, when it gives one, is that chain; and a
 * member given by development `accountIndex` is refused on every chain but a local one.
 *
 * @throws {@link ConsortiumError} naming the file and the chain.
 */
export function checkConsortiumChain(consortium: Consortium, chainId: bigint | number): void {
  const chain = BigInt(chainId);
  if (consortium.chainId !== undefined && consortium.chainId !== chain) {
    throw new ConsortiumError(
      `${consortium.source} is for chain ${consortium.chainId}, but the node serves chain ${chain}`,
    );
  }
  if (isLocalChain(chain)) return;
  const indexed = consortium.members.filter((m) => m.accountIndex !== undefined);
  if (indexed.length > 0) {
    throw new ConsortiumError(
      `${consortium.source}: ${indexed.map((m) => `"${m.id}"`).join(", ")} given by development accountIndex, which only local chains (31337, 1337) accept; chain ${chain} needs every member by "address"`,
    );
  }
}

/** Lower-cases, trims and collapses white space: the form names and ids are compared in. */
function normal(text: string): string {
  return text.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

/** The texts that name a member: its id, English name, Chinese name, and both names together in either order. */
function namesOf(member: ConsortiumMember): string[] {
  const names = [member.id, member.name];
  if (member.nameZh !== undefined)
    names.push(member.nameZh, `${member.nameZh} ${member.name}`, `${member.name} ${member.nameZh}`);
  return names.map(normal);
}

/**
 * Looks a member up by what a person or a bill calls it; the one rule every tool uses (docs/DESIGN.md, "Consortium
 * file"): compared case-insensitively with white space trimmed and collapsed, `text` names a member when it equals
 * its id (`hz-hospital`), its English or Chinese name, or both names joined by a space (as a bill's `hospital`
 * field prints them, e.g. `杭州市第一人民医院 Hangzhou First People's Hospital`); failing that, when it equals the
 * short id (the id up to its first `-`, e.g. `hz`) of exactly one member. Never a substring.
 *
 * @returns The member, or undefined when `text` names none (or a short id several share).
 */
export function lookupMember(consortium: Consortium, text: string): ConsortiumMember | undefined {
  const wanted = normal(text);
  if (wanted === "") return undefined;
  const exact = consortium.members.find((m) => namesOf(m).includes(wanted));
  if (exact !== undefined) return exact;
  const short = consortium.members.filter((m) => m.id.split("-")[0] === wanted);
  return short.length === 1 ? short[0] : undefined;
}

/**
 * {@link lookupMember}, failing loudly.
 *
 * @throws {@link ConsortiumError} `unknown member "x"` (or ambiguous short id) listing the known ids.
 */
export function findMember(consortium: Consortium, text: string): ConsortiumMember {
  const found = lookupMember(consortium, text);
  if (found !== undefined) return found;
  const known = consortium.members.map((m) => m.id).join(", ");
  const short = consortium.members.filter((m) => m.id.split("-")[0] === normal(text));
  if (short.length > 1)
    throw new ConsortiumError(`member "${text}" is ambiguous: ${short.map((m) => m.id).join(", ")} (known: ${known})`);
  throw new ConsortiumError(`unknown member "${text}" (known: ${known})`);
}

/**
 * The member whose file `address` is `address` (case-insensitive), or undefined. Members given only by `accountIndex` have no
 * address here: resolve them first (`medbill/node`'s `bindConsortium`).
 */
export function memberAt(consortium: Consortium, address: string): ConsortiumMember | undefined {
  const wanted = address.toLowerCase();
  return consortium.members.find((m) => m.address?.toLowerCase() === wanted);
}
