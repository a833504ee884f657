import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MedBillClient, encodeBillUri, ledgerFromCsv, ledgerTotals } from "../../src";
import type { ReconcileSummary } from "../../tasks/reconcile";
import type { SettleSummary } from "../../tasks/settle";
import { CliError } from "../../tasks/lib/errors";
import { bills, deployedRegistryFixture, removeTempDirs, runTask, tempDir } from "./helpers";

/** Accounts of consortium/local.json: hz-hospital (1), social-security (4). */
const HOSPITAL = 1;
const SOCIAL_SECURITY = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

/** The consortium's registry with `count` bills of hz-hospital issued; their ids and amounts (fen). */
async function issuedFixture(count = 40) {
  const { registry } = await deployedRegistryFixture();
  const signers = await hre.ethers.getSigners();
  const hospital = await MedBillClient.connect(registry, signers[HOSPITAL]);
  const docs = bills(count, "settle-task");
  const r = await hospital.issueMany(docs.map((document) => ({ document, patientSalt: "0x" + "55".repeat(32) })));
  return {
    registry,
    ids: r.billIds,
    amounts: r.inputs.map((i) => i.amount),
    uris: r.billIds.map((id, k) =>
      encodeBillUri({ chainId: 31337n, registry, billId: id, contentHash: r.inputs[k].contentHash }),
    ),
  };
}
const fixture40 = () => issuedFixture(40);

