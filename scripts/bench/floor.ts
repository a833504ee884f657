/**
 * The gas floor of a transaction: the least it could cost given what it must write, emit and send, priced with the
 * EVM's own schedule (Osaka, the hardfork the in-process network runs). It deliberately leaves out everything a
 * contract could in principle avoid (access-control reads, validation, hashing, memory, dispatch), so
 * `gas / floor` says how close an implementation is to the cheapest possible one with the same storage layout.
 *
 * The storage writes are not guessed: they are read from a `debug_traceTransaction` of the real transaction
 * ({@link storageWritesOf}), each written slot classified as new (zero before, non-zero after) or updated.
 */
import type { JsonRpcApiProvider } from "ethers";

/** The gas schedule used by the floor (EIP-2929 access costs, EIP-2028 calldata, EIP-3860 initcode, EIP-7623). */
export const GAS = {
  /** Base cost of every transaction. */
  transaction: 21_000,
  /** Extra base cost of a contract-creation transaction. */
  create: 32_000,
  /** A slot that goes from zero to non-zero: SSTORE set (20,000) plus the cold-slot access (2,100). */
  newSlot: 22_100,
  /** A slot that changes from one non-zero value to another: SSTORE reset (2,900) plus the cold access (2,100). */
  slotUpdate: 5_000,
  /** Per calldata byte that is zero. */
  calldataZeroByte: 4,
  /** Per calldata byte that is not zero. */
  calldataNonZeroByte: 16,
  /** EIP-7623 floor: a transaction pays at least this much per calldata token (zero byte 1 token, other byte 4). */
  calldataFloorPerToken: 10,
  /** LOG base cost. */
  log: 375,
  /** Per log topic (the event signature is one). */
  logTopic: 375,
  /** Per byte of log data. */
  logDataByte: 8,
  /** Per byte of deployed (runtime) code. */
  codeDepositByte: 200,
  /** EIP-3860: per 32-byte word of initcode. */
  initcodeWord: 2,
} as const;

/** Calldata of a transaction, counted the way the EVM prices it. */
export interface CalldataCost {
  bytes: number;
  zeroBytes: number;
  /** 4 per zero byte plus 16 per non-zero byte. */
  gas: number;
  /** EIP-7623 tokens: zero bytes plus four times the non-zero bytes. */
  tokens: number;
}

/** Prices calldata (`0x`-prefixed hex). */
export function calldataCost(data: string): CalldataCost {
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  let zeroBytes = 0;
  for (let i = 0; i < hex.length; i += 2) {
    if (hex[i] === "0" && hex[i + 1] === "0") zeroBytes += 1;
  }
  const bytes = hex.length / 2;
  const nonZero = bytes - zeroBytes;
  return {
    bytes,
    zeroBytes,
    gas: zeroBytes * GAS.calldataZeroByte + nonZero * GAS.calldataNonZeroByte,
    tokens: zeroBytes + 4 * nonZero,
  };
}

/** A log as a receipt carries it. */
export interface LogLike {
  readonly topics: readonly string[];
  readonly data: string;
}

/** The LOG opcode cost of `logs`, without the memory they are copied from. */
export function logsCost(logs: readonly LogLike[]): number {
  let gas = 0;
  for (const log of logs) {
    const dataBytes = (log.data.length - 2) / 2;
    gas += GAS.log + GAS.logTopic * log.topics.length + GAS.logDataByte * dataBytes;
  }
  return gas;
}

/** Distinct storage slots a transaction wrote, by what they cost at the least. */
export interface StorageWrites {
  /** Slots that were zero before the transaction and are not after it. */
  newSlots: number;
  /** Slots that were non-zero before and hold a different value after. */
  updatedSlots: number;
}

/** One step of a struct-log trace (only the fields read here). */
interface StructLog {
  op: string;
  depth: number;
  stack?: string[];
}

function toWord(value: string): bigint {
  return BigInt(value.startsWith("0x") ? value : `0x${value}`);
}

