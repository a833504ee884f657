import { BaseWallet, keccak256, type Signer, type TransactionRequest } from "ethers";
import { bytesToHex, hexToBytes } from "./bytes";

/**
 * @internal Signs a transaction for an ethers wallet without ethers' `Transaction` object: EIP-1559 (type 2, with
 * `maxFeePerGas`) or legacy with EIP-155 replay protection (type 0 given, with `gasPrice`), the same bytes as
 * `wallet.signTransaction(tx)` (signatures are deterministic, RFC 6979), written straight from hex. For a full
 * batch of 300 bills (40 kB of calldata), ethers' generic path converts the calldata between hex and bytes several
 * times with a per-byte loop; this is the hot path of `issueMany`.
 *
 * @returns The signed transaction as hex, or null when this signer or transaction is not one it handles (then use
 * `signer.signTransaction`).
 */
export function signFast(signer: Signer, tx: TransactionRequest): string | null {
  if (!(signer instanceof BaseWallet)) return null;
  const { to, data, nonce, gasLimit, chainId, gasPrice, maxFeePerGas, maxPriorityFeePerGas } = tx;
  const type2 = maxFeePerGas != null && maxPriorityFeePerGas != null && gasPrice == null && (tx.type ?? 2) === 2;
  // (With `gasPrice` and no type, ethers picks EIP-2930: that one is left to it.)
  const legacy = gasPrice != null && maxFeePerGas == null && maxPriorityFeePerGas == null && tx.type === 0;
  if (
    !(type2 || legacy) ||
    typeof to !== "string" ||
    !/^0x[0-9a-fA-F]{40}$/.test(to) ||
    typeof data !== "string" ||
    !/^0x([0-9a-fA-F]{2})*$/.test(data) ||
    tx.value != null ||
    tx.accessList != null ||
    (tx.from != null && String(tx.from).toLowerCase() !== signer.address.toLowerCase()) ||
    nonce == null ||
    gasLimit == null ||
    chainId == null
  ) {
    return null;
  }
  const chain = BigInt(chainId);
  const common = [rlpInteger(BigInt(gasLimit)), rlpBytes(hexToBytes(to)), rlpInteger(0n), rlpBytes(hexToBytes(data))];
  if (type2) {
    const fields = [
      rlpInteger(chain),
      rlpInteger(BigInt(nonce)),
      rlpInteger(BigInt(maxPriorityFeePerGas)),
      rlpInteger(BigInt(maxFeePerGas)),
      ...common,
      new Uint8Array([0xc0]), // empty access list
    ];
    const signature = signer.signingKey.sign(keccak256(concatBytes([new Uint8Array([2]), rlpList(fields)])));
    const signed = rlpList([
      ...fields,
      rlpInteger(BigInt(signature.yParity)),
      rlpInteger(BigInt(signature.r)),
      rlpInteger(BigInt(signature.s)),
    ]);
    return "0x02" + bytesToHex(signed);
  }
  const fields = [rlpInteger(BigInt(nonce)), rlpInteger(BigInt(gasPrice ?? 0)), ...common];
  const signature = signer.signingKey.sign(
    keccak256(rlpList([...fields, rlpInteger(chain), rlpInteger(0n), rlpInteger(0n)])),
  );
  const v = chain * 2n + 35n + BigInt(signature.yParity);
  const signed = rlpList([...fields, rlpInteger(v), rlpInteger(BigInt(signature.r)), rlpInteger(BigInt(signature.s))]);
  return "0x" + bytesToHex(signed);
}

function rlpLength(length: number, short: number): Uint8Array {
  if (length <= 55) return new Uint8Array([short + length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return new Uint8Array([short + 55 + bytes.length, ...bytes]);
}

function rlpBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 1 && bytes[0] < 0x80) return bytes;
  return concatBytes([rlpLength(bytes.length, 0x80), bytes]);
}

function rlpInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError("negative integer in a transaction");
  return rlpBytes(value === 0n ? new Uint8Array(0) : hexToBytes(bigintHex(value)));
}

function bigintHex(value: bigint): string {
  const hex = value.toString(16);
  return "0x" + (hex.length % 2 === 1 ? "0" + hex : hex);
}

function rlpList(items: readonly Uint8Array[]): Uint8Array {
  const payload = concatBytes(items);
  return concatBytes([rlpLength(payload.length, 0xc0), payload]);
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
