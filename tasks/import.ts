import path from "node:path";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { BillInput, MedicalBill } from "../src/bill";
import { parseAddressArg, parseIntArg, requireFile } from "./lib/args";
import {
  CSV_OPTIONAL_COLUMNS,
  CSV_REQUIRED_COLUMNS,
  isValidRow,
  rowKey,
  validateRow,
  type InvalidRow,
  type RowRules,
  type ValidRow,
} from "./lib/bill-rows";
import {
  explainSdkError,
  explained,
  loadMembers,
  loadSdk,
  openRegistry,
  type Members,
  type Registry,
} from "./lib/context";
import { deliverySettings } from "./lib/deliver";
import { ImportDeliveries } from "./lib/deliver-import";
import { CliError, cliAction } from "./lib/errors";
import type { Member } from "./lib/members";
import { print, warn } from "./lib/output";
import { startProgress } from "./lib/progress";
import { recordedContentHashes } from "./lib/onchain";
import { formatOf, readRows } from "./lib/rows";
import { saltSecret } from "./lib/salt";
import { SeenFilter } from "./lib/seen";
import { withMemberParams } from "./lib/task-params";

/** Rows per window while sending (two windows in memory: one hashed while the previous one is sent). */
export const IMPORT_WINDOW = 3_000;
/** Invalid rows listed one by one; beyond that only counted. */
const MAX_LISTED = 1_000;

interface ImportArgs {
  as?: string;
  registry?: string;
  file?: string;
  batchSize?: string;
  skipInvalid: boolean;
  dryRun: boolean;
  quiet: boolean;
  deliver: boolean;
  service?: string;
  deliveries?: string;
}

/** What `bill:import` did. */
export interface ImportSummary {
  /** Valid rows in the file. */
  readonly valid: number;
  /** Invalid rows (never sent). */
  readonly invalid: number;
  /** Bills issued by this run. */
  readonly issuedNow: number;
  /** Bills found already on chain (by an earlier run) and skipped. */
  readonly alreadyOnChain: number;
  /** Of those, bills whose content on chain differs from the file's. */
  readonly conflicts: number;
  /** Wall-clock seconds spent sending. */
  readonly seconds: number;
  /** Bills issued per second while sending. */
  readonly billsPerSecond: number;
  /** With `--deliver`: bills delivered by this run. */
  readonly delivered?: number;
}

/**
 * Pass 1: validates every row, streaming, and finds repeated bill numbers with a constant-memory filter (confirmed
 * by a second look at the few suspects). Returns the invalid rows' line numbers and the issuers the valid rows name.
 */
async function validateFile(
  file: string,
  rules: RowRules,
): Promise<{ valid: number; invalidLines: Set<number>; issuers: Member[] }> {
  const columns = formatOf(file) === "csv" ? CSV_REQUIRED_COLUMNS : [];
  const display = path.basename(file);
  const invalidLines = new Set<number>();
  const seen = new SeenFilter();
  const suspects = new Set<string>();
  const issuers = new Map<string, Member>();
  let valid = 0;
  let listed = 0;
  const report = (row: InvalidRow): void => {
    invalidLines.add(row.line);
    if (listed++ < MAX_LISTED) {
      for (const issue of row.issues)
        process.stderr.write(`${display}:${row.line}: ${issue.field}: ${issue.message}\n`);
    }
  };
  for await (const raw of readRows(file, columns, CSV_OPTIONAL_COLUMNS)) {
    const row = validateRow(raw, rules);
    if (!isValidRow(row)) {
      report(row);
      continue;
    }
    valid++;
    issuers.set(row.issuer.id, row.issuer);
    const key = rowKey(row);
    if (seen.addAndCheck(key)) suspects.add(key);
  }
  if (suspects.size > 0) {
    // Second look at the suspects only: the first occurrence stays valid, later ones are duplicates.
    const first = new Map<string, number>();
    for await (const raw of readRows(file, columns, CSV_OPTIONAL_COLUMNS)) {
      if (invalidLines.has(raw.line)) continue;
      const row = validateRow(raw, rules);
      if (!isValidRow(row)) continue;
      const key = rowKey(row);
      if (!suspects.has(key)) continue;
      const line = first.get(key);
      if (line === undefined) first.set(key, row.line);
      else {
        valid--;
        report({
          line: row.line,
          issues: [
            { field: "billNumber", message: `bill ${row.bill.billCode}-${row.bill.billNumber} repeats line ${line}` },
          ],
        });
      }
    }
  }
  if (listed > MAX_LISTED) process.stderr.write(`${display}: ... and ${listed - MAX_LISTED} more invalid rows\n`);
  return { valid, invalidLines, issuers: [...issuers.values()] };
}

