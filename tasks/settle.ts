import fs from "node:fs";
import path from "node:path";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { parseAddressArg, parseIntArg, requireFile } from "./lib/args";
import {
  CLAIM_BILL_COLUMNS,
  CLAIM_REQUIRED_COLUMNS,
  isClaimRow,
  validateClaimRow,
  type ClaimRow,
  type ClaimRules,
} from "./lib/claim-rows";
import { explainSdkError, explained, loadMembers, loadSdk, openRegistry, type Registry } from "./lib/context";
import { CliError, cliAction } from "./lib/errors";
import { print } from "./lib/output";
import { startProgress } from "./lib/progress";
import { formatOf, readRows } from "./lib/rows";
import { withMemberParams } from "./lib/task-params";

/** Claims per `reimburseMany` call: each window is judged against the chain, then sent. */
export const SETTLE_WINDOW = 3_000;
/** Problems listed one by one; beyond that only counted. */
const MAX_LISTED = 1_000;

interface SettleArgs {
  as?: string;
  registry?: string;
  file?: string;
  batchSize?: string;
  dryRun: boolean;
  quiet: boolean;
}

/** What `bill:settle` did. */
export interface SettleSummary {
  /** Claims in the file. */
  readonly claims: number;
  /** Paid by this run. */
  readonly paidNow: number;
  /** Sum paid by this run, in fen. */
  readonly amountPaidNow: bigint;
  /** Found paid by this payer with the same claim before (an earlier, perhaps interrupted, run). */
  readonly alreadyPaid: number;
  /** Refused by the registry's rules (listed on stderr with the reason). */
  readonly refused: number;
  /** Wall-clock seconds spent sending. */
  readonly seconds: number;
}

/** Pass 1: every row checked, problems listed as `file:line: field: problem`; nothing is sent if any. */
async function validateFile(file: string, sdk: ClaimRules): Promise<ClaimRow[]> {
  const display = path.basename(file);
  const csv = formatOf(file) === "csv";
  if (csv) {
    const header = fs
      .readFileSync(file, "utf8")
      .split(/\r?\n/, 1)[0]
      .replace(/^\uFEFF/, "");
    const columns = header.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    if (!CLAIM_BILL_COLUMNS.some((c) => columns.includes(c))) {
      throw new CliError(`${display}: missing column billId or uri in the CSV header (line 1)`);
    }
  }
  const rows: ClaimRow[] = [];
  const firstLine = new Map<string, number>();
  let problems = 0;
  const report = (line: number, field: string, message: string): void => {
    if (problems++ < MAX_LISTED) process.stderr.write(`${display}:${line}: ${field}: ${message}\n`);
  };
  const required = csv ? [...CLAIM_REQUIRED_COLUMNS] : [];
  for await (const raw of readRows(file, required, csv ? [...CLAIM_BILL_COLUMNS] : [])) {
    const row = validateClaimRow(raw, sdk);
    if (!isClaimRow(row)) {
      for (const issue of row.issues) report(row.line, issue.field, issue.message);
      continue;
    }
    const first = firstLine.get(row.billId);
    if (first !== undefined) {
      report(
        row.line,
        row.uri ? "uri" : "billId",
        `bill ${row.billId} repeats line ${first} (a payer reimburses a bill once)`,
      );
      continue;
    }
    firstLine.set(row.billId, row.line);
    rows.push(row);
  }
  if (problems > MAX_LISTED) process.stderr.write(`${display}: ... and ${problems - MAX_LISTED} more problems\n`);
  if (problems > 0) {
    throw new CliError(`${problems} problem${problems > 1 ? "s" : ""} in ${file} (listed above): nothing sent`);
  }
  return rows;
}

/** Before anything is sent: the registry runs, the payer holds CLAIMER_ROLE, every URI names this registry. */
async function preflight(
  registry: Registry,
  payer: string,
  rows: readonly ClaimRow[],
  file: string,
  hre: HardhatRuntimeEnvironment,
) {
  const { client } = registry;
  if (await explained(registry, hre, () => client.paused())) {
    throw new CliError(`the registry ${client.address} is paused: nothing sent (the admin runs registry:unpause)`);
  }
  if (!(await explained(registry, hre, () => client.hasRole("claimer", payer)))) {
    throw new CliError(`${await registry.members.directory.label(payer)} lacks the claimer role: nothing sent`);
  }
  const foreign = rows.filter(
    (r) => r.uri && (r.uri.chainId !== client.chainId || r.uri.registry.toLowerCase() !== client.address.toLowerCase()),
  );
  for (const r of foreign.slice(0, MAX_LISTED)) {
    process.stderr.write(
      `${path.basename(file)}:${r.line}: uri: names registry ${r.uri!.registry} on chain ${r.uri!.chainId}, not ${client.address} on chain ${client.chainId}\n`,
    );
  }
  if (foreign.length > 0)
    throw new CliError(`${foreign.length} claims name another registry (listed above): nothing sent`);
}

