import { encodeBytes32String, getAddress, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
import { InvalidArgumentError } from "./errors";

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * Turns a reference into the 32 bytes the registry stores (a claim reference, a void reason, a bill number):
 * a `0x`-prefixed 32-byte hex string is taken as it is (lower-cased); text of at most 31 UTF-8 bytes is packed
 * readably with `encodeBytes32String` (decode it with `decodeBytes32String`); longer text is hashed with keccak256.
 * The empty string gives zero, which the registry refuses.
 *
 * @param value - 32-byte hex, or text.
 * @returns The 32-byte value as lower-case hex.
 */
export function toBytes32(value: string): string {
  if (typeof value !== "string") throw new InvalidArgumentError("value", "expected a string");
  if (BYTES32.test(value)) return value.toLowerCase();
  if (value === "") return ZeroHash;
  const bytes = toUtf8Bytes(value);
  return bytes.length <= 31 ? encodeBytes32String(value) : keccak256(bytes);
}

/** @internal Checks a 32-byte hex argument and returns it lower-cased. */
export function bytes32Arg(name: string, value: unknown): string {
  if (typeof value !== "string" || !BYTES32.test(value)) {
    throw new InvalidArgumentError(name, `expected 32 bytes as 0x-prefixed hex (66 characters), got ${String(value)}`);
  }
  return value.toLowerCase();
}

/** @internal Checks an address argument and returns it checksummed. */
export function addressArg(name: string, value: unknown): string {
  if (typeof value !== "string") throw new InvalidArgumentError(name, "expected an address");
  try {
    return getAddress(value);
  } catch {
    throw new InvalidArgumentError(name, `"${value}" is not a valid address`);
  }
}