/** Checks, before anything is sent, that the registry runs and that every issuer in the file holds ISSUER_ROLE. */
async function preflight(registry: Registry, issuers: Iterable<Member>, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { client, members } = registry;
  if (await explained(registry, hre, () => client.paused())) {
    throw new CliError(`the registry ${client.address} is paused: nothing sent (the admin runs registry:unpause)`);
  }
  for (const member of issuers) {
    const address = await members.directory.addressOf(member);
    if (!(await explained(registry, hre, () => client.hasRole("issuer", address)))) {
      throw new CliError(`${member.name} (${member.id}, ${address}) lacks the issuer role: nothing sent`);
    }
  }
}

/**
 * The import: validate the whole file (pass 1), then stream it again and send windows of rows through the SDK's
 * `issueMany` (atomic batches, skipping bills already on chain), so a run killed at any moment and run again
 * issues every bill exactly once.
 */
async function runImport(args: ImportArgs, hre: HardhatRuntimeEnvironment) {
  const file = requireFile(args.file, "--file");
  formatOf(file);
  const batchSize = parseIntArg(args.batchSize, "--batch-size", 1, 300, 300);
  const registryAddress = parseAddressArg(args.registry, "--registry");
  const members: Members = loadMembers(hre);
  const as = args.as === undefined ? undefined : members.find(args.as);
  const sdk = await loadSdk();
  const deliverSettings = args.deliver ? deliverySettings(sdk, { service: args.service }) : undefined;
  const rules: RowRules = {
    parseRow: sdk.parseBillRow,
    format: formatOf(file),
    as,
    hospitalMember: members.byHospitalName,
  };

  const { valid, invalidLines, issuers } = await validateFile(file, rules);
  const invalid = invalidLines.size;
  if (invalid > 0 && !args.skipInvalid) {
    throw new CliError(
      `${invalid} invalid row${invalid > 1 ? "s" : ""} in ${file} (listed above): nothing sent; fix them, or pass --skip-invalid to import the ${valid} valid rows`,
    );
  }
  if (args.dryRun) {
    print(`${file}: ${valid} valid row${valid === 1 ? "" : "s"}, ${invalid} invalid; dry run: nothing sent`);
    const summary: ImportSummary = {
      valid,
      invalid,
      issuedNow: 0,
      alreadyOnChain: 0,
      conflicts: 0,
      seconds: 0,
      billsPerSecond: 0,
    };
    return { result: summary };
  }
  if (invalid > 0) warn(`skipping ${invalid} invalid row${invalid > 1 ? "s" : ""}`);

  const registry = await openRegistry(hre, members, { registry: registryAddress });
  await preflight(registry, issuers, hre);
  const deliveries = deliverSettings
    ? new ImportDeliveries(sdk, deliverSettings, args.deliveries ?? `${file}.deliveries.jsonl`)
    : undefined;
  const secret = saltSecret(sdk);
  if (secret.dev && !["hardhat", "localhost"].includes(hre.network.name))
    warn("MEDBILL_SALT_SECRET is not set: the salts of rows without one come from the development secret");

  // One client per issuing hospital, each with its own signer.
  const clients = new Map<string, { client: Registry["client"]; address: string }>();
  for (const member of issuers) {
    const opened = await openRegistry(hre, members, { registry: registry.client.address, as: member });
    clients.set(member.id, { client: opened.client, address: await members.directory.addressOf(member) });
  }

  let issuedNow = 0;
  let alreadyOnChain = 0;
  let conflicts = 0;
  let done = 0;
  const started = Date.now();
  const progress = startProgress(valid, { unit: "bills", quiet: args.quiet });
  const columns = formatOf(file) === "csv" ? CSV_REQUIRED_COLUMNS : [];

  type Client = Registry["client"];
  /** A window's rows of one issuer, with the `BillInput`s computed (EIP-712 hash, patient commitment). */
  interface Prepared {
    readonly client: Client;
    readonly address: string;
    readonly rows: readonly ValidRow[];
    readonly inputs: readonly BillInput[];
    /** The complete documents, as the patients receive them with `--deliver`. */
    readonly documents: readonly MedicalBill[];
  }

  // Hashing is CPU work: done in slices (yielding to the event loop) for the next window while the node mines the
  // current one.
  const prepare = async (window: readonly ValidRow[]): Promise<Prepared[]> => {
    const byIssuer = new Map<string, ValidRow[]>();
    for (const row of window) {
      const list = byIssuer.get(row.issuer.id) ?? [];
      list.push(row);
      byIssuer.set(row.issuer.id, list);
    }
    const prepared: Prepared[] = [];
    for (const [issuerId, rows] of byIssuer) {
      const { client, address } = clients.get(issuerId) as { client: Client; address: string };
      const inputs: BillInput[] = [];
      const documents: MedicalBill[] = [];
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        const salted = sdk.saltBillRow(row, { issuer: address, secret: secret.secret });
        documents.push(salted.bill);
        inputs.push(sdk.billRowInput(salted, client.domain));
        if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      }
      prepared.push({ client, address, rows, inputs, documents });
    }
    return prepared;
  };

  const send = async (groups: readonly Prepared[]): Promise<void> => {
    for (const { client, address, rows, inputs, documents } of groups) {
      const base = done;
      const result = await client.issueMany(inputs, { batchSize, onProgress: (p) => progress.update(base + p.done) });
      done += rows.length;
      issuedNow += result.issued;
      alreadyOnChain += result.skipped;
      progress.update(done);
      // A bill skipped as already on chain must be the same bill: report rows whose content differs.
      const skipped = rows.map((_, i) => i).filter((i) => !result.issuedNow[i]);
      const recorded = await recordedContentHashes(
        client,
        address,
        skipped.map((i) => result.billIds[i]),
      );
      const conflicting = new Set<number>();
      for (const i of skipped) {
        const contentHash = recorded.get(result.billIds[i].toLowerCase());
        if (contentHash === undefined || contentHash === inputs[i].contentHash) continue;
        conflicting.add(i);
        if (conflicts++ < MAX_LISTED) {
          const { line, bill: doc } = rows[i];
          process.stderr.write(
            `${path.basename(file)}:${line}: bill ${doc.billCode}-${doc.billNumber} is on chain (id ${result.billIds[i]}) with other content than this row\n`,
          );
        }
      }
      await deliveries?.deliver(client, rows, inputs, documents, result.billIds, conflicting);
    }
  };

  let sending: Promise<void> = Promise.resolve();
  const dispatch = async (window: readonly ValidRow[]): Promise<void> => {
    const prepared = await prepare(window);
    await sending;
    const next = send(prepared);
    next.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    sending = next;
  };
  try {
    let window: ValidRow[] = [];
    for await (const raw of readRows(file, columns, CSV_OPTIONAL_COLUMNS)) {
      if (invalidLines.has(raw.line)) continue;
      const row = validateRow(raw, rules);
      if (!isValidRow(row)) continue; // cannot happen (the file was validated), but never send a bad row
      window.push(row);
      if (window.length >= IMPORT_WINDOW) {
        await dispatch(window);
        window = [];
      }
    }
    if (window.length > 0) await dispatch(window);
    await sending;
  } catch (error) {
    throw await explainSdkError(error, registry, hre);
  } finally {
    progress.stop();
  }

  const seconds = (Date.now() - started) / 1000;
  const billsPerSecond = seconds > 0 ? issuedNow / seconds : 0;
  const summary: ImportSummary = {
    valid,
    invalid,
    issuedNow,
    alreadyOnChain,
    conflicts,
    seconds,
    billsPerSecond,
    ...(deliveries ? { delivered: deliveries.delivered } : {}),
  };
  print(
    `imported ${file} into registry ${registry.client.address} (chain ${registry.client.chainId}, network ${hre.network.name})`,
    `issued now:        ${issuedNow}`,
    `already on chain:  ${alreadyOnChain}${conflicts > 0 ? ` (${conflicts} with other content than the file: see above)` : ""}`,
    `invalid:           ${invalid}${invalid > 0 ? " (skipped)" : ""}`,
    `rate:              ${billsPerSecond.toFixed(0)} bills/s (${issuedNow} bills in ${seconds.toFixed(1)} s)`,
    ...(deliveries
      ? [
          `delivered now:     ${deliveries.delivered} (before: ${deliveries.before}); pickup links in ${deliveries.file} (private: they hold the keys)`,
        ]
      : []),
  );
  return { result: summary, exitCode: conflicts > 0 ? 1 : 0 };
}

