import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEV_SALT_SECRET,
  MedBillClient,
  billIdOf,
  billNumberOf,
  deriveBillSalt,
  patientRef,
  type MedicalBill,
} from "../../src";
import { billJson, csvLine, CSV_COLUMNS, makeBills, writeBills } from "../../scripts/make-bills";
import type { ImportSummary } from "../../tasks/import";
import { CSV_REQUIRED_COLUMNS } from "../../tasks/lib/bill-rows";
import { CliError } from "../../tasks/lib/errors";
import { bills, deployedRegistryFixture, removeTempDirs, runTask, tempDir, writeJsonl } from "./helpers";

const ISSUERS: Record<string, string> = {
  "hz-hospital": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "tz-hospital": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "jh-hospital": "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
};

/** Number of BillIssued events of an issuer, and whether their ids are distinct. */
async function issuedBy(registry: string, issuer: string): Promise<{ count: number; distinct: boolean }> {
  const client = await MedBillClient.connect(registry, hre.ethers.provider);
  const ids: string[] = [];
  for await (const event of client.bills({ issuer })) ids.push(event.billId);
  return { count: ids.length, distinct: new Set(ids).size === ids.length };
}

describe("tasks: bill:import", function () {
  after(removeTempDirs);

  it("imports a JSONL file in atomic batches and prints the summary; a rerun issues nothing twice", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const file = writeJsonl(tempDir(), bills(650, "import-jsonl"));
    const start = await hre.ethers.provider.getBlockNumber();
    const run = await runTask<ImportSummary>("bill:import", {
      file,
      as: "hz",
      batchSize: "100",
      registry,
      quiet: true,
    });
    expect(run.error).to.equal(undefined);
    expect(run.result).to.include({ valid: 650, invalid: 0, issuedNow: 650, alreadyOnChain: 0, conflicts: 0 });
    expect(run.stdout).to.match(/^issued now: +650$/m);
    expect(run.stdout).to.match(/^already on chain: +0$/m);
    expect(run.stdout).to.match(/^invalid: +0$/m);
    expect(run.stdout).to.match(/^rate: +\d+ bills\/s \(650 bills in [\d.]+ s\)$/m);
    expect(await issuedBy(registry, ISSUERS["hz-hospital"])).to.deep.equal({ count: 650, distinct: true });
    // Batches of at most 100: 650 bills take at least 7 transactions (one a block, automining).
    const blocks = await hre.ethers.provider.getBlockNumber();
    expect(blocks - start).to.be.at.least(7);
    const again = await runTask<ImportSummary>("bill:import", { file, as: "hz", registry, quiet: true });
    expect(again.result).to.include({ issuedNow: 0, alreadyOnChain: 650, invalid: 0 });
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(blocks);
    expect(await issuedBy(registry, ISSUERS["hz-hospital"])).to.deep.equal({ count: 650, distinct: true });
  });

  it("finishes an interrupted import: bills already on chain are skipped, the rest issued exactly once", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const all = bills(500, "import-resume");
    await runTask("bill:import", { file: writeJsonl(dir, all.slice(0, 180), "part.jsonl"), registry, quiet: true });
    const run = await runTask<ImportSummary>("bill:import", { file: writeJsonl(dir, all), registry, quiet: true });
    expect(run.result).to.include({ issuedNow: 320, alreadyOnChain: 180 });
    expect(await issuedBy(registry, ISSUERS["hz-hospital"])).to.deep.equal({ count: 500, distinct: true });
  });

  it("imports a CSV file of three hospitals, each row issued by the hospital it names", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const file = path.join(tempDir(), "bills.csv");
    await writeBills(file, makeBills({ count: 90, seed: "import-csv" }));
    const run = await runTask<ImportSummary>("bill:import", { file, registry, quiet: true });
    expect(run.error).to.equal(undefined);
    expect(run.result).to.include({ valid: 90, issuedNow: 90 });
    for (const issuer of Object.values(ISSUERS)) expect((await issuedBy(registry, issuer)).count).to.equal(30);
  });

  it("derives the salt of a row without one: a rerun is the same bills; patientSalt and patientRef make patientRef", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const [plain, withSalt, withRef] = bills(3, "import-derived");
    const patientSalt = "0x" + "7c".repeat(32);
    const card = "0x" + "c4".repeat(32);
    const unsalted = (bill: MedicalBill, extra: Record<string, unknown> = {}): string => {
      const { salt, ...fields } = billJson(bill);
      expect(salt).to.be.a("string");
      return JSON.stringify({ ...fields, ...extra });
    };
    const file = path.join(tempDir(), "rows.jsonl");
    fs.writeFileSync(
      file,
      [unsalted(plain), unsalted(withSalt, { patientSalt }), unsalted(withRef, { patientRef: card })].join("\n") + "\n",
    );
    const run = await runTask<ImportSummary>("bill:import", { file, registry, quiet: true });
    expect(run.error).to.equal(undefined);
    expect(run.result).to.include({ issuedNow: 3, conflicts: 0 });

    const hz = ISSUERS["hz-hospital"];
    const client = await MedBillClient.connect(registry, hre.ethers.provider);
    const complete = (bill: MedicalBill): MedicalBill => ({ ...bill, salt: deriveBillSalt(DEV_SALT_SECRET, hz, bill) });
    const events = new Map<string, { patientRef: string; contentHash: string }>();
    for await (const event of client.bills({ issuer: hz })) events.set(event.billId, event);
    const onChain = (bill: MedicalBill) => events.get(billIdOf(hz, billNumberOf(bill)));
    expect(onChain(plain)).to.deep.include({
      contentHash: client.hashBill(complete(plain)),
      patientRef: patientRef(plain.patientId, complete(plain).salt),
    });
    expect(onChain(withSalt)).to.deep.include({
      contentHash: client.hashBill(complete(withSalt)),
      patientRef: patientRef(withSalt.patientId, patientSalt),
    });
    expect(onChain(withRef)).to.deep.include({ contentHash: client.hashBill(complete(withRef)), patientRef: card });

    // Sent again: the same documents, nothing issued, no conflict.
    const again = await runTask<ImportSummary>("bill:import", { file, registry, quiet: true });
    expect(again.result).to.include({ issuedNow: 0, alreadyOnChain: 3, conflicts: 0 });
    // Under another secret the same rows are other documents: reported as conflicts, exit code 1.
    process.env.MEDBILL_SALT_SECRET = "another hospital secret";
    try {
      const other = await runTask<ImportSummary>("bill:import", { file, registry, quiet: true });
      expect(other.result).to.include({ issuedNow: 0, alreadyOnChain: 3, conflicts: 3 });
      expect(other.stderr).to.match(/^rows\.jsonl:1: bill .* is on chain .* with other content than this row$/m);
      process.env.MEDBILL_SALT_SECRET = "short";
      const short = await runTask<ImportSummary>("bill:import", { file, registry, quiet: true });
      expect(short.error).to.be.instanceOf(CliError);
      expect(short.error!.message).to.equal("MEDBILL_SALT_SECRET must be at least 16 characters");
    } finally {
      delete process.env.MEDBILL_SALT_SECRET;
    }
  });

  it("accepts CSV salt, patientSalt and patientRef columns (an empty cell is an absent field) and quoted fields", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const [a, b] = bills(2, "import-salt");
    const file = path.join(tempDir(), "salted.csv");
    const patientSalt = "0x" + "cd".repeat(32);
    const line = (bill: MedicalBill, cells: string): string =>
      csvLine({ ...bill, department: "Ward 3, East" }).replace(/,[^,]*$/, "") + "," + cells;
    fs.writeFileSync(
      file,
      `${CSV_REQUIRED_COLUMNS.join(",")},salt,patientSalt,patientRef\n` +
        `${line(a, `,${patientSalt},`)}\n${line(b, `${b.salt},,`)}\n`,
    );
    const run = await runTask<ImportSummary>("bill:import", { file, registry, quiet: true });
    expect(run.error).to.equal(undefined);
    expect(run.result).to.include({ issuedNow: 2 });
    const hz = ISSUERS["hz-hospital"];
    const client = await MedBillClient.connect(registry, hre.ethers.provider);
    const ward = (bill: MedicalBill, salt: string): MedicalBill => ({ ...bill, department: "Ward 3, East", salt });
    const first = await client.getBill(billIdOf(hz, billNumberOf(a)));
    expect(first!.contentHash).to.equal(client.hashBill(ward(a, deriveBillSalt(DEV_SALT_SECRET, hz, a))));
    const second = await client.getBill(billIdOf(hz, billNumberOf(b)));
    expect(second!.contentHash).to.equal(client.hashBill(ward(b, b.salt)));

    const both = path.join(tempDir(), "both.csv");
    fs.writeFileSync(
      both,
      `${CSV_REQUIRED_COLUMNS.join(",")},salt,patientSalt,patientRef\n${line(a, `,${patientSalt},0x${"ab".repeat(32)}`)}\n`,
    );
    const refused = await runTask<ImportSummary>("bill:import", { file: both, registry, quiet: true, dryRun: true });
    expect(refused.error).to.be.instanceOf(CliError);
    expect(refused.stderr).to.match(/^both\.csv:2: patientRef: give patientSalt or patientRef, not both/m);
  });

  it("validates every row first: lists each invalid row with its line and field, and sends nothing", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const list = bills(8, "import-invalid").map((b) => JSON.stringify(billJson(b)));
    list[1] = JSON.stringify({ ...JSON.parse(list[1]), total: "-5" });
    list[3] = "{ not json";
    list[4] = JSON.stringify({ ...JSON.parse(list[4]), hospital: "台州市中心医院" });
    list[6] = JSON.stringify({ ...JSON.parse(list[6]), items: [] });
    list.push(list[7]); // a repeated bill
    const file = path.join(dir, "bills.jsonl");
    fs.writeFileSync(file, list.join("\n") + "\n");
    const block = await hre.ethers.provider.getBlockNumber();
    const run = await runTask<ImportSummary>("bill:import", { file, as: "hz-hospital", registry, quiet: true });
    expect(run.error).to.be.instanceOf(CliError);
    expect(run.error!.message).to.match(
      /^5 invalid rows in .*bills\.jsonl \(listed above\): nothing sent; .*--skip-invalid to import the 4 valid rows$/,
    );
    expect(run.stderr).to.match(/^bills\.jsonl:2: total: total must not be negative/m);
    expect(run.stderr).to.match(/^bills\.jsonl:4: \(row\): not valid JSON/m);
    expect(run.stderr).to.match(
      /^bills\.jsonl:5: hospital: "台州市中心医院" is not Hangzhou First People's Hospital \(hz-hospital\)/m,
    );
    expect(run.stderr).to.match(/^bills\.jsonl:7: items: a bill needs at least one item/m);
    expect(run.stderr).to.match(/^bills\.jsonl:9: billNumber: bill \d+-\d+ repeats line 8$/m);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);

    const dry = await runTask<ImportSummary>("bill:import", {
      file,
      as: "hz-hospital",
      skipInvalid: true,
      dryRun: true,
      registry,
    });
    expect(dry.stdout).to.match(/4 valid rows, 5 invalid; dry run: nothing sent/);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);

    const skip = await runTask<ImportSummary>("bill:import", {
      file,
      as: "hz-hospital",
      skipInvalid: true,
      registry,
      quiet: true,
    });
    expect(skip.result).to.include({ valid: 4, invalid: 5, issuedNow: 4 });
    expect(skip.stdout).to.match(/^invalid: +5 \(skipped\)$/m);
    expect(await issuedBy(registry, ISSUERS["hz-hospital"])).to.deep.equal({ count: 4, distinct: true });
  });

  it("reports a bill on chain whose content differs from the file's row", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const list = bills(3, "import-conflict");
    await runTask("bill:import", { file: writeJsonl(dir, list, "a.jsonl"), registry, quiet: true });
    const changed = [list[0], { ...list[1], patientName: "改过" }, list[2]];
    const run = await runTask<ImportSummary>("bill:import", {
      file: writeJsonl(dir, changed, "b.jsonl"),
      registry,
      quiet: true,
    });
    expect(run.result).to.include({ issuedNow: 0, alreadyOnChain: 3, conflicts: 1 });
    expect(run.stderr).to.match(
      /^b\.jsonl:2: bill \d+-\d+ is on chain \(id 0x[0-9a-f]{64}\) with other content than this row$/m,
    );
    expect(run.stdout).to.match(/^already on chain: +3 \(1 with other content than the file: see above\)$/m);
  });

  it("refuses bad files and options before connecting or sending", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const good = writeJsonl(dir, bills(2, "import-options"));
    const noColumns = path.join(dir, "short.csv");
    fs.writeFileSync(noColumns, "hospital,billCode,billNumber\nx,y,z\n");
    const extraColumn = path.join(dir, "extra.csv");
    fs.writeFileSync(extraColumn, [...CSV_COLUMNS, "notes"].join(",") + "\n");
    const text = path.join(dir, "bills.txt");
    fs.writeFileSync(text, "");
    const block = await hre.ethers.provider.getBlockNumber();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ file: path.join(dir, "missing.jsonl") }, /^file not found: .*missing\.jsonl$/],
      [{}, /^--file is required$/],
      [
        { file: noColumns },
        /^short\.csv: missing columns patientName, patientId, department, items, total, currency, issuedOn in the CSV header \(line 1\)$/,
      ],
      [{ file: extraColumn }, /^extra\.csv: unknown column notes in the CSV header/],
      [{ file: text }, /^cannot tell the format of .*bills\.txt: expected a \.jsonl or \.csv file$/],
      [{ file: good, batchSize: "0" }, /^--batch-size must be from 1 to 300, got 0$/],
      [{ file: good, batchSize: "301" }, /^--batch-size must be from 1 to 300, got 301$/],
      [{ file: good, batchSize: "ten" }, /^--batch-size must be a whole number from 1 to 300, got "ten"$/],
      [{ file: good, as: "nobody" }, /^unknown member "nobody"/],
      [{ file: good, registry: "0xabc" }, /^--registry "0xabc" is not an address/],
    ];
    for (const [args, message] of cases) {
      const run = await runTask("bill:import", { registry, quiet: true, ...args });
      expect(run.error, JSON.stringify(args)).to.be.instanceOf(CliError);
      expect(run.error!.message, JSON.stringify(args)).to.match(message);
    }
    await runTask("roles:revoke", { role: "issuer", member: "hz", registry });
    const block2 = await hre.ethers.provider.getBlockNumber();
    const noRole = await runTask("bill:import", { file: good, registry, quiet: true });
    expect(noRole.error!.message).to.match(
      /^Hangzhou First People's Hospital \(hz-hospital, 0x7099.*\) lacks the issuer role: nothing sent$/,
    );
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(block2);
    expect(block2).to.equal(block + 1);
  });
});
