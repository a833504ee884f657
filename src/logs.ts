/**
 * @internal The registry's event log reader: paged `eth_getLogs` over block ranges, parsed into the SDK's bill
 * events. One reader serves history, bill queries, role members, the ledger and the pipelines' lookups.
 */
import type { Interface, Log, Provider } from "ethers";
import { addressArg } from "./bytes";
import type { BillEvent, BlockRange, EventMeta } from "./client-types";
import { InvalidArgumentError } from "./errors";

/** A topic filter: per position, one value, any of several, or anything (null). */
export type Topics = (string | string[] | null)[];

/** Reads the registry's logs. */
export class LogReader {
  constructor(
    private readonly provider: Provider,
    private readonly address: string,
    private readonly iface: Interface,
    /** First block searched. */
    readonly fromBlock: number,
    /** Blocks per request. */
    readonly blockRange: number,
    private readonly read: <T>(fn: () => Promise<T>) => Promise<T>,
  ) {}

  /** The topic hash of one of the registry's events. */
  topic(name: string): string {
    return this.iface.getEvent(name)!.topicHash;
  }

  /** The registry's logs matching `topics`, a page of `blockRange` blocks at a time, in chain order. */
  async *logs(topics: Topics, range: BlockRange): AsyncGenerator<Log[]> {
    const [from, to] = await this.rangeOf(range);
    for (let start = from; start <= to; start += this.blockRange) {
      const end = Math.min(to, start + this.blockRange - 1);
      const logs = await this.read(() =>
        this.provider.getLogs({ address: this.address, topics, fromBlock: start, toBlock: end }),
      );
      if (logs.length > 0) yield sortLogs(logs);
    }
  }

  /** Like {@link logs}, parsed into bill events. */
  async *events(topics: Topics, range: BlockRange): AsyncGenerator<BillEvent[]> {
    for await (const logs of this.logs(topics, range)) {
      const events = logs.map((log) => this.toEvent(log)).filter((e): e is BillEvent => e !== null);
      if (events.length > 0) yield events;
    }
  }

  private async rangeOf(range: BlockRange): Promise<[number, number]> {
    const from = range.fromBlock ?? this.fromBlock;
    const to = range.toBlock ?? (await this.read(() => this.provider.getBlockNumber()));
    for (const [name, v] of [
      ["fromBlock", from],
      ["toBlock", to],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(name, "must be a block number");
    }
    return [from, to];
  }

  private toEvent(log: Log): BillEvent | null {
    const parsed = this.iface.parseLog(log);
    if (!parsed) return null;
    const meta: EventMeta = { blockNumber: log.blockNumber, logIndex: log.index, txHash: log.transactionHash };
    const a = parsed.args;
    switch (parsed.name) {
      case "BillIssued":
        return {
          kind: "issued",
          ...meta,
          billId: a.billId,
          issuer: a.issuer,
          patientRef: a.patientRef,
          billNumber: a.billNumber,
          amount: a.amount,
          contentHash: a.contentHash,
        };
      case "BillReimbursed":
        return {
          kind: "reimbursed",
          ...meta,
          billId: a.billId,
          claimer: a.claimer,
          claimRef: a.claimRef,
          amount: a.amount,
          totalReimbursed: a.totalReimbursed,
        };
      case "BillVoided":
        return {
          kind: "voided",
          ...meta,
          billId: a.billId,
          issuer: a.issuer,
          reason: a.reason,
          replacementId: a.replacementId,
        };
      default:
        return null;
    }
  }
}

/** An address as an indexed topic. */
export function topicOfAddress(address: string): string {
  return "0x" + address.slice(2).toLowerCase().padStart(64, "0");
}

/** The address in an indexed topic (checksummed). */
export function addressFromTopic(topic: string): string {
  return addressArg("topic", "0x" + topic.slice(26));
}

function sortLogs(logs: readonly Log[]): Log[] {
  return [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
}