withMemberParams(
  task(
    "bill:import",
    "Imports bills from a JSONL or CSV file: validates every row first, then issues them in atomic batches, skipping bills already on chain (safe to rerun after a crash)",
  )
    .addOptionalParam(
      "file",
      'bills.jsonl (one MedicalBill JSON a line; "salt" optional, derived from MEDBILL_SALT_SECRET when absent; ' +
        'optional "patientSalt" or "patientRef") or bills.csv (columns: ' +
        CSV_REQUIRED_COLUMNS.join(",") +
        "[,salt][,patientSalt][,patientRef]; items as a JSON array; amounts in fen)",
    )
    .addOptionalParam("batchSize", "Bills per transaction, 1 to 300 (default 300)")
    .addFlag("skipInvalid", "Import the valid rows even when some rows are invalid (they are listed and skipped)")
    .addFlag("dryRun", "Only validate the file (no node needed): report invalid rows and counts, send nothing")
    .addFlag("quiet", "No progress bar")
    .addFlag(
      "deliver",
      "Also deliver every bill, encrypted, through the delivery service (MEDBILL_SERVICE_URL, token MEDBILL_API_TOKEN)",
    )
    .addOptionalParam("service", "With --deliver: the delivery service's URL (default MEDBILL_SERVICE_URL)")
    .addOptionalParam(
      "deliveries",
      "With --deliver: the JSONL file of pickup links written (default <file>.deliveries.jsonl); a rerun skips those in it",
    ),
  "The hospital importing; every row's hospital must be this member (default: each row's hospital names its issuer)",
).setAction(cliAction("bill:import", runImport));
