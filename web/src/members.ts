/** A consortium member (hospital, payer, finance bureau), bundled at build time from `consortium/local.json`. */
export interface Member {
  /** Checksummed account address. */
  readonly address: string;
  /** English name. */
  readonly name: string;
  /** Chinese name. */
  readonly nameZh: string;
  /** `hospital`, `social-security`, `insurer`, `finance-bureau`, `payment-platform`. */
  readonly kind: string;
}

declare const __MEDBILL_MEMBERS__: Member[];

const BY_ADDRESS = new Map<string, Member>(__MEDBILL_MEMBERS__.map((member) => [member.address.toLowerCase(), member]));

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
 * The consortium's hospitals, the one whose Chinese or English name appears in `name` first: the accounts that may have issued
 * a bill document naming that hospital.
 *
 * @param name - The hospital named on the bill.
 * @returns Every hospital member, best match first.
 */
export function hospitals(name: string): Member[] {
  const all = __MEDBILL_MEMBERS__.filter((member) => member.kind === "hospital");
  const named = all.filter((member) => name.includes(member.nameZh) || name.includes(member.name));
  return [...named, ...all.filter((member) => !named.includes(member))];
}
