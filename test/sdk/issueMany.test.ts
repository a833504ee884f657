import { expect } from "chai";
import { ethers } from "hardhat";
import {
  InvalidArgumentError,
  InvalidBillError,
  UnauthorizedError,
  billIdOf,
  billNumberOf,
  type IssueProgress,
  type MedicalBill,
} from "../../src";
import { keccak256, toUtf8Bytes } from "ethers";
import { BillRegistry__factory, MAX_AMOUNT } from "../../src";
import { encodeIssueBatch } from "../../src/client";
import { registryFixture, rejection, sampleBill } from "./fixture";

const SALT = "0x" + "33".repeat(32);
const bills = (from: number, count: number): MedicalBill[] =>
  Array.from({ length: count }, (_, i) => sampleBill(from + i));

async function issuedEvents(address: string): Promise<number> {
  const registry = await ethers.getContractAt("BillRegistry", address);
  return (await registry.queryFilter(registry.filters.BillIssued())).length;
}

describe("MedBillClient.issueMany", () => {
  it("issues in atomic batches, reports progress and returns each bill's id in input order", async () => {
    const f = await registryFixture();
    const docs = bills(1, 700);
    const progress: IssueProgress[] = [];
    const r = await f.hospital.issueMany(
      docs.map((document) => ({ document, patientSalt: SALT })),
      { batchSize: 300, inFlight: 3, onProgress: (p) => progress.push(p) },
    );
    expect(r.issued).to.equal(700);
    expect(r.skipped).to.equal(0);
    expect(r.transactions.map((t) => t.count).sort()).to.deep.equal([100, 300, 300]);
    expect(r.txHashes).to.have.length(3);
    expect(r.gasUsed).to.equal(r.transactions.reduce((s, t) => s + t.gasUsed, 0n));
    expect(r.blockNumber).to.equal(Math.max(...r.transactions.map((t) => t.blockNumber)));
    expect(r.billsPerSecond).to.be.greaterThan(0);
    const hospital = f.signers.hospital.address;
    expect(r.billIds).to.deep.equal(docs.map((d) => billIdOf(hospital, billNumberOf(d))));
    expect(r.issuedNow.every(Boolean)).to.equal(true);
    expect(r.patientSalts.every((s) => s === SALT)).to.equal(true);
    expect(r.inputs[5]).to.deep.equal(f.hospital.toBillInput(docs[5], SALT));
    for (const t of r.transactions) {
      expect(t.gasUsed).to.be.lessThan(16_777_216n);
      expect((await ethers.provider.getTransactionReceipt(t.txHash))!.status).to.equal(1);
    }
    expect(progress[0]).to.deep.include({ done: 0, total: 700, issued: 0, skipped: 0 });
    expect(progress.at(-1)).to.deep.include({ done: 700, total: 700, issued: 700 });
    for (let k = 1; k < progress.length; k++) expect(progress[k].done).to.be.at.least(progress[k - 1].done);
    const sample = await f.reader.getBill(r.billIds[699]);
    expect(sample).to.deep.include({ status: "Issued", amount: docs[699].total });
    expect(await issuedEvents(f.address)).to.equal(700);
  });

  it("a rerun after a crash skips what is on chain and issues nothing twice", async () => {
    const f = await registryFixture();
    const docs = bills(1, 1000).map((document) => ({ document, patientSalt: SALT }));
    // The crashed run got 400 bills out, in batches of its own size.
    await f.hospital.issueMany(docs.slice(0, 400), { batchSize: 200 });
    const rerun = await f.hospital.issueMany(docs);
    expect(rerun).to.deep.include({ issued: 600, skipped: 400 });
    expect(rerun.issuedNow.slice(0, 400).some(Boolean)).to.equal(false);
    expect(rerun.issuedNow.slice(400).every(Boolean)).to.equal(true);
    const again = await f.hospital.issueMany(docs);
    expect(again).to.deep.include({ issued: 0, skipped: 1000, blockNumber: null });
    expect(again.transactions).to.deep.equal([]);
    expect(await issuedEvents(f.address)).to.equal(1000);
  });

  it("a bill issued meanwhile makes its batch revert; the batch is rechecked and the rest resent", async () => {
    const f = await registryFixture();
    const docs = bills(1, 600).map((document) => ({ document, patientSalt: SALT }));
    // Bills in the middle of both batches are already on chain; reading only each batch's ends misses them.
    await f.hospital.issue(docs[150]);
    await f.hospital.issue(docs[450]);
    const r = await f.hospital.issueMany(docs);
    expect(r).to.deep.include({ issued: 598, skipped: 2 });
    expect(r.issuedNow[150]).to.equal(false);
    expect(r.issuedNow[450]).to.equal(false);
    expect(await issuedEvents(f.address)).to.equal(600);
    // With checkAll every bill is read first, and nothing reverts.
    const more = bills(1000, 10).map((document) => ({ document, patientSalt: SALT }));
    await f.hospital.issue(more[4]);
    const blockBefore = await ethers.provider.getBlockNumber();
    const exact = await f.hospital.issueMany(more, { checkAll: true });
    expect(exact).to.deep.include({ issued: 9, skipped: 1 });
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore + 1);
  });

  it("accepts documents (their own salts make patientRef) and ready inputs; skips a bill repeated in the input", async () => {
    const f = await registryFixture();
    const doc = sampleBill(1);
    const input = f.hospital.toBillInput(sampleBill(2), SALT);
    const r = await f.hospital.issueMany([doc, input, input]);
    expect(r).to.deep.include({ issued: 2, skipped: 1 });
    expect(r.patientSalts).to.deep.equal([undefined, undefined, undefined]);
    expect(r.inputs[0]).to.deep.equal(f.hospital.toBillInput(doc));
    expect(r.billIds[1]).to.equal(r.billIds[2]);
    expect(r.issuedNow).to.deep.equal([true, true, false]);
    expect(await f.hospital.issueMany([])).to.deep.include({ issued: 0, skipped: 0 });
  });

  it("validates every bill before sending anything, in one error", async () => {
    const f = await registryFixture();
    const nonce = await ethers.provider.getTransactionCount(f.signers.hospital.address);
    const bad = [
      sampleBill(1),
      { ...sampleBill(2), total: 1n },
      { ...sampleBill(3), patientId: 42 } as unknown as MedicalBill,
      { billNumber: "0x12", patientRef: SALT, contentHash: SALT, amount: 1.5 } as never,
      { document: sampleBill(5), patientSalt: "not a salt" },
      { document: { ...sampleBill(6), total: 36_650.5 } as unknown as MedicalBill },
      { document: sampleBill(7), salt: SALT } as never, // version 1's name of the patient's secret
      { ...sampleBill(8), salt: undefined } as unknown as MedicalBill,
    ];
    const e = await rejection(f.hospital.issueMany(bad));
    expect(e).to.be.instanceOf(InvalidBillError);
    const paths = (e as InvalidBillError).issues.map((i) => i.path);
    expect(paths, paths.join()).to.include.members([
      "1.total",
      "2.patientId",
      "3.billNumber",
      "3.amount",
      "4.patientSalt",
      "5.total",
      "6.salt",
      "7.salt",
    ]);
    expect(paths.some((p) => p.startsWith("0"))).to.equal(false);
    expect(await ethers.provider.getTransactionCount(f.signers.hospital.address)).to.equal(nonce);
    // The same bill number with other content is a conflict, not a repeat.
    const conflict = await rejection(f.hospital.issueMany([sampleBill(1), { ...sampleBill(1), department: "ENT" }]));
    expect((conflict as InvalidBillError).issues[0].path).to.equal("1.billNumber");
  });

  it("encodes a batch exactly as the ABI coder does", () => {
    const iface = BillRegistry__factory.createInterface();
    const inputs = Array.from({ length: 7 }, (_, i) => ({
      billNumber: keccak256(toUtf8Bytes(`n${i}`)),
      patientRef: keccak256(toUtf8Bytes(`p${i}`)),
      contentHash: keccak256(toUtf8Bytes(`c${i}`)),
      amount: i === 6 ? MAX_AMOUNT : BigInt(i + 1) * 12_345n,
    }));
    for (const n of [1, 2, 7]) {
      expect(encodeIssueBatch(inputs.slice(0, n))).to.equal(
        iface.encodeFunctionData("issueBatch", [inputs.slice(0, n)]),
      );
    }
  });

  it("checks its options, and a refusal throws the typed error before anything is sent", async () => {
    const f = await registryFixture();
    for (const options of [
      { batchSize: 0 },
      { batchSize: 301 },
      { batchSize: 1.5 },
      { inFlight: 0 },
      { checkConcurrency: 0 },
    ]) {
      expect(await rejection(f.hospital.issueMany([sampleBill()], options)), JSON.stringify(options)).to.be.instanceOf(
        InvalidArgumentError,
      );
    }
    expect(await rejection(f.hospital.issueMany("bills" as never))).to.be.instanceOf(InvalidArgumentError);
    const e = await rejection(f.outsider.issueMany(bills(1, 5)));
    expect(e).to.be.instanceOf(UnauthorizedError);
    expect(await ethers.provider.getTransactionCount(f.signers.outsider.address)).to.equal(0);
  });
});
