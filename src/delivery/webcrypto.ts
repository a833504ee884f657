import { MedBillError } from "../errors";

/** @internal WebCrypto's `SubtleCrypto`, as the running platform (browser or Node 20+) provides it. */
export type Subtle = typeof globalThis.crypto.subtle;

/** @internal A WebCrypto key (named without the DOM library's global type, which Node's types lack). */
export type WebKey = Awaited<ReturnType<Subtle["importKey"]>>;

/**
 * @internal WebCrypto, or a clear error: browsers offer it only in a secure context (https, or http on localhost).
 */
export function subtle(): Subtle {
  const subtleCrypto = globalThis.crypto?.subtle;
  if (subtleCrypto === undefined) {
    throw new MedBillError(
      "WebCrypto (crypto.subtle) is not available here: open the page over https (or on localhost)",
      "NO_WEBCRYPTO",
    );
  }
  return subtleCrypto;
}

/** @internal `length` cryptographically random bytes. */
export function randomBytesOf(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/** @internal A copy of `bytes` on its own ArrayBuffer, as WebCrypto's `BufferSource` parameters require. */
export function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** @internal UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return buffer(new TextEncoder().encode(text));
}

/** @internal Compares two byte strings without an early exit. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
