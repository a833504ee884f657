/**
 * Smoke test of the benchmark (`scripts/bench.ts`): runs it as a child process with a tiny replay (600 bills, then 20
 * reimbursements), the way `npm run bench` does, into a temporary directory, and checks that the JSON has every
 * row with sane, internally consistent figures, and that the Markdown and the SVG chart were written.
 *
 * No timing is asserted: rates depend on the machine. The benchmark starts its own `hardhat node` on a free port and
 * stops it before it exits. About 40-60 s on 2 cores.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { BenchResults } from "../../scripts/bench/report";

const ROOT = path.resolve(__dirname, "..", "..");

/** Every row the benchmark must produce. */
const BATCHES = ["1", "10", "50", "100", "200", "max"];
const EXPECTED_ROWS = [
  "medbill.deploy",
  "medbill.issue",
  ...BATCHES.map((n) => `medbill.issueBatch.${n}`),
  "medbill.reimburse.first",
  "medbill.reimburse.second",
  "medbill.reimburse.full",
  ...["1", "10", "100", "300"].map((n) => `medbill.reimburseBatch.${n}`),
  "medbill.voidBill",
  "medbill.voidBill.replacement",
  "eas.deploy",
  "eas.attest",
  ...BATCHES.map((n) => `eas.multiAttest.${n}`),
  "erc721.deploy",
  "erc721.mint",
  ...BATCHES.map((n) => `erc721.mintBatch.${n}`),
  "erc721a.deploy",
  ...BATCHES.map((n) => `erc721a.mint.${n}`),
];

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const tsNode = require.resolve("ts-node/dist/bin.js", { paths: [ROOT] });
    const child = spawn(process.execPath, [tsNode, "--transpile-only", "scripts/bench.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, HARDHAT_NETWORK: "hardhat" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("benchmark (scripts/bench.ts) smoke run", function () {
  this.timeout(240_000);
  let out: string;
  let results: BenchResults;
  let stdout: string;

  before(async function () {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-bench-"));
    const ran = await run([
      "--bills",
      "600",
      "--sample",
      "20",
      "--quick",
      "--no-progress",
      "--no-service",
      "--out",
      out,
    ]);
    stdout = ran.stdout;
    expect(ran.code, `bench exited with ${ran.code}:\n${ran.stderr.slice(-3000)}`).to.equal(0);
    results = JSON.parse(fs.readFileSync(path.join(out, "latest.json"), "utf8")) as BenchResults;
  });

  after(function () {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it("writes every gas row, each with a positive gas figure or an explicit 'does not fit'", function () {
    const ids = results.gas.rows.map((row) => row.id);
    expect(ids).to.have.members(EXPECTED_ROWS);
    for (const row of results.gas.rows) {
      if (row.txGas === null) {
        expect(row.note, row.id).to.match(/does not fit/);
        continue;
      }
      expect(row.txGas, row.id).to.be.greaterThan(21_000);
      expect(row.txGas, row.id).to.be.at.most(results.gas.txGasCap);
      expect(row.perItem, row.id).to.equal(Math.round(row.txGas / row.items));
    }
  });

  it("gives every MedBill row a floor that is below its gas, with the slots the layout implies", function () {
    for (const row of results.gas.rows.filter((r) => r.system === "MedBill")) {
      expect(row.floor, row.id).to.not.equal(undefined);
      expect(row.floor!.total, row.id).to.be.at.most(row.txGas!);
      expect(row.floorRatio, row.id).to.be.closeTo(row.txGas! / row.floor!.total, 1e-9);
    }
    const byId = new Map(results.gas.rows.map((row) => [row.id, row]));
    // Two new slots per bill, whatever the batch; a reimbursement updates the bill and creates the payer's record.
    expect(byId.get("medbill.issue")!.floor!.newSlots).to.equal(2);
    expect(byId.get("medbill.issueBatch.100")!.floor!.newSlots).to.equal(200);
    expect(byId.get("medbill.reimburse.first")!.floor).to.include({ newSlots: 1, updatedSlots: 1 });
    expect(byId.get("medbill.voidBill")!.floor).to.include({ newSlots: 0, updatedSlots: 1 });
    // reimburseBatch: one updated bill slot and one new payer record per item.
    expect(byId.get("medbill.reimburseBatch.100")!.floor).to.include({ newSlots: 100, updatedSlots: 100 });
  });

  it("compares each baseline row with the MedBill row doing the same job", function () {
    const byId = new Map(results.gas.rows.map((row) => [row.id, row]));
    for (const row of results.gas.rows.filter((r) => r.system !== "MedBill" && r.txGas !== null)) {
      const medbill = byId.get(row.comparedTo!);
      expect(medbill?.system, row.id).to.equal("MedBill");
      expect(row.ratioToMedBill, row.id).to.be.closeTo(row.perItem! / medbill!.perItem!, 1e-9);
    }
    expect(byId.get("eas.attest")!.comparedTo).to.equal("medbill.issue");
    expect(byId.get("eas.multiAttest.max")!.comparedTo).to.equal("medbill.issueBatch.max");
    // The largest batches really are the largest that fit: one more item would pass the cap.
    for (const id of ["eas.multiAttest.max", "erc721.mintBatch.max", "erc721a.mint.max"]) {
      const row = byId.get(id)!;
      expect(row.largest, id).to.equal(true);
      expect(row.txGas! + row.perItem!, id).to.be.greaterThan(results.gas.txGasCap * 0.99);
    }
  });

  it("reports the replay: every bill issued, 10 bills reimbursed by each of two payers, memory sampled, profiles", function () {
    const t = results.throughput!;
    expect(t.bills).to.equal(600);
    expect(t.sampleBills).to.equal(10);
    expect(t.reimbursements).to.equal(20);
    expect(t.billsPerSecond).to.be.greaterThan(0);
    expect(t.reimbursementsPerSecond).to.be.greaterThan(0);
    expect(t.profile.transactions).to.equal(2); // 600 bills in batches of 300
    // Each payer's 10 claims in one reimburseBatch, sent without a read of each bill (its ledger is empty).
    expect(t.reimburseProfile.rpcCalls)
      .to.deep.include({ eth_sendRawTransaction: 2 })
      .and.not.have.property("eth_call");
    expect(t.memory.length).to.be.greaterThan(1);
    expect(t.peakRssMB).to.be.greaterThan(0);
    expect(t.zhejiangLine).to.match(/^600,000 bills: [\d.]+ minutes here vs 14 days in reality$/);
  });

  it("checks every aim and writes the Markdown report and the SVG chart", function () {
    expect(results.aims.map((aim) => aim.target)).to.include.members([
      "≤ 55,000 gas",
      "≤ 35,000 gas",
      "≥ 4×",
      "≥ 3.5×",
      "≥ 1,500 reimbursements/s (--full, 2 cores)",
    ]);
    const md = fs.readFileSync(path.join(out, "latest.md"), "utf8");
    expect(md).to.contain("| System | Operation |").and.to.contain("600,000 bills:");
    expect(stdout).to.contain("## Gas per operation");
    const svg = fs.readFileSync(path.join(out, results.chart), "utf8");
    expect(svg.startsWith("<svg")).to.equal(true);
    for (const label of ["MedBill issueBatch", "EAS multiAttest", "ERC721A batch mint"]) expect(svg).to.contain(label);
  });
});
