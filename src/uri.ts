import { getAddress } from "ethers";
import { InvalidUriError } from "./errors";

/** What a bill's QR code carries: enough to verify the bill with one read call, and no personal data. */
export interface BillUri {
  /** The chain the registry is on. */
  readonly chainId: bigint;
  /** The registry's address (EIP-55 checksummed). */
  readonly registry: string;
  /** The bill's id (32 bytes, lower-case hex). */
  readonly billId: string;
  /** The bill document's EIP-712 hash (32 bytes, lower-case hex). */
  readonly contentHash: string;
}

/** The URI scheme of bill URIs. */
export const URI_SCHEME = "medbill";

const HASH = /^0x[0-9a-f]{64}$/;

/**
 * Writes a bill URI: `medbill:<chainId>/<registry>/<billId>?h=<contentHash>`, with the chain id in decimal, the
 * registry EIP-55 checksummed and both hashes as lower-case hex. This is the canonical form {@link decodeBillUri}
 * accepts.
 *
 * @param bill - Chain id, registry, bill id and content hash.
 * @returns The URI.
 * @throws {@link InvalidUriError} when a part is invalid.
 */
export function encodeBillUri(bill: {
  chainId: bigint | number;
  registry: string;
  billId: string;
  contentHash: string;
}): string {
  let chainId: bigint;
  try {
    chainId = BigInt(bill.chainId);
  } catch {
    throw new InvalidUriError(`chain id ${String(bill.chainId)} is not an integer`, "");
  }
  if (chainId <= 0n || chainId >= 1n << 64n) throw new InvalidUriError(`chain id ${chainId} is out of range`, "");
  let registry: string;
  try {
    registry = getAddress(bill.registry);
  } catch {
    throw new InvalidUriError(`registry "${bill.registry}" is not an address`, "");
  }
  const billId = String(bill.billId).toLowerCase();
  const contentHash = String(bill.contentHash).toLowerCase();
  if (!HASH.test(billId)) throw new InvalidUriError(`bill id "${bill.billId}" is not 32 bytes of hex`, "");
  if (!HASH.test(contentHash)) {
    throw new InvalidUriError(`content hash "${bill.contentHash}" is not 32 bytes of hex`, "");
  }
  return `${URI_SCHEME}:${chainId}/${registry}/${billId}?h=${contentHash}`;
}

/**
 * Reads a bill URI strictly: exactly `medbill:<chainId>/<registry>/<billId>?h=<contentHash>` with a decimal chain
 * id (no leading zeros, below 2^64), the registry in its EIP-55 checksummed form (an all-lower-case or wrongly
 * cased address is refused), bill id and content hash as 64 lower-case hex digits after `0x`, nothing else (no
 * white space, other parameters or fragment).
 *
 * @param uri - The URI, e.g. scanned from a QR code.
 * @returns Its parts.
 * @throws {@link InvalidUriError} saying what is wrong.
 */
export function decodeBillUri(uri: string): BillUri {
  if (typeof uri !== "string") throw new InvalidUriError("a bill URI must be a string", String(uri));
  const fail = (why: string): never => {
    throw new InvalidUriError(`invalid bill URI: ${why}`, uri);
  };
  if (uri.length > 300) fail(`too long (${uri.length} characters)`);
  if (!uri.startsWith(`${URI_SCHEME}:`)) fail(`it must start with "${URI_SCHEME}:"`);
  const rest = uri.slice(URI_SCHEME.length + 1);
  const q = rest.indexOf("?");
  if (q < 0) fail('the content hash is missing (expected "?h=0x...")');
  const path = rest.slice(0, q);
  const query = rest.slice(q + 1);
  const parts = path.split("/");
  if (parts.length !== 3) fail(`expected <chainId>/<registry>/<billId>, got ${parts.length} part(s)`);
  const [chainText, registryText, billId] = parts;
  if (!/^[1-9][0-9]*$/.test(chainText))
    fail(`chain id "${chainText}" must be a positive decimal without leading zeros`);
  const chainId = BigInt(chainText);
  if (chainId >= 1n << 64n) fail(`chain id ${chainText} is out of range`);
  if (!/^0x[0-9a-fA-F]*$/.test(registryText)) fail(`registry "${registryText}" is not hex`);
  if (registryText.length !== 42) {
    fail(`registry address has ${registryText.length - 2} hex digits, expected 40`);
  }
  const registry = getAddress(registryText.toLowerCase());
  if (registry !== registryText) fail(`registry "${registryText}" has a wrong checksum case (expected ${registry})`);
  checkHash("bill id", billId, fail);
  if (!query.startsWith("h=")) fail('expected the query "h=<contentHash>"');
  const contentHash = query.slice(2);
  if (/[&#?=]/.test(contentHash)) fail('only the parameter "h" is allowed, and no fragment');
  checkHash("content hash", contentHash, fail);
  return { chainId, registry, billId, contentHash };
}

function checkHash(what: string, value: string, fail: (why: string) => never): void {
  if (!value.startsWith("0x")) fail(`${what} must start with 0x`);
  const digits = value.slice(2);
  if (!/^[0-9a-fA-F]*$/.test(digits)) fail(`${what} contains a character that is not hex`);
  if (digits.length !== 64) fail(`${what} has ${digits.length} hex digits, expected 64`);
  if (digits !== digits.toLowerCase()) fail(`${what} must be lower-case hex`);
  if (/^0+$/.test(digits)) fail(`${what} must not be zero`);
}
