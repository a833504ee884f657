/**
 * The reconciliation ledger: one row per `BillReimbursed` of a payer, in chain order, and its JSON and CSV forms
 * with totals. The one definition of the row format, used by the CLI (`payer:reconcile`) and by the service
 * (`GET /v1/reimbursements`), so that a payer's books match whichever of them produced the ledger.
 *
 * Amounts are bigint fen inside; the JSON form carries fen as decimal strings, the CSV form fen and yuan.
 */
import type { Provider } from "ethers";
import { formatYuan } from "./amount";
import { addressArg, bytes32Arg, bytes32Text, toBytes32 } from "./bytes";
import type { BillReimbursedEvent, BlockRange } from "./client-types";
import { InvalidArgumentError } from "./errors";

/** One reimbursement as a payer's books see it. */
export interface LedgerRow {
  /** The bill reimbursed. */
  readonly billId: string;
  /** The payer (checksummed address). */
  readonly claimer: string;
  /** The payer's claim reference as recorded on chain (32 bytes, lower-case hex). */
  readonly claimRef: string;
  /** Paid by this reimbursement, in fen. */
  readonly amount: bigint;
  /** The bill's total reimbursed (all payers) right after it, in fen. */
  readonly totalReimbursed: bigint;
  /** Block it was mined in. */
  readonly blockNumber: number;
  /** The block's timestamp, seconds since the epoch. */
  readonly blockTime: number;
  /** Transaction hash. */
  readonly txHash: string;
  /** Position of the event in its block. */
  readonly logIndex: number;
}

/** A {@link LedgerRow} as JSON: amounts in fen as decimal strings, the claim reference also as text when packed. */
export interface LedgerRowJson {
  /** The bill reimbursed. */
  readonly billId: string;
  /** The payer (checksummed address). */
  readonly claimer: string;
  /** The claim reference as recorded (32 bytes, lower-case hex). */
  readonly claimRef: string;
  /** The claim reference decoded as text, when it was packed from text of at most 31 bytes; else null. */
  readonly claimRefText: string | null;
  /** Paid by this reimbursement: fen, decimal string. */
  readonly amount: string;
  /** The bill's total reimbursed right after it: fen, decimal string. */
  readonly totalReimbursed: string;
  /** Block it was mined in. */
  readonly blockNumber: number;
  /** The block's timestamp, seconds since the epoch. */
  readonly blockTime: number;
  /** The block time as ISO 8601 UTC. */
  readonly time: string;
  /** Transaction hash. */
  readonly txHash: string;
  /** Position of the event in its block. */
  readonly logIndex: number;
}

/** Totals of a ledger. */
export interface LedgerTotals {
  /** Reimbursements. */
  readonly count: number;
  /** Distinct bills. */
  readonly bills: number;
  /** Sum paid, in fen. */
  readonly amount: bigint;
}

/** {@link LedgerTotals} as JSON (fen as a decimal string, and yuan). */
export interface LedgerTotalsJson {
  /** Reimbursements. */
  readonly count: number;
  /** Distinct bills. */
  readonly bills: number;
  /** Sum paid: fen, decimal string. */
  readonly amount: string;
  /** Sum paid in yuan, two decimals. */
  readonly amountYuan: string;
}

/** The CSV columns of the ledger, in order (the header line). */
export const LEDGER_CSV_COLUMNS = [
  "billId",
  "claimer",
  "claimRef",
  "claimRefText",
  "amount",
  "amountYuan",
  "totalReimbursed",
  "blockNumber",
  "blockTime",
  "time",
  "txHash",
  "logIndex",
] as const;

/**
 * A ledger row from a `BillReimbursed` event and its block's time.
 *
 * @param event - The event (from `MedBillClient.bills({ claimer })`, or a stored copy of it).
 * @param blockTime - The block's timestamp, seconds since the epoch.
 */
