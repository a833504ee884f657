import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { BillRegistry } from "../../typechain-types";
import { MAX_TX_GAS } from "../../src/constants";
import {
  type BillInput,
  BillStatus,
  ZERO_HASH,
  actorAddresses,
  billIdOf,
  deployRegistryFixture,
  issuedBillFixture,
  makeBill,
  makeBills,
  readBill,
  registryState,
} from "./fixtures";

const MAX_AMOUNT = 2n ** 40n - 1n;
const MAX_BATCH_SIZE = 300;

/** The selector of one of the registry's custom errors, from the TypeChain interface. */
function selectorOf(registry: BillRegistry, name: string): string {
  const fragment = registry.interface.getError(name);
  if (fragment === null) throw new Error(`no error ${name}`);
  return fragment.selector;
}

describe("BillRegistry.issueBatch", function () {
  describe("success", function () {
    it("issues every bill, in input order, returns their ids and emits one BillIssued per bill with exact args", async function () {
      const { registry, hospitalA } = await loadFixture(deployRegistryFixture);
      const bills = makeBills(3, "ok-");
      const ids = bills.map((b) => billIdOf(hospitalA.address, b.billNumber));

      expect(await registry.connect(hospitalA).issueBatch.staticCall(bills)).to.deep.equal(ids);
      const tx = registry.connect(hospitalA).issueBatch(bills);
      for (const [i, b] of bills.entries()) {
        await expect(tx)
          .to.emit(registry, "BillIssued")
          .withArgs(ids[i], hospitalA.address, b.patientRef, b.billNumber, b.amount, b.contentHash);
      }
      const receipt = await (await tx).wait();
      const logged = receipt!.logs.map((log) => registry.interface.parseLog(log));
      expect(logged.map((l) => l?.name)).to.deep.equal(["BillIssued", "BillIssued", "BillIssued"]);
      expect(logged.map((l) => l?.args.billId)).to.deep.equal(ids);

      for (const [i, b] of bills.entries()) {
        expect(await readBill(registry, ids[i])).to.deep.equal({
          issuer: hospitalA.address,
          status: BillStatus.Issued,
          amount: b.amount,
          reimbursed: 0n,
          contentHash: b.contentHash,
        });
      }
    });

    it("accepts a single-bill batch", async function () {
      const { registry, hospitalB } = await loadFixture(deployRegistryFixture);
      const bill = makeBill("single");
      await registry.connect(hospitalB).issueBatch([bill]);
      expect((await readBill(registry, billIdOf(hospitalB.address, bill.billNumber))).status).to.equal(
        BillStatus.Issued,
      );
    });

    it("accepts a batch of exactly MAX_BATCH_SIZE bills (within the 16,777,216 gas cap per transaction)", async function () {
      const { registry, hospitalA } = await loadFixture(deployRegistryFixture);
      const bills = makeBills(MAX_BATCH_SIZE, "full-");
      const receipt = await (await registry.connect(hospitalA).issueBatch(bills)).wait();
      expect(receipt?.status).to.equal(1);
      expect(receipt!.gasUsed).to.be.lessThanOrEqual(MAX_TX_GAS);
      expect(receipt!.logs.length).to.equal(MAX_BATCH_SIZE);
      for (const i of [0, 150, MAX_BATCH_SIZE - 1]) {
        const b = await readBill(registry, billIdOf(hospitalA.address, bills[i].billNumber));
        expect(b).to.include({ status: BillStatus.Issued, amount: bills[i].amount });
      }
    });

    it("accepts amounts of 1 and exactly MAX_AMOUNT", async function () {
      const { registry, hospitalA } = await loadFixture(deployRegistryFixture);
      const bills = [makeBill("b1", { amount: 1n }), makeBill("bmax", { amount: MAX_AMOUNT })];
      await registry.connect(hospitalA).issueBatch(bills);
      expect((await readBill(registry, billIdOf(hospitalA.address, bills[1].billNumber))).amount).to.equal(MAX_AMOUNT);
    });
  });

  describe("errors (the whole batch reverts and nothing changes)", function () {
    it("an empty batch → EmptyBatch()", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).issueBatch([]))
        .to.be.revertedWithCustomError(f.registry, "EmptyBatch")
        .withArgs();
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("MAX_BATCH_SIZE + 1 bills → BatchTooLarge(size, MAX_BATCH_SIZE), none stored", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const bills = makeBills(MAX_BATCH_SIZE + 1, "over-");
      const sample = [0, MAX_BATCH_SIZE].map((i) => billIdOf(f.hospitalA.address, bills[i].billNumber));
      const before = await registryState(f.registry, sample, actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).issueBatch(bills, { gasLimit: 16_000_000 }))
        .to.be.revertedWithCustomError(f.registry, "BatchTooLarge")
        .withArgs(MAX_BATCH_SIZE + 1, MAX_BATCH_SIZE);
      expect(await registryState(f.registry, sample, actorAddresses(f))).to.deep.equal(before);
    });

    // One invalid bill at index 2 of a 4-bill batch: the error names the index, the id and the reason selector,
    // and the two valid bills before it are not stored.
    const itemCases: { name: string; reason: string; bad: (seed: string) => BillInput }[] = [
      { name: "zero billNumber", reason: "ZeroBillNumber", bad: (s) => makeBill(s, { billNumber: ZERO_HASH }) },
      { name: "zero patientRef", reason: "ZeroPatientRef", bad: (s) => makeBill(s, { patientRef: ZERO_HASH }) },
      { name: "zero contentHash", reason: "ZeroContentHash", bad: (s) => makeBill(s, { contentHash: ZERO_HASH }) },
      { name: "zero amount", reason: "ZeroAmount", bad: (s) => makeBill(s, { amount: 0n }) },
      { name: "amount MAX_AMOUNT + 1", reason: "AmountTooLarge", bad: (s) => makeBill(s, { amount: MAX_AMOUNT + 1n }) },
      { name: "amount 2^256 - 1", reason: "AmountTooLarge", bad: (s) => makeBill(s, { amount: ethers.MaxUint256 }) },
    ];
    for (const c of itemCases) {
      it(`${c.name} at index 2 → BatchItemInvalid(2, billId, ${c.reason}.selector)`, async function () {
        const f = await loadFixture(issuedBillFixture);
        const bills = [makeBill("i0"), makeBill("i1"), c.bad("i2"), makeBill("i3")];
        const ids = bills.map((b) => billIdOf(f.hospitalA.address, b.billNumber));
        const before = await registryState(f.registry, [f.billId, ...ids], actorAddresses(f));
        await expect(f.registry.connect(f.hospitalA).issueBatch(bills))
          .to.be.revertedWithCustomError(f.registry, "BatchItemInvalid")
          .withArgs(2, ids[2], selectorOf(f.registry, c.reason));
        expect(await registryState(f.registry, [f.billId, ...ids], actorAddresses(f))).to.deep.equal(before);
        for (const id of ids) expect((await readBill(f.registry, id)).status).to.equal(BillStatus.None);
      });
    }

    it("a bill already on chain → BatchItemInvalid(index, billId, BillAlreadyIssued.selector)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const bills = [makeBill("d0"), f.bill, makeBill("d2")];
      const ids = bills.map((b) => billIdOf(f.hospitalA.address, b.billNumber));
      const before = await registryState(f.registry, ids, actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).issueBatch(bills))
        .to.be.revertedWithCustomError(f.registry, "BatchItemInvalid")
        .withArgs(1, f.billId, selectorOf(f.registry, "BillAlreadyIssued"));
      expect(await registryState(f.registry, ids, actorAddresses(f))).to.deep.equal(before);
    });

    it("a voided bill's number again → BatchItemInvalid(…, BillAlreadyIssued.selector)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("typo"), ZERO_HASH);
      await expect(f.registry.connect(f.hospitalA).issueBatch([f.bill]))
        .to.be.revertedWithCustomError(f.registry, "BatchItemInvalid")
        .withArgs(0, f.billId, selectorOf(f.registry, "BillAlreadyIssued"));
      expect((await readBill(f.registry, f.billId)).status).to.equal(BillStatus.Voided);
    });

    it("a duplicate inside the batch → BatchItemInvalid(second index, billId, BillAlreadyIssued.selector)", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const a = makeBill("dup");
      const twin = { ...a, contentHash: ethers.id("other content"), amount: 7n };
      const bills = [makeBill("x0"), a, makeBill("x2"), twin];
      const ids = bills.map((b) => billIdOf(f.hospitalA.address, b.billNumber));
      const before = await registryState(f.registry, ids, actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).issueBatch(bills))
        .to.be.revertedWithCustomError(f.registry, "BatchItemInvalid")
        .withArgs(3, ids[1], selectorOf(f.registry, "BillAlreadyIssued"));
      expect(await registryState(f.registry, ids, actorAddresses(f))).to.deep.equal(before);
    });

    it("an invalid last bill of a full MAX_BATCH_SIZE batch reverts all 299 valid ones", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const bills = makeBills(MAX_BATCH_SIZE, "atomic-");
      bills[MAX_BATCH_SIZE - 1] = makeBill("atomic-last", { contentHash: ZERO_HASH });
      const ids = bills.map((b) => billIdOf(f.hospitalA.address, b.billNumber));
      await expect(f.registry.connect(f.hospitalA).issueBatch(bills, { gasLimit: 16_000_000 }))
        .to.be.revertedWithCustomError(f.registry, "BatchItemInvalid")
        .withArgs(MAX_BATCH_SIZE - 1, ids[MAX_BATCH_SIZE - 1], selectorOf(f.registry, "ZeroContentHash"));
      for (const i of [0, 1, 150, MAX_BATCH_SIZE - 2]) {
        expect((await readBill(f.registry, ids[i])).status).to.equal(BillStatus.None);
      }
      // And the same bills, fixed, can still be issued: nothing was half-written.
      bills[MAX_BATCH_SIZE - 1] = makeBill("atomic-last");
      await expect(f.registry.connect(f.hospitalA).issueBatch(bills)).to.not.be.reverted;
    });

    it("names the first offending index when several bills are invalid", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const bills = [makeBill("m0"), makeBill("m1", { amount: 0n }), makeBill("m2", { patientRef: ZERO_HASH })];
      await expect(f.registry.connect(f.hospitalA).issueBatch(bills))
        .to.be.revertedWithCustomError(f.registry, "BatchItemInvalid")
        .withArgs(1, billIdOf(f.hospitalA.address, bills[1].billNumber), selectorOf(f.registry, "ZeroAmount"));
    });

    it("a caller without ISSUER_ROLE → AccessControlUnauthorizedAccount(caller, ISSUER_ROLE)", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const bills = makeBills(2, "u-");
      await expect(f.registry.connect(f.insurer).issueBatch(bills))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.insurer.address, f.ISSUER_ROLE);
      expect((await readBill(f.registry, billIdOf(f.insurer.address, bills[0].billNumber))).status).to.equal(
        BillStatus.None,
      );
    });

    it("while paused → EnforcedPause()", async function () {
      const f = await loadFixture(deployRegistryFixture);
      await f.registry.connect(f.admin).pause();
      const bills = makeBills(2, "p-");
      await expect(f.registry.connect(f.hospitalA).issueBatch(bills)).to.be.revertedWithCustomError(
        f.registry,
        "EnforcedPause",
      );
      expect((await readBill(f.registry, billIdOf(f.hospitalA.address, bills[0].billNumber))).status).to.equal(
        BillStatus.None,
      );
    });
  });
});