/**
 * The settlement: validate the whole file, then pay it in windows through the SDK's `reimburseMany` (atomic
 * batches; claims this payer already paid with the same reference are skipped), so a run killed at any moment and
 * run again pays every claim exactly once.
 */
async function runSettle(args: SettleArgs, hre: HardhatRuntimeEnvironment) {
  const file = requireFile(args.file, "--file");
  formatOf(file);
  const batchSize = parseIntArg(args.batchSize, "--batch-size", 1, 300, 300);
  const registryAddress = parseAddressArg(args.registry, "--registry");
  const members = loadMembers(hre);
  if (args.as === undefined) throw new CliError("--as is required: the payer settling (e.g. social-security)");
  const as = members.find(args.as);
  const sdk = await loadSdk();
  const rows = await validateFile(file, sdk);
  if (args.dryRun) {
    print(`${file}: ${rows.length} valid claim${rows.length === 1 ? "" : "s"}; dry run: nothing sent`);
    return { result: { claims: rows.length, paidNow: 0, amountPaidNow: 0n, alreadyPaid: 0, refused: 0, seconds: 0 } };
  }
  const registry = await openRegistry(hre, members, { registry: registryAddress, as });
  const payer = await members.directory.addressOf(as);
  await preflight(registry, payer, rows, file, hre);

  const { client } = registry;
  const started = Date.now();
  const progress = startProgress(rows.length, { unit: "claims", quiet: args.quiet });
  let paidNow = 0;
  let amountPaidNow = 0n;
  let alreadyPaid = 0;
  let refused = 0;
  let done = 0;
  try {
    for (let k = 0; k < rows.length; k += SETTLE_WINDOW) {
      const window = rows.slice(k, k + SETTLE_WINDOW);
      const base = done;
      const result = await client.reimburseMany(
        window.map((r) => ({ billId: r.billId, amount: r.amount, claimRef: r.claimRef })),
        { batchSize, onProgress: (p) => progress.update(base + p.done) },
      );
      done += window.length;
      progress.update(done);
      paidNow += result.paid;
      alreadyPaid += result.alreadyPaid;
      for (const [i, outcome] of result.outcomes.entries()) {
        if (outcome.status === "paid") amountPaidNow += window[i].amount;
        if (outcome.status !== "refused") continue;
        if (refused++ < MAX_LISTED) {
          const reason = await explainSdkError(outcome.error, registry, hre);
          const name = (outcome.error as { errorName?: string }).errorName ?? outcome.error.name;
          process.stderr.write(`${path.basename(file)}:${window[i].line}: refused: ${name}: ${reason.message}\n`);
        }
      }
    }
  } catch (error) {
    throw await explainSdkError(error, registry, hre);
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  print(
    `settled ${file} as ${as.name} (${as.id}) on registry ${client.address} (chain ${client.chainId}, network ${hre.network.name})`,
    `paid now:      ${paidNow} (${sdk.formatYuan(amountPaidNow)} yuan)`,
    `already paid:  ${alreadyPaid}`,
    `refused:       ${refused}${refused > 0 ? " (listed above with the reason)" : ""}`,
    `rate:          ${(seconds > 0 ? paidNow / seconds : 0).toFixed(0)} claims/s (${paidNow} in ${seconds.toFixed(1)} s)`,
  );
  const summary: SettleSummary = { claims: rows.length, paidNow, amountPaidNow, alreadyPaid, refused, seconds };
  return { result: summary, exitCode: refused > 0 ? 1 : 0 };
}

withMemberParams(
  task(
    "bill:settle",
    "Pays a payer's claims from a CSV or JSONL file: validates every row first, then reimburses in atomic batches, skipping claims already paid (safe to rerun after a crash)",
  )
    .addOptionalParam(
      "file",
      "claims.csv (columns billId or uri, amount, claimRef) or claims.jsonl (one {billId|uri, amount, claimRef} a line); amount in yuan",
    )
    .addOptionalParam("batchSize", "Claims per transaction, 1 to 300 (default 300)")
    .addFlag("dryRun", "Only validate the file (no node needed): report problems and counts, send nothing")
    .addFlag("quiet", "No progress bar"),
  "The payer settling: social-security, insurer, ... (required)",
).setAction(cliAction("bill:settle", runSettle));