export function ledgerRowOf(event: Omit<BillReimbursedEvent, "kind">, blockTime: number): LedgerRow {
  return {
    billId: bytes32Arg("billId", event.billId),
    claimer: addressArg("claimer", event.claimer),
    claimRef: bytes32Arg("claimRef", event.claimRef),
    amount: event.amount,
    totalReimbursed: event.totalReimbursed,
    blockNumber: event.blockNumber,
    blockTime,
    txHash: event.txHash.toLowerCase(),
    logIndex: event.logIndex,
  };
}

/**
 * The claim reference as text when it was packed from text (`toBytes32` of at most 31 UTF-8 bytes), else null
 * (a hashed reference, or 32 bytes given as hex): the SDK's one reading of bytes32 text, {@link bytes32Text}.
 */
export function claimRefText(claimRef: string): string | null {
  return bytes32Text(claimRef) ?? null;
}

/** A row in its JSON form. */
export function ledgerRowToJson(row: LedgerRow): LedgerRowJson {
  return {
    billId: row.billId,
    claimer: row.claimer,
    claimRef: row.claimRef,
    claimRefText: claimRefText(row.claimRef),
    amount: row.amount.toString(),
    totalReimbursed: row.totalReimbursed.toString(),
    blockNumber: row.blockNumber,
    blockTime: row.blockTime,
    time: isoTime(row.blockTime),
    txHash: row.txHash,
    logIndex: row.logIndex,
  };
}

/**
 * A row back from its JSON form (what {@link ledgerRowToJson} wrote, e.g. a service's answer).
 *
 * @throws {@link InvalidArgumentError} naming the first bad field.
 */
export function ledgerRowFromJson(json: unknown): LedgerRow {
  if (json === null || typeof json !== "object") throw new InvalidArgumentError("row", "expected an object");
  const o = json as Record<string, unknown>;
  return {
    billId: bytes32Arg("billId", o.billId),
    claimer: addressArg("claimer", o.claimer),
    claimRef: bytes32Arg("claimRef", o.claimRef),
    amount: fenField("amount", o.amount),
    totalReimbursed: fenField("totalReimbursed", o.totalReimbursed),
    blockNumber: intField("blockNumber", o.blockNumber),
    blockTime: intField("blockTime", o.blockTime),
    txHash: bytes32Arg("txHash", o.txHash),
    logIndex: intField("logIndex", o.logIndex),
  };
}

/** The CSV header line (no line break). */
export function ledgerCsvHeader(): string {
  return LEDGER_CSV_COLUMNS.join(",");
}

/** One row as a CSV line (no line break), columns as {@link LEDGER_CSV_COLUMNS}. */
export function ledgerCsvLine(row: LedgerRow): string {
  const j = ledgerRowToJson(row);
  return [
    j.billId,
    j.claimer,
    j.claimRef,
    csvText(j.claimRefText ?? ""),
    j.amount,
    formatYuan(row.amount),
    j.totalReimbursed,
    String(j.blockNumber),
    String(j.blockTime),
    j.time,
    j.txHash,
    String(j.logIndex),
  ].join(",");
}

/** A whole ledger as CSV: the header, then one line per row, each ending with `\n`. */
export function ledgerToCsv(rows: Iterable<LedgerRow>): string {
  const lines = [ledgerCsvHeader()];
  for (const row of rows) lines.push(ledgerCsvLine(row));
  return lines.join("\n") + "\n";
}

/**
 * Rows back from {@link ledgerToCsv}'s output (the header must be exactly {@link LEDGER_CSV_COLUMNS}).
 *
 * @throws {@link InvalidArgumentError} naming the line and field that is wrong.
 */
export function ledgerFromCsv(csv: string): LedgerRow[] {
  const lines = csv.split(/\r?\n/).filter((line) => line !== "");
  if (lines[0] !== ledgerCsvHeader()) {
    throw new InvalidArgumentError("csv", `the header must be ${ledgerCsvHeader()}`);
  }
  return lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    if (cells.length !== LEDGER_CSV_COLUMNS.length) {
      throw new InvalidArgumentError(`line ${i + 2}`, `expected ${LEDGER_CSV_COLUMNS.length} columns`);
    }
    const o = Object.fromEntries(LEDGER_CSV_COLUMNS.map((c, k) => [c, cells[k]]));
    try {
      return ledgerRowFromJson({
        ...o,
        blockNumber: Number(o.blockNumber),
        blockTime: Number(o.blockTime),
        logIndex: Number(o.logIndex),
      });
    } catch (error) {
      throw new InvalidArgumentError(`line ${i + 2}`, (error as Error).message);
    }
  });
}

