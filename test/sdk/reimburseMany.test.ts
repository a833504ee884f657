import { expect } from "chai";
import { ethers, network } from "hardhat";
import {
  AlreadyReimbursedError,
  BatchItemInvalidError,
  BillNotFoundError,
  BillNotReimbursableError,
  InvalidClaimsError,
  MedBillClient,
  PausedError,
  ReimbursementExceedsBalanceError,
  toBytes32,
  type Claim,
  type ReimburseProgress,
} from "../../src";
import { encodeReimburseBatch } from "../../src/pipeline/calldata";
import { BillRegistry__factory } from "../../src";
import { registryFixture, rejection, sampleBill } from "./fixture";

const SALT = "0x" + "44".repeat(32);

/** The fixture with `count` bills (36,650 fen each) issued by the hospital. */
async function withBills(count: number) {
  const f = await registryFixture();
  const r = await f.hospital.issueMany(
    Array.from({ length: count }, (_, i) => ({ document: sampleBill(i + 1), patientSalt: SALT })),
  );
  return { ...f, ids: r.billIds };
}

const claimsOf = (ids: readonly string[], amount = (i: number) => BigInt(1_000 + i)): Claim[] =>
  ids.map((billId, i) => ({ billId, amount: amount(i), claimRef: `SS-${i}` }));

async function reimbursedEvents(address: string): Promise<number> {
  const registry = await ethers.getContractAt("BillRegistry", address);
  return (await registry.queryFilter(registry.filters.BillReimbursed())).length;
}

