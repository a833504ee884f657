import { lookupMember, type Consortium, type ConsortiumMember } from "../../src/consortium";

/** A consortium member (hospital, payer, finance bureau) as the page knows it: always with its address. */
export type Member = ConsortiumMember & { readonly address: string };

/** The consortium, bundled at build time from the consortium file by `web/vite.config.mts` (addresses only). */
declare const __MEDBILL_CONSORTIUM__: Consortium;

const CONSORTIUM: Consortium = __MEDBILL_CONSORTIUM__;
const MEMBERS = CONSORTIUM.members.filter((member): member is Member => member.address !== undefined);
const BY_ADDRESS = new Map<string, Member>(MEMBERS.map((member) => [member.address.toLowerCase(), member]));

/**
 * Finds the consortium member holding an address.
 *
 * @param address - Any-case hex address.
 * @returns The member, or `undefined` when the address is not a member's.
 */
export function memberOf(address: string): Member | undefined {
  return BY_ADDRESS.get(address.toLowerCase());
}

/**
 * The consortium's hospitals, the one the bill's `hospital` field names first (the SDK's one lookup rule,
 * `lookupMember`: id, English or Chinese name, or both names): the accounts that may have issued the bill.
 *
 * @param name - The hospital named on the bill.
 * @returns Every hospital member, best match first.
 */
export function hospitals(name: string): Member[] {
  const all = MEMBERS.filter((member) => member.kind === "hospital");
  const named = lookupMember(CONSORTIUM, name);
  const first = all.filter((member) => member.id === named?.id);
  return [...first, ...all.filter((member) => !first.includes(member))];
}
