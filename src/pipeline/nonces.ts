/**
 * @internal Nonces of the transaction pipeline: what the node counts, what this process has reserved while its
 * transactions are in flight, and how a node says a nonce clashed.
 */
import type { Provider, Signer } from "ethers";

/** The provider's raw JSON-RPC `send`, where it has one. */
export function rawSend(provider: Provider): ((method: string, params: unknown[]) => Promise<unknown>) | null {
  const send = (provider as unknown as { send?: (method: string, params: unknown[]) => Promise<unknown> }).send;
  return typeof send === "function" ? (method, params) => send.call(provider, method, params) : null;
}

/** Per provider and account: the next nonce this process will use, and how many of its transactions are in flight. */
const nonceBooks = new WeakMap<Provider, Map<string, { next: number; inFlight: number }>>();

/** The account's pending transaction count, asked of the node itself where the provider allows (no cache). */
async function pendingNonce(signer: Signer, provider: Provider, address: string): Promise<number> {
  const send = rawSend(provider);
  return send !== null
    ? Number(await send("eth_getTransactionCount", [address, "pending"]))
    : signer.getNonce("pending");
}

/** Reserves the next nonce of `address`; {@link settleNonce} once its transaction is settled. */
export async function reserveNonce(signer: Signer, provider: Provider, address: string): Promise<number> {
  return takeNonce(provider, address, await pendingNonce(signer, provider, address));
}

/**
 * Reserves `atLeast`, or past the last nonce reserved while transactions of this process are still in flight
 * (the node may not count those yet). With nothing in flight the node's count is the truth (even after a chain
 * snapshot was reverted), so nothing is remembered.
 */
export function takeNonce(provider: Provider, address: string, atLeast: number): number {
  let book = nonceBooks.get(provider);
  if (book === undefined) {
    book = new Map();
    nonceBooks.set(provider, book);
  }
  const entry = book.get(address);
  const nonce = entry ? Math.max(atLeast, entry.next) : atLeast;
  book.set(address, { next: nonce + 1, inFlight: (entry?.inFlight ?? 0) + 1 });
  return nonce;
}

/** Marks one transaction of `address` settled (mined or failed). */
export function settleNonce(provider: Provider, address: string): void {
  const book = nonceBooks.get(provider);
  const entry = book?.get(address);
  if (!book || !entry) return;
  if (--entry.inFlight <= 0) book.delete(address);
}

/** "low": the nonce was used already; "high": the node cannot queue it (Hardhat automine); else null. */
export function nonceClash(error: unknown): "low" | "high" | null {
  const code = (error as { code?: unknown })?.code;
  if (code === "NONCE_EXPIRED") return "low";
  const message = JSON.stringify(errorText(error));
  if (/nonce too low|nonce has already been used|already known/i.test(message)) return "low";
  if (/nonce too high/i.test(message)) return "high";
  return null;
}

function errorText(error: unknown, depth = 0): string {
  if (depth > 5 || error === null || typeof error !== "object") return typeof error === "string" ? error : "";
  const e = error as Record<string, unknown>;
  let text = typeof e.message === "string" ? e.message : "";
  for (const key of ["error", "info", "cause", "data"]) text += " " + errorText(e[key], depth + 1);
  return text;
}
