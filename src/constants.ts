/**
 * Numbers fixed by the registry and the network, defined once (docs/DESIGN.md, "Contract surface" and
 * "Local consortium network"). Browser-safe.
 */

/** Largest bill amount the registry accepts, in fen: 2^40 − 1 (about 11 billion yuan), the contract's `MAX_AMOUNT`. */
export const MAX_AMOUNT: bigint = (1n << 40n) - 1n;

/** Most bills the registry accepts in one `issueBatch`, the contract's `MAX_BATCH_SIZE`. */
export const MAX_BATCH_SIZE = 300;

/** The most gas one transaction may use (EIP-7825, enforced by Hardhat's default hardfork): 2^24. */
export const MAX_TX_GAS: bigint = 16_777_216n;

/**
 * Chain ids of local development networks (Hardhat's in-process network and node, anvil, geth --dev): the only
 * chains on which a consortium member may be given by development `accountIndex`.
 */
export const LOCAL_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];

/** Whether `chainId` is a local development chain ({@link LOCAL_CHAIN_IDS}). */
export function isLocalChain(chainId: bigint | number): boolean {
  return LOCAL_CHAIN_IDS.includes(BigInt(chainId));
}
