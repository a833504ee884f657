import fs from "node:fs";
import path from "node:path";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { LedgerRow } from "../src/ledger";
import { parseAddressArg } from "./lib/args";
import { explainSdkError, loadMembers, loadSdk, openRegistry } from "./lib/context";
import { CliError, cliAction } from "./lib/errors";
import { keyValues, print, table } from "./lib/output";
import { withMemberParams } from "./lib/task-params";

/** Rows printed on the terminal when there is no `--out`. */
const SHOWN = 20;

interface ReconcileArgs {
  as?: string;
  registry?: string;
  from?: string;
  to?: string;
  out?: string;
}

/** What `payer:reconcile` found. */
export interface ReconcileSummary {
  /** Reimbursements in the ledger. */
  readonly count: number;
  /** Distinct bills. */
  readonly bills: number;
  /** Their sum, in fen. */
  readonly amount: bigint;
  /** Without a time window: the sum of `reimbursedBy(bill, payer)` over those bills, read from the registry. */
  readonly reimbursedBySum: bigint | null;
  /** Where the ledger was written, if anywhere. */
  readonly out: string | null;
}

/**
 * A date or time option as seconds since the epoch: `2026-11-30` (UTC; as `--to`, through the end of that day),
 * `2026-11-30T08:00:00Z`, or seconds since the epoch.
 */
export function parseTimeArg(value: string | undefined, option: string, endOfDay: boolean): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(day ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new CliError(`${option} "${text}" is not a date (2026-11-30), a time (2026-11-30T08:00:00Z) or seconds`);
  }
  return Math.floor(ms / 1000) + (day && endOfDay ? 86_399 : 0);
}

async function runReconcile(args: ReconcileArgs, hre: HardhatRuntimeEnvironment) {
  const members = loadMembers(hre);
  if (args.as === undefined) throw new CliError("--as is required: the payer whose ledger to read");
  const as = members.find(args.as);
  const fromTime = parseTimeArg(args.from, "--from", false);
  const toTime = parseTimeArg(args.to, "--to", true);
  if (fromTime !== undefined && toTime !== undefined && fromTime > toTime) {
    throw new CliError(`--from ${args.from} is after --to ${args.to}`);
  }
  const out = args.out?.trim();
  if (out !== undefined) {
    const dir = path.dirname(path.resolve(out));
    if (!fs.existsSync(dir)) throw new CliError(`--out: directory not found: ${dir}`);
    if (!/\.(csv|jsonl)$/i.test(out)) throw new CliError(`--out must name a .csv or .jsonl file, got ${out}`);
  }
  const sdk = await loadSdk();
  const registry = await openRegistry(hre, members, { registry: parseAddressArg(args.registry, "--registry") });
  const { client } = registry;
  const claimer = await members.directory.addressOf(as);

  const rows: LedgerRow[] = [];
  const tmp = out === undefined ? undefined : `${out}.partial`;
  const stream = tmp === undefined ? undefined : fs.createWriteStream(tmp, { encoding: "utf8" });
  const csv = out !== undefined && /\.csv$/i.test(out);
  let reimbursedBySum: bigint | null = null;
  try {
    if (stream && csv) stream.write(sdk.ledgerCsvHeader() + "\n");
    for await (const row of sdk.readLedger(client, { claimer, fromTime, toTime })) {
      rows.push(row);
      if (stream) stream.write((csv ? sdk.ledgerCsvLine(row) : JSON.stringify(sdk.ledgerRowToJson(row))) + "\n");
    }
    if (fromTime === undefined && toTime === undefined) {
      // The books' cross-check: the events' sum equals what the registry records for this payer, bill by bill.
      const bills = [...new Set(rows.map((r) => r.billId))];
      const amounts = await Promise.all(bills.map((id) => client.reimbursedBy(id, claimer)));
      reimbursedBySum = amounts.reduce((s, a) => s + a, 0n);
    }
  } catch (error) {
    stream?.destroy();
    throw await explainSdkError(error, registry, hre);
  }
  if (stream && tmp && out) {
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    fs.renameSync(tmp, out);
  }
  const totals = sdk.ledgerTotals(rows);
  const window =
    fromTime === undefined && toTime === undefined
      ? "all time"
      : `${fromTime === undefined ? "the start" : new Date(fromTime * 1000).toISOString()} to ${toTime === undefined ? "now" : new Date(toTime * 1000).toISOString()}`;
  const lines = [`ledger of ${as.name} (${as.id}, ${claimer}) on registry ${client.address}, ${window}`];
  if (out === undefined && rows.length > 0) {
    lines.push(
      ...table([
        ["time (UTC)", "bill", "amount (yuan)", "claimRef", "tx"],
        ...rows.slice(0, SHOWN).map((r) => {
          const j = sdk.ledgerRowToJson(r);
          return [j.time.slice(0, 19), r.billId, sdk.formatYuan(r.amount), j.claimRefText ?? r.claimRef, r.txHash];
        }),
      ]),
    );
    if (rows.length > SHOWN) lines.push(`... and ${rows.length - SHOWN} more (write them all with --out ledger.csv)`);
  }
  lines.push(
    ...keyValues([
      ["reimbursements", String(totals.count)],
      ["bills", String(totals.bills)],
      ["total", `${sdk.formatYuan(totals.amount)} yuan (${totals.amount} fen)`],
      ...(reimbursedBySum === null
        ? []
        : [
            [
              "reimbursedBy",
              `${sdk.formatYuan(reimbursedBySum)} yuan summed over those bills: ${reimbursedBySum === totals.amount ? "matches" : "DIFFERS"}`,
            ] as const,
          ]),
      ...(out === undefined ? [] : [["written to", out] as const]),
    ]),
  );
  print(...lines);
  const summary: ReconcileSummary = { ...totals, reimbursedBySum, out: out ?? null };
  return { result: summary, exitCode: reimbursedBySum !== null && reimbursedBySum !== totals.amount ? 1 : 0 };
}

withMemberParams(
  task(
    "payer:reconcile",
    "A payer's reconciliation ledger from the chain's events: every reimbursement (bill, amount, claimRef, block time, tx) and the totals",
  )
    .addOptionalParam("from", "First day or time (UTC): 2026-11-30, 2026-11-30T08:00:00Z or seconds since the epoch")
    .addOptionalParam("to", "Last day (through its end) or time (UTC), same forms as --from")
    .addOptionalParam("out", "Write the whole ledger to this .csv (columns as the service's CSV) or .jsonl file"),
  "The payer whose ledger to read: social-security, insurer, ... (required)",
).setAction(cliAction("payer:reconcile", runReconcile));