const yuan = (fen: bigint): string => `${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;

function writeClaims(dir: string, lines: readonly string[], name = "claims.csv"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

async function paidBy(registry: string, claimer: string): Promise<number> {
  const client = await MedBillClient.connect(registry, hre.ethers.provider);
  let n = 0;
  for await (const _ of client.bills({ claimer })) n++;
  return n;
}

describe("tasks: bill:settle and payer:reconcile", function () {
  after(removeTempDirs);

  it("settles a CSV in atomic batches and prints the summary; a rerun pays nothing twice", async function () {
    const { registry, ids, amounts } = await loadFixture(fixture40);
    const file = writeClaims(tempDir(), [
      "billId,amount,claimRef",
      ...ids.map((id, i) => `${id},${yuan(amounts[i] / 2n)},SS-${i}`),
    ]);
    const args = { file, as: "social-security", registry, batchSize: "7", quiet: true };
    const run = await runTask<SettleSummary>("bill:settle", args);
    expect(run.error).to.equal(undefined);
    expect(run.result).to.include({ claims: 40, paidNow: 40, alreadyPaid: 0, refused: 0 });
    expect(run.result!.amountPaidNow).to.equal(amounts.reduce((s, a) => s + a / 2n, 0n));
    expect(run.stdout).to.match(/^paid now: +40 \([\d.]+ yuan\)$/m);
    expect(run.stdout).to.match(/^already paid: +0$/m);
    expect(run.stdout).to.match(/^refused: +0$/m);
    expect(await paidBy(registry, SOCIAL_SECURITY)).to.equal(40);
    const again = await runTask<SettleSummary>("bill:settle", args);
    expect(again.result).to.include({ paidNow: 0, alreadyPaid: 40, refused: 0 });
    expect(await paidBy(registry, SOCIAL_SECURITY)).to.equal(40);
  });

  it("reads bills by URI, and JSONL files", async function () {
    const { registry, uris, ids } = await loadFixture(fixture40);
    const dir = tempDir();
    const csv = writeClaims(dir, ["uri,amount,claimRef", `"${uris[0]}",1.00,A-0`, `${uris[1]},2,A-1`]);
    const run = await runTask<SettleSummary>("bill:settle", { file: csv, as: "insurer", registry, quiet: true });
    expect(run.error).to.equal(undefined);
    expect(run.result).to.include({ paidNow: 2 });
    const jsonl = writeClaims(
      dir,
      [
        JSON.stringify({ billId: ids[2], amount: "0.01", claimRef: "J-2" }),
        JSON.stringify({ uri: uris[3], amount: 5, claimRef: "J-3" }),
      ],
      "claims.jsonl",
    );
    const j = await runTask<SettleSummary>("bill:settle", { file: jsonl, as: "insurer", registry, quiet: true });
    expect(j.error).to.equal(undefined);
    expect(j.result).to.include({ paidNow: 2 });
  });

  it("validates the whole file first, listing file:line: field: problem, and sends nothing", async function () {
    const { registry, ids, uris } = await loadFixture(fixture40);
    const file = writeClaims(tempDir(), [
      "billId,uri,amount,claimRef",
      `${ids[0]},,1.00,OK-0`,
      `0x12,,1.00,BAD-ID`,
      `${ids[1]},,1.234,BAD-AMOUNT`,
      `${ids[2]},,0,ZERO`,
      `${ids[3]},,1.00,`,
      `${ids[4]},${uris[4]},1.00,BOTH`,
      `,,1.00,NEITHER`,
      `${ids[0]},,2.00,REPEAT`,
      `${ids[5]},,-3,NEGATIVE`,
    ]);
    const run = await runTask("bill:settle", { file, as: "social-security", registry, quiet: true });
    expect(run.error).to.be.instanceOf(CliError);
    expect(run.error!.message).to.match(/^8 problems in .*claims\.csv \(listed above\): nothing sent$/);
    const lines = run.stderr.trim().split("\n");
    expect(lines).to.deep.equal([
      'claims.csv:3: billId: "0x12" is not a bill id (0x and 64 hex digits)',
      "claims.csv:4: amount: 1.234 has more than two decimals: amounts are in yuan with at most 2 decimals (fen)",
      "claims.csv:5: amount: must be more than zero, got 0",
      "claims.csv:6: claimRef: missing: the payer's claim number",
      "claims.csv:7: uri: give billId or uri, not both",
      "claims.csv:8: billId: missing: give billId or uri",
      `claims.csv:9: billId: bill ${ids[0]} repeats line 2 (a payer reimburses a bill once)`,
      "claims.csv:10: amount: must be more than zero, got -3",
    ]);
    expect(await paidBy(registry, SOCIAL_SECURITY)).to.equal(0);
  });

  it("refuses a CSV without the bill column or the amount column, and a file naming another registry", async function () {
    const { registry, ids } = await loadFixture(fixture40);
    const dir = tempDir();
    const noBill = writeClaims(dir, ["amount,claimRef", "1.00,X"], "a.csv");
    const r1 = await runTask("bill:settle", { file: noBill, as: "social-security", registry, quiet: true });
    expect(r1.error?.message).to.equal("a.csv: missing column billId or uri in the CSV header (line 1)");
    const noAmount = writeClaims(dir, ["billId,claimRef", `${ids[0]},X`], "b.csv");
    const r2 = await runTask("bill:settle", { file: noAmount, as: "social-security", registry, quiet: true });
    expect(r2.error?.message).to.match(/missing column amount/);
    const other = encodeBillUri({
      chainId: 31337n,
      registry: "0x" + "12".repeat(20),
      billId: ids[0],
      contentHash: "0x" + "ab".repeat(32),
    });
    const foreign = writeClaims(dir, ["uri,amount,claimRef", `${other},1.00,X`], "c.csv");
    const r3 = await runTask("bill:settle", { file: foreign, as: "social-security", registry, quiet: true });
    expect(r3.error?.message).to.equal("1 claims name another registry (listed above): nothing sent");
    expect(r3.stderr).to.match(/^c\.csv:2: uri: names registry 0x1212/m);
    const r4 = await runTask("bill:settle", { file: noBill, registry, quiet: true });
    expect(r4.error?.message).to.match(/^--as is required/);
    expect(await paidBy(registry, SOCIAL_SECURITY)).to.equal(0);
  });

  it("refuses claims the registry would refuse, by line and reason, and pays the others", async function () {
    const { registry, ids, amounts } = await loadFixture(fixture40);
    const signers = await hre.ethers.getSigners();
    const hospital = await MedBillClient.connect(registry, signers[HOSPITAL]);
    await hospital.voidBill(ids[1], "typo");
    const file = writeClaims(tempDir(), [
      "billId,amount,claimRef",
      `${ids[0]},1.00,P-0`,
      `${ids[1]},1.00,P-1`,
      `${"0x" + "77".repeat(32)},1.00,P-X`,
      `${ids[2]},${yuan(amounts[2] + 1n)},P-2`,
      `${ids[3]},1.00,P-3`,
    ]);
    const run = await runTask<SettleSummary>("bill:settle", { file, as: "social-security", registry, quiet: true });
    expect(run.result).to.include({ paidNow: 2, alreadyPaid: 0, refused: 3 });
    expect(run.stderr).to.match(/^claims\.csv:3: refused: BillNotReimbursable: /m);
    expect(run.stderr).to.match(/^claims\.csv:4: refused: BillNotFound: /m);
    expect(run.stderr).to.match(
      /^claims\.csv:5: refused: ReimbursementExceedsBalance: reimbursement of [\d.]+ yuan exceeds/m,
    );
    expect(run.stdout).to.match(/^refused: +3 \(listed above with the reason\)$/m);
    // A second claim on a paid bill under another reference is refused too.
    const second = writeClaims(tempDir(), ["billId,amount,claimRef", `${ids[0]},1.00,OTHER-REF`]);
    const again = await runTask<SettleSummary>("bill:settle", {
      file: second,
      as: "social-security",
      registry,
      quiet: true,
    });
    expect(again.result).to.include({ paidNow: 0, alreadyPaid: 0, refused: 1 });
    expect(again.stderr).to.match(/refused: AlreadyReimbursedBy: .* already reimbursed bill/);
  });

  it("payer:reconcile prints the ledger and totals, checked against reimbursedBy, and writes CSV", async function () {
    const { registry, ids, amounts } = await loadFixture(fixture40);
    const dir = tempDir();
    const file = writeClaims(dir, [
      "billId,amount,claimRef",
      ...ids.slice(0, 25).map((id, i) => `${id},${yuan(amounts[i] / 3n)},R-${i}`),
    ]);
    await runTask("bill:settle", { file, as: "social-security", registry, quiet: true });
    const out = path.join(dir, "ledger.csv");
    const run = await runTask<ReconcileSummary>("payer:reconcile", { as: "social-security", registry, out });
    expect(run.error).to.equal(undefined);
    const total = amounts.slice(0, 25).reduce((s, a) => s + a / 3n, 0n);
    expect(run.result).to.deep.equal({ count: 25, bills: 25, amount: total, reimbursedBySum: total, out });
    expect(run.stdout).to.match(/^reimbursements +25$/m);
    expect(run.stdout).to.match(/^reimbursedBy +[\d.]+ yuan summed over those bills: matches$/m);
    const rows = ledgerFromCsv(fs.readFileSync(out, "utf8"));
    expect(ledgerTotals(rows)).to.deep.equal({ count: 25, bills: 25, amount: total });
    expect(rows.map((r) => r.billId)).to.deep.equal(ids.slice(0, 25).map((id) => id.toLowerCase()));

    const table = await runTask<ReconcileSummary>("payer:reconcile", { as: "social-security", registry });
    expect(table.stdout).to.match(/^\.\.\. and 5 more \(write them all with --out ledger\.csv\)$/m);
    const future = await runTask<ReconcileSummary>("payer:reconcile", {
      as: "social-security",
      registry,
      from: "2999-01-01",
    });
    expect(future.result).to.include({ count: 0, reimbursedBySum: null });
    const jsonl = path.join(dir, "ledger.jsonl");
    await runTask("payer:reconcile", { as: "insurer", registry, out: jsonl });
    expect(fs.readFileSync(jsonl, "utf8")).to.equal("");
  });

  it("payer:reconcile refuses bad options by name", async function () {
    const { registry } = await loadFixture(fixture40);
    const bad = async (args: Record<string, unknown>) =>
      (await runTask("payer:reconcile", { registry, as: "social-security", ...args })).error?.message;
    expect(await bad({ from: "yesterday" })).to.match(/^--from "yesterday" is not a date/);
    expect(await bad({ from: "2026-12-01", to: "2026-11-01" })).to.match(
      /^--from 2026-12-01 is after --to 2026-11-01$/,
    );
    expect(await bad({ out: "/no/such/dir/x.csv" })).to.match(/^--out: directory not found/);
    expect(await bad({ out: "ledger.txt" })).to.match(/^--out must name a \.csv or \.jsonl file/);
    expect(await bad({ as: "nobody" })).to.match(/nobody/);
  });
});
