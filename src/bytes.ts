import { decodeBytes32String, encodeBytes32String, getAddress, keccak256, toUtf8Bytes, ZeroHash } from "ethers";
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

/**
 * Reads back a 32-byte reference {@link toBytes32} packed from short text (a claim reference, a void reason): the
 * text when the value is printable packed text, else undefined (zero, a hash, or bytes that are not text).
 *
 * @param value - 32 bytes as 0x-prefixed hex.
 * @returns The text, or undefined.
 */
export function bytes32Text(value: string): string | undefined {
  if (typeof value !== "string" || !BYTES32.test(value)) return undefined;
  let text: string;
  try {
    text = decodeBytes32String(value);
  } catch {
    return undefined;
  }
  // Printable: no control characters, no replacement character (bytes that were not UTF-8).
  // eslint-disable-next-line no-control-regex
  return text.length > 0 && !/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(text) ? text : undefined;
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

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = NIBBLE[65 + i] = 10 + i;

/** @internal `0x`-prefixed hex to bytes, with a lookup table (ethers' `getBytes` parses two characters at a time). */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0, j = 2; i < out.length; i++, j += 2) {
    const hi = NIBBLE[hex.charCodeAt(j)];
    const lo = NIBBLE[hex.charCodeAt(j + 1)];
    if (hi < 0 || lo < 0 || hi === undefined || lo === undefined) throw new RangeError("invalid hex");
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** @internal Bytes to hex without `0x`, with a lookup table. */
export function bytesToHex(bytes: Uint8Array): string {
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length; i += 4096) {
    let chunk = "";
    const end = Math.min(bytes.length, i + 4096);
    for (let k = i; k < end; k++) chunk += BYTE_HEX[bytes[k]];
    chunks.push(chunk);
  }
  return chunks.join("");
}

/** @internal keccak256 of `0x`-prefixed hex, decoded with {@link hexToBytes}. */
export function keccakHex(hex: string): string {
  return keccak256(hexToBytes(hex));
}