/** Count, distinct bills and sum of a ledger. */
export function ledgerTotals(rows: Iterable<LedgerRow>): LedgerTotals {
  let count = 0;
  let amount = 0n;
  const bills = new Set<string>();
  for (const row of rows) {
    count++;
    amount += row.amount;
    bills.add(row.billId);
  }
  return { count, bills: bills.size, amount };
}

/** Totals in their JSON form. */
export function ledgerTotalsToJson(totals: LedgerTotals): LedgerTotalsJson {
  return {
    count: totals.count,
    bills: totals.bills,
    amount: totals.amount.toString(),
    amountYuan: formatYuan(totals.amount),
  };
}

/** Orders rows as the chain does (block, then log index). */
export function compareLedgerRows(a: LedgerRow, b: LedgerRow): number {
  return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
}

/** A ledger query: one payer, optionally a block range, a time window and one claim reference. */
export interface LedgerQuery extends BlockRange {
  /** The payer. */
  readonly claimer: string;
  /** Only reimbursements at or after this block time (seconds since the epoch). */
  readonly fromTime?: number;
  /** Only reimbursements at or before this block time (seconds since the epoch). */
  readonly toTime?: number;
  /** Only this claim reference (32-byte hex, or text as `toBytes32` packs it). */
  readonly claimRef?: string;
}

/** What {@link readLedger} needs of a client (a `MedBillClient` has it). */
export interface LedgerSource {
  /** Reads block times. */
  readonly provider: Provider;
  /** A payer's `BillReimbursed` events in chain order. */
  bills(query: BlockRange & { readonly claimer: string }): AsyncGenerator<BillReimbursedEvent>;
}

/**
 * A payer's ledger read from the chain's `BillReimbursed` events (indexed by claimer), in chain order, with block
 * times. Iterate with `for await`; memory holds one page of events at a time.
 *
 * @param client - A connected `MedBillClient` (read-only is enough).
 * @param query - The payer and the optional filters.
 */
export async function* readLedger(client: LedgerSource, query: LedgerQuery): AsyncGenerator<LedgerRow> {
  const claimer = addressArg("claimer", query.claimer);
  const ref = query.claimRef === undefined ? undefined : toBytes32(query.claimRef);
  const times = new Map<number, number>();
  const timeOf = async (blockNumber: number): Promise<number> => {
    let time = times.get(blockNumber);
    if (time === undefined) {
      const block = await client.provider.getBlock(blockNumber);
      time = block ? block.timestamp : 0;
      if (times.size > 10_000) times.clear();
      times.set(blockNumber, time);
    }
    return time;
  };
  for await (const event of client.bills({ claimer, fromBlock: query.fromBlock, toBlock: query.toBlock })) {
    if (ref !== undefined && event.claimRef.toLowerCase() !== ref) continue;
    const blockTime = await timeOf(event.blockNumber);
    if (query.fromTime !== undefined && blockTime < query.fromTime) continue;
    if (query.toTime !== undefined && blockTime > query.toTime) continue;
    yield ledgerRowOf(event, blockTime);
  }
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * Quotes a text cell when it needs it (RFC 4180), and defuses spreadsheet formulas: text starting with `=`, `+`,
 * `-`, `@`, tab or carriage return gets a leading `'` (removed again by {@link ledgerFromCsv}, which ignores the
 * column anyway: it is derived from `claimRef`).
 */
function csvText(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? "'" + text : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells;
}

function fenField(name: string, value: unknown): bigint {
  if (typeof value !== "string" || !/^\d+$/.test(value)) {
    throw new InvalidArgumentError(name, "expected fen as a decimal string");
  }
  return BigInt(value);
}

function intField(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(name, "expected a non-negative integer");
  }
  return value;
}