/**
 * Reads which storage slots `txHash` wrote, from a struct-log trace, and classifies each against its value before
 * the transaction (read at the previous block; the in-process network mines one transaction per block). Only writes
 * of the outermost frame are counted: every benchmarked transaction writes the storage of the contract it calls or
 * creates, never another one's (a write at depth > 1 makes this throw rather than miscount).
 */
export async function storageWritesOf(
  provider: JsonRpcApiProvider,
  txHash: string,
  storageAddress: string,
  options: { created?: boolean } = {},
): Promise<StorageWrites> {
  const trace = (await provider.send("debug_traceTransaction", [
    txHash,
    { disableMemory: true, disableStorage: true, disableStack: false },
  ])) as { structLogs: StructLog[] };
  const finalValues = new Map<bigint, bigint>();
  for (const step of trace.structLogs) {
    if (step.op !== "SSTORE") continue;
    if (step.depth !== 1) throw new Error(`SSTORE in a nested call (depth ${step.depth}) of ${txHash}`);
    const stack = step.stack ?? [];
    finalValues.set(toWord(stack[stack.length - 1]), toWord(stack[stack.length - 2]));
  }
  const receipt = await provider.getTransactionReceipt(txHash);
  if (receipt === null) throw new Error(`no receipt for ${txHash}`);
  const writes: StorageWrites = { newSlots: 0, updatedSlots: 0 };
  for (const [slot, after] of finalValues) {
    const before = options.created
      ? 0n
      : toWord(await provider.getStorage(storageAddress, slot, receipt.blockNumber - 1));
    if (before === after) continue;
    if (before === 0n) writes.newSlots += 1;
    else writes.updatedSlots += 1;
  }
  return writes;
}

/** A floor and where it comes from, all in gas. */
export interface Floor {
  transaction: number;
  calldata: number;
  storage: number;
  logs: number;
  /** Contract creation only: CREATE base, code deposit and initcode words. */
  creation: number;
  /** How much of the floor is the EIP-7623 calldata minimum lifting it above the sum of the parts (rarely > 0). */
  calldataFloorLift: number;
  total: number;
  newSlots: number;
  updatedSlots: number;
}

/** What a floor is computed from. */
export interface FloorInput {
  /** The transaction's calldata (for a deployment: the initcode with constructor arguments). */
  data: string;
  logs: readonly LogLike[];
  writes: StorageWrites;
  /** For a deployment: the size of the deployed runtime code in bytes. */
  runtimeCodeBytes?: number;
}

/**
 * The least a transaction could cost: 21,000, plus its calldata (4 or 16 per byte), plus 22,100 per new slot and
 * 5,000 per updated slot, plus its logs (375 + 375 per topic + 8 per data byte), plus for a deployment 32,000 + 200
 * per runtime code byte + 2 per initcode word; and never less than the EIP-7623 minimum of 21,000 + 10 per calldata
 * token.
 */
export function floorOf(input: FloorInput): Floor {
  const calldata = calldataCost(input.data);
  const storage = input.writes.newSlots * GAS.newSlot + input.writes.updatedSlots * GAS.slotUpdate;
  const logs = logsCost(input.logs);
  const creation =
    input.runtimeCodeBytes === undefined
      ? 0
      : GAS.create + GAS.codeDepositByte * input.runtimeCodeBytes + GAS.initcodeWord * Math.ceil(calldata.bytes / 32);
  const sum = GAS.transaction + calldata.gas + storage + logs + creation;
  const eip7623 = GAS.transaction + GAS.calldataFloorPerToken * calldata.tokens;
  const total = Math.max(sum, eip7623);
  return {
    transaction: GAS.transaction,
    calldata: calldata.gas,
    storage,
    logs,
    creation,
    calldataFloorLift: total - sum,
    total,
    newSlots: input.writes.newSlots,
    updatedSlots: input.writes.updatedSlots,
  };
}
