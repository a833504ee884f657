import { createHmac } from "node:crypto";

/** The development salt secret, used when MEDBILL_SALT_SECRET is not set. Never use it for real patients. */
export const DEV_SALT_SECRET = "medbill-development-salt-secret";

/** The hospital's salt secret: MEDBILL_SALT_SECRET, or the development secret (`dev` tells which). */
export function saltSecret(): { secret: string; dev: boolean } {
  const secret = process.env.MEDBILL_SALT_SECRET;
  return secret !== undefined && secret.length > 0 ? { secret, dev: false } : { secret: DEV_SALT_SECRET, dev: true };
}

/**
 * The patient salt of a bill that came without one: HMAC-SHA256 keyed by the hospital's secret over the issuer and
 * the bill's code and number. Deterministic, so re-running an import produces identical `BillInput`s (and finds the
 * bills already on chain), yet unguessable without the secret. The patient's app receives this salt with the bill.
 *
 * @param secret - The hospital's salt secret (MEDBILL_SALT_SECRET).
 * @param issuer - The issuing hospital's address.
 * @param bill - The bill's code and number.
 * @returns 32 bytes as 0x-prefixed hex.
 */
export function deriveSalt(secret: string, issuer: string, bill: { billCode: string; billNumber: string }): string {
  const message = `medbill-salt/v1/${issuer.toLowerCase()}/${bill.billCode}-${bill.billNumber}`;
  return "0x" + createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

/** Tells whether a value is a usable salt: 32 bytes of 0x-prefixed hex, not all zero. */
export function isSalt(value: unknown): value is string {
  return typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value) && !/^0x0{64}$/.test(value);
}
