/**
 * A fixed-size Bloom filter over strings: remembers which keys were seen in constant memory (4 MiB by default), so
 * a 600,000-row import can spot repeated bill numbers without holding them all. A hit means "probably seen": callers
 * confirm hits with a second look at the few keys concerned.
 */
export class SeenFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  /**
   * @param log2Bits - Size of the filter as a power of two, in bits (default 2^25 bits = 4 MiB).
   * @param hashes - Number of bit positions per key.
   */
  constructor(
    log2Bits = 25,
    private readonly hashes = 8,
  ) {
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  /** Adds `key` and tells whether it was (probably) already there. */
  addAndCheck(key: string): boolean {
    const [h1, h2] = twoHashes(key);
    let present = true;
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.bits[word] & flag) === 0) {
        present = false;
        this.bits[word] |= flag;
      }
    }
    return present;
  }
}

/** Two independent 32-bit FNV-1a style hashes of a string (double hashing for the Bloom filter). */
function twoHashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}