describe("MedBillClient.reimburseMany", () => {
  it("pays every claim in atomic batches with progress, one BillReimbursed per claim", async () => {
    const f = await withBills(25);
    const progress: ReimburseProgress[] = [];
    const claims = claimsOf(f.ids);
    const r = await f.socialSecurity.reimburseMany(claims, {
      batchSize: 10,
      inFlight: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(r).to.deep.include({ paid: 25, alreadyPaid: 0, refused: 0 });
    expect(r.transactions.map((t) => t.count).sort()).to.deep.equal([10, 10, 5]);
    expect(r.gasUsed).to.equal(r.transactions.reduce((s, t) => s + t.gasUsed, 0n));
    expect(r.outcomes.every((o) => o.status === "paid")).to.equal(true);
    expect(r.claims[3]).to.deep.equal({ billId: f.ids[3], amount: 1_003n, claimRef: toBytes32("SS-3") });
    for (const [i, id] of f.ids.entries()) {
      expect(await f.reader.reimbursedBy(id, f.signers.socialSecurity.address)).to.equal(BigInt(1_000 + i));
    }
    expect(await reimbursedEvents(f.address)).to.equal(25);
    expect(progress[0]).to.deep.include({ done: 0, total: 25, paid: 0 });
    expect(progress.at(-1)).to.deep.include({ done: 25, total: 25, paid: 25 });
  });

  it("a rerun pays exactly the claims not yet paid, judged by this payer's record and claimRef", async () => {
    const f = await withBills(12);
    const claims = claimsOf(f.ids);
    // A crashed run: its first batch (claims 0-4) landed.
    await f.socialSecurity.reimburseBatch(claims.slice(0, 5));
    const r = await f.socialSecurity.reimburseMany(claims, { batchSize: 4 });
    expect(r).to.deep.include({ paid: 7, alreadyPaid: 5, refused: 0 });
    expect(r.outcomes.slice(0, 5).map((o) => o.status)).to.deep.equal(Array(5).fill("alreadyPaid"));
    const first = r.outcomes[0];
    expect(first.status === "alreadyPaid" && first.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await reimbursedEvents(f.address)).to.equal(12);
    // Judged by the ledger the client kept, brought up to date: nothing is even sent.
    const nonce = await f.signers.socialSecurity.getNonce();
    const again = await f.socialSecurity.reimburseMany(claims);
    expect(again).to.deep.include({ paid: 0, alreadyPaid: 12, refused: 0 });
    expect(await f.signers.socialSecurity.getNonce()).to.equal(nonce);
    expect(again.transactions).to.have.length(0);
    expect(await reimbursedEvents(f.address)).to.equal(12);
  });

  it("refuses per claim with the registry's typed error and pays the rest", async () => {
    const f = await withBills(8);
    await f.hospital.voidBill(f.ids[1], "typo");
    await f.insurer.reimburse(f.ids[2], 36_650n, "INS-2"); // settled in full
    await f.insurer.reimburse(f.ids[3], 36_000n, "INS-3"); // 650 fen left
    await f.socialSecurity.reimburse(f.ids[4], 100n, "SS-OTHER"); // this payer paid it with another reference
    const unknown = "0x" + "99".repeat(32);
    const claims: Claim[] = [
      { billId: f.ids[0], amount: 500n, claimRef: "SS-0" },
      { billId: f.ids[1], amount: 500n, claimRef: "SS-1" },
      { billId: f.ids[2], amount: 500n, claimRef: "SS-2" },
      { billId: f.ids[3], amount: 651n, claimRef: "SS-3" },
      { billId: f.ids[4], amount: 100n, claimRef: "SS-4" },
      { billId: unknown, amount: 500n, claimRef: "SS-X" },
      { billId: f.ids[5], amount: 650n, claimRef: "SS-5" },
    ];
    const r = await f.socialSecurity.reimburseMany(claims);
    expect(r).to.deep.include({ paid: 2, alreadyPaid: 0, refused: 5 });
    const errors = r.outcomes.map((o) => (o.status === "refused" ? o.error : null));
    expect(errors[0]).to.equal(null);
    expect(errors[1]).to.be.instanceOf(BillNotReimbursableError).with.property("status", "Voided");
    expect(errors[2]).to.be.instanceOf(BillNotReimbursableError).with.property("status", "Reimbursed");
    expect(errors[3]).to.be.instanceOf(ReimbursementExceedsBalanceError).with.property("remaining", 650n);
    expect(errors[4]).to.be.instanceOf(AlreadyReimbursedError);
    expect(errors[5]).to.be.instanceOf(BillNotFoundError).with.property("billId", unknown);
    expect(errors[6]).to.equal(null);
    expect(await f.reader.reimbursedBy(f.ids[5], f.signers.socialSecurity.address)).to.equal(650n);
  });

  // One scenario on both judgement paths: by the payer's ledger (claims it does not hold are sent unread; a batch
  // the registry reverts is judged again bill by bill, and so is the rest of the run), and by reads alone (a client
  // whose log pages are too small for the ledger to be worth reading).
  for (const path of ["ledger", "reads"] as const) {
    it(`judges a rerun and refusals exactly on the ${path} path`, async () => {
      const f = await withBills(10);
      await f.socialSecurity.reimburse(f.ids[0], 1_000n, "SS-0"); // a crashed run's payment
      await f.socialSecurity.reimburse(f.ids[3], 5n, "SS-OTHER"); // paid before under another reference
      await f.hospital.voidBill(f.ids[2], "typo");
      await f.hospital.voidBill(f.ids[6], "typo");
      if (path === "reads") await network.provider.send("hardhat_mine", ["0x80"]); // > 100 log pages of 1 block
      const payer =
        path === "ledger"
          ? f.socialSecurity
          : await MedBillClient.connect(f.address, f.signers.socialSecurity, { blockRange: 1 });
      const nonce = await f.signers.socialSecurity.getNonce();
      // Windows of 4 claims: the ledger sends claim 2 (voided) unread; its revert makes the rest be read first.
      const r = await payer.reimburseMany(claimsOf(f.ids), { batchSize: 1, inFlight: 1 });
      expect(r).to.deep.include({ paid: 6, alreadyPaid: 1, refused: 3 });
      expect(r.outcomes.map((o) => o.status)).to.deep.equal([
        "alreadyPaid",
        "paid",
        "refused",
        "refused",
        "paid",
        "paid",
        "refused",
        "paid",
        "paid",
        "paid",
      ]);
      const errors = r.outcomes.map((o) => (o.status === "refused" ? o.error : null));
      expect(errors[2]).to.be.instanceOf(BillNotReimbursableError).with.property("status", "Voided");
      expect(errors[3]).to.be.instanceOf(AlreadyReimbursedError);
      expect(errors[6]).to.be.instanceOf(BillNotReimbursableError).with.property("status", "Voided");
      // One reverted transaction on the ledger path (claim 2), none on the reads path; claim 6 was never sent.
      const sent = (await f.signers.socialSecurity.getNonce()) - nonce;
      expect(sent).to.equal(path === "ledger" ? 7 : 6);
      expect(await reimbursedEvents(f.address)).to.equal(8);
    });
  }

  it("forgets the ledger it kept once the last block read has left the chain (a reorganisation, a restarted node)", async () => {
    const f = await withBills(2);
    const snapshot: unknown = await network.provider.send("evm_snapshot");
    await f.socialSecurity.reimburseMany(claimsOf(f.ids));
    expect(await f.socialSecurity.reimburseMany(claimsOf(f.ids))).to.deep.include({ alreadyPaid: 2 }); // kept
    await network.provider.send("evm_revert", [snapshot]);
    expect(await f.socialSecurity.reimburseMany(claimsOf(f.ids))).to.deep.include({ paid: 2, alreadyPaid: 0 });
  });

  it("validates every claim before sending anything and lists each fault by index and field", async () => {
    const f = await withBills(3);
    const bad = [
      { billId: "0x12", amount: 1n, claimRef: "a" },
      { billId: f.ids[0], amount: "1.5", claimRef: "b" },
      { billId: f.ids[1], amount: 0n, claimRef: "c" },
      { billId: f.ids[2], amount: 5n, claimRef: "" },
      { billId: f.ids[1], amount: 7n, claimRef: "d" },
      null,
    ] as unknown as Claim[];
    const e = await rejection(f.socialSecurity.reimburseMany(bad));
    expect(e).to.be.instanceOf(InvalidClaimsError);
    expect((e as InvalidClaimsError).issues.map((i) => i.path)).to.deep.equal([
      "0.billId",
      "1.amount",
      "2.amount",
      "3.claimRef",
      "5",
      "4.billId",
    ]);
    expect(await reimbursedEvents(f.address)).to.equal(0);
  });

  it("a claim repeated in the input is paid once", async () => {
    const f = await withBills(2);
    const claims = claimsOf(f.ids);
    const r = await f.socialSecurity.reimburseMany([...claims, claims[0]]);
    expect(r).to.deep.include({ paid: 2, alreadyPaid: 1 });
    expect(await reimbursedEvents(f.address)).to.equal(2);
  });

  it("throws a refusal of the payer itself (paused) and sends nothing", async () => {
    const f = await withBills(2);
    await f.admin.pause();
    expect(await rejection(f.socialSecurity.reimburseMany(claimsOf(f.ids)))).to.be.instanceOf(PausedError);
    expect(await reimbursedEvents(f.address)).to.equal(0);
  });

  it("reimburseBatch sends one atomic transaction and names the offending claim by index", async () => {
    const f = await withBills(3);
    const ok = await f.socialSecurity.reimburseBatch(claimsOf(f.ids.slice(0, 2)));
    expect(ok.count).to.equal(2);
    const e = await rejection(f.socialSecurity.reimburseBatch(claimsOf(f.ids)));
    expect(e).to.be.instanceOf(BatchItemInvalidError).and.deep.include({ index: 0, reasonName: "AlreadyReimbursedBy" });
    expect(await f.reader.reimbursedBy(f.ids[2], f.signers.socialSecurity.address)).to.equal(0n);
  });

  it("writes reimburseBatch calldata exactly as the ABI coder does", () => {
    const iface = BillRegistry__factory.createInterface();
    const items = [1, 2, 3].map((n) => ({
      billId: "0x" + String(n).repeat(64),
      amount: BigInt(n) * 12_345n,
      claimRef: toBytes32(`C-${n}`),
    }));
    for (const n of [1, 3]) {
      expect(encodeReimburseBatch(items.slice(0, n))).to.equal(
        iface.encodeFunctionData("reimburseBatch", [items.slice(0, n)]),
      );
    }
  });
});
