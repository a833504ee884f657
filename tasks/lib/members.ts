import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import { CliError } from "./errors";

/** What a consortium member does on the registry. */
export type MemberRole = "admin" | "issuer" | "claimer" | "none";

/** One member of the consortium, as listed in the consortium file. */
export interface Member {
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
  /** The registry role the member is meant to hold. */
  readonly role: MemberRole;
  /** Index of the member's account among the network's configured accounts. */
  readonly account: number;
}

/** A consortium: its members, read from a consortium file such as `consortium/local.json`. */
export interface Consortium {
  /** The file it was read from. */
  readonly file: string;
  /** Chain id the file is meant for, when it says. */
  readonly chainId?: number;
  /** The members, in file order. */
  readonly members: readonly Member[];
}

/** The consortium file used when MEDBILL_CONSORTIUM is not set, relative to the project root. */
export const DEFAULT_CONSORTIUM_FILE = path.join("consortium", "local.json");

const ROLES: readonly string[] = ["admin", "issuer", "claimer", "none"];

/**
 * Reads and checks a consortium file: MEDBILL_CONSORTIUM when set, else `consortium/local.json` under `root`.
 *
 * @throws {@link CliError} naming the file and the faulty field.
 */
export function loadConsortium(
  root: string,
  file = process.env.MEDBILL_CONSORTIUM ?? DEFAULT_CONSORTIUM_FILE,
): Consortium {
  const full = path.resolve(root, file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(full, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new CliError(`cannot read the consortium file ${file}: ${reason}`);
  }
  const doc = raw as { chainId?: unknown; members?: unknown };
  if (!Array.isArray(doc.members)) throw new CliError(`consortium file ${file}: "members" must be an array`);
  const members = doc.members.map((entry: unknown, i: number): Member => {
    const m = entry as Record<string, unknown>;
    const where = `consortium file ${file}: members[${i}]`;
    for (const key of ["id", "name", "kind"]) {
      if (typeof m[key] !== "string" || (m[key] as string).length === 0)
        throw new CliError(`${where}.${key} must be a non-empty string`);
    }
    if (typeof m.role !== "string" || !ROLES.includes(m.role))
      throw new CliError(`${where}.role must be one of ${ROLES.join(", ")}`);
    if (!Number.isSafeInteger(m.account) || (m.account as number) < 0) {
      throw new CliError(`${where}.account must be an account index (0, 1, ...)`);
    }
    return {
      id: m.id as string,
      name: m.name as string,
      nameZh: typeof m.nameZh === "string" ? m.nameZh : undefined,
      kind: m.kind as string,
      city: typeof m.city === "string" ? m.city : undefined,
      role: m.role as MemberRole,
      account: m.account as number,
    };
  });
  return { file, chainId: typeof doc.chainId === "number" ? doc.chainId : undefined, members };
}

/**
 * Finds a member by id (`hz-hospital`), short id (`hz`: the id up to its first `-`, when unique), or name in
 * English or Chinese; case-insensitive.
 *
 * @throws {@link CliError} `unknown member "x"` listing the known ids.
 */
export function findMember(consortium: Consortium, nameOrId: string): Member {
  const wanted = nameOrId.trim().toLowerCase();
  const { members } = consortium;
  const exact = members.find(
    (m) => m.id.toLowerCase() === wanted || m.name.toLowerCase() === wanted || m.nameZh?.toLowerCase() === wanted,
  );
  if (exact !== undefined) return exact;
  const short = members.filter((m) => m.id.toLowerCase().split("-")[0] === wanted);
  if (short.length === 1) return short[0];
  const known = members.map((m) => m.id).join(", ");
  if (short.length > 1) {
    throw new CliError(`member "${nameOrId}" is ambiguous: ${short.map((m) => m.id).join(", ")} (known: ${known})`);
  }
  throw new CliError(`unknown member "${nameOrId}" (known: ${known})`);
}

/** The network's configured accounts, with their addresses; loaded once per task run. */
export interface MemberDirectory {
  readonly consortium: Consortium;
  /** The member's signer on the current network. */
  signerOf(member: Member): Promise<Signer>;
  /** The member's address on the current network. */
  addressOf(member: Member): Promise<string>;
  /** The member holding `address`, if any (case-insensitive). */
  memberAt(address: string): Promise<Member | undefined>;
  /** `Name (id)` for a member's address, or the address itself for a non-member. */
  label(address: string): Promise<string>;
}

/** Builds the member directory of the current network from the consortium file. */
export function memberDirectory(hre: HardhatRuntimeEnvironment, consortium: Consortium): MemberDirectory {
  let addresses: Promise<string[]> | undefined;
  const accountAddresses = (): Promise<string[]> => {
    addresses ??= (hre.network.provider.request({ method: "eth_accounts" }) as Promise<string[]>).then((list) =>
      list.map((a) => a.toLowerCase()),
    );
    return addresses;
  };
  const addressOf = async (member: Member): Promise<string> => {
    const list = await accountAddresses();
    const address = list[member.account];
    if (address === undefined) {
      throw new CliError(
        `member "${member.id}" uses account #${member.account}, but network "${hre.network.name}" has ${list.length} account(s) configured`,
      );
    }
    return hre.ethers.getAddress(address);
  };
  return {
    consortium,
    addressOf,
    async signerOf(member) {
      return hre.ethers.getSigner(await addressOf(member));
    },
    async memberAt(address) {
      const list = await accountAddresses();
      const index = list.indexOf(address.toLowerCase());
      return index < 0 ? undefined : consortium.members.find((m) => m.account === index);
    },
    async label(address) {
      const member = await this.memberAt(address);
      return member === undefined ? address : `${member.name} (${member.id})`;
    },
  };
}
