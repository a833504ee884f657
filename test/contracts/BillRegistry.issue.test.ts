import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BillStatus,
  ZERO_HASH,
  actorAddresses,
  billIdOf,
  deployRegistryFixture,
  issuedBillFixture,
  makeBill,
  readBill,
  registryState,
} from "./fixtures";

const MAX_AMOUNT = 2n ** 40n - 1n;

describe("BillRegistry.issue", function () {
  describe("success", function () {
    it("stores the bill as Issued, emits BillIssued with exact args and returns the id", async function () {
      const { registry, hospitalA } = await loadFixture(deployRegistryFixture);
      const bill = makeBill(1);
      const id = billIdOf(hospitalA.address, bill.billNumber);

      expect(await registry.connect(hospitalA).issue.staticCall(bill)).to.equal(id);
      const tx = registry.connect(hospitalA).issue(bill);
      await expect(tx)
        .to.emit(registry, "BillIssued")
        .withArgs(id, hospitalA.address, bill.patientRef, bill.billNumber, bill.amount, bill.contentHash);

      expect(await readBill(registry, id)).to.deep.equal({
        issuer: hospitalA.address,
        status: BillStatus.Issued,
        amount: bill.amount,
        reimbursed: 0n,
        contentHash: bill.contentHash,
      });
      expect(await registry.verify(id, bill.contentHash)).to.equal(true);
    });

    it("emits exactly one event (BillIssued) and nothing else", async function () {
      const { registry, hospitalA } = await loadFixture(deployRegistryFixture);
      const receipt = await (await registry.connect(hospitalA).issue(makeBill(2))).wait();
      expect(receipt?.logs.length).to.equal(1);
      expect(registry.interface.parseLog(receipt!.logs[0])?.name).to.equal("BillIssued");
    });

    it("accepts an amount of 1 fen and of exactly MAX_AMOUNT", async function () {
      const { registry, hospitalA } = await loadFixture(deployRegistryFixture);
      const small = makeBill("one-fen", { amount: 1n });
      const big = makeBill("max", { amount: MAX_AMOUNT });
      await registry.connect(hospitalA).issue(small);
      await expect(registry.connect(hospitalA).issue(big))
        .to.emit(registry, "BillIssued")
        .withArgs(
          billIdOf(hospitalA.address, big.billNumber),
          hospitalA.address,
          big.patientRef,
          big.billNumber,
          MAX_AMOUNT,
          big.contentHash,
        );
      expect((await readBill(registry, billIdOf(hospitalA.address, small.billNumber))).amount).to.equal(1n);
      expect((await readBill(registry, billIdOf(hospitalA.address, big.billNumber))).amount).to.equal(MAX_AMOUNT);
    });

    it("lets two hospitals issue the same bill number under distinct ids", async function () {
      const { registry, hospitalA, hospitalB } = await loadFixture(deployRegistryFixture);
      const billA = makeBill("shared", { contentHash: ethers.id("doc-A"), amount: 100n });
      const billB = makeBill("shared", { contentHash: ethers.id("doc-B"), amount: 200n });
      await registry.connect(hospitalA).issue(billA);
      await registry.connect(hospitalB).issue(billB);
      const idA = billIdOf(hospitalA.address, billA.billNumber);
      const idB = billIdOf(hospitalB.address, billB.billNumber);
      expect(idA).to.not.equal(idB);
      expect(await readBill(registry, idA)).to.include({ issuer: hospitalA.address, amount: 100n });
      expect(await readBill(registry, idB)).to.include({ issuer: hospitalB.address, amount: 200n });
    });

    it("does not touch other bills", async function () {
      const { registry, hospitalA, billId } = await loadFixture(issuedBillFixture);
      const before = await readBill(registry, billId);
      await registry.connect(hospitalA).issue(makeBill("other"));
      expect(await readBill(registry, billId)).to.deep.equal(before);
    });
  });

  describe("errors (each reverts with its own error and changes nothing)", function () {
    const cases: { name: string; field: string; error: string; bad: () => ReturnType<typeof makeBill> }[] = [
      {
        name: "zero billNumber",
        field: "billNumber",
        error: "ZeroBillNumber",
        bad: () => makeBill("x", { billNumber: ZERO_HASH }),
      },
      {
        name: "zero patientRef",
        field: "patientRef",
        error: "ZeroPatientRef",
        bad: () => makeBill("x", { patientRef: ZERO_HASH }),
      },
      {
        name: "zero contentHash",
        field: "contentHash",
        error: "ZeroContentHash",
        bad: () => makeBill("x", { contentHash: ZERO_HASH }),
      },
      { name: "zero amount", field: "amount", error: "ZeroAmount", bad: () => makeBill("x", { amount: 0n }) },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.error}()`, async function () {
        const f = await loadFixture(issuedBillFixture);
        const bad = c.bad();
        const badId = billIdOf(f.hospitalA.address, bad.billNumber);
        const before = await registryState(f.registry, [f.billId, badId], actorAddresses(f));
        await expect(f.registry.connect(f.hospitalA).issue(bad))
          .to.be.revertedWithCustomError(f.registry, c.error)
          .withArgs();
        expect(await registryState(f.registry, [f.billId, badId], actorAddresses(f))).to.deep.equal(before);
        expect((await readBill(f.registry, badId)).status).to.equal(BillStatus.None);
      });
    }

    it("MAX_AMOUNT + 1 → AmountTooLarge(amount, MAX_AMOUNT)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const bad = makeBill("too-large", { amount: MAX_AMOUNT + 1n });
      const badId = billIdOf(f.hospitalA.address, bad.billNumber);
      const before = await registryState(f.registry, [f.billId, badId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).issue(bad))
        .to.be.revertedWithCustomError(f.registry, "AmountTooLarge")
        .withArgs(MAX_AMOUNT + 1n, MAX_AMOUNT);
      expect(await registryState(f.registry, [f.billId, badId], actorAddresses(f))).to.deep.equal(before);
    });

    it("2^256 - 1 → AmountTooLarge (no truncation into uint40)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const bad = makeBill("huge", { amount: ethers.MaxUint256 });
      // MaxUint256 truncated to uint40 would be MAX_AMOUNT, a valid amount: the contract must refuse, not truncate.
      await expect(f.registry.connect(f.hospitalA).issue(bad))
        .to.be.revertedWithCustomError(f.registry, "AmountTooLarge")
        .withArgs(ethers.MaxUint256, MAX_AMOUNT);
      expect((await readBill(f.registry, billIdOf(f.hospitalA.address, bad.billNumber))).status).to.equal(
        BillStatus.None,
      );
    });

    it("2^40 (one above MAX_AMOUNT, would truncate to 0) → AmountTooLarge", async function () {
      const f = await loadFixture(deployRegistryFixture);
      await expect(f.registry.connect(f.hospitalA).issue(makeBill("2^40", { amount: 2n ** 40n })))
        .to.be.revertedWithCustomError(f.registry, "AmountTooLarge")
        .withArgs(2n ** 40n, MAX_AMOUNT);
    });

    it("the same bill number again by the same hospital → BillAlreadyIssued(billId), even with other content", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).issue(f.bill))
        .to.be.revertedWithCustomError(f.registry, "BillAlreadyIssued")
        .withArgs(f.billId);
      const altered = {
        ...f.bill,
        contentHash: ethers.id("forged"),
        amount: f.bill.amount * 10n,
        patientRef: ethers.id("p"),
      };
      await expect(f.registry.connect(f.hospitalA).issue(altered))
        .to.be.revertedWithCustomError(f.registry, "BillAlreadyIssued")
        .withArgs(f.billId);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("a caller without ISSUER_ROLE → AccessControlUnauthorizedAccount(caller, ISSUER_ROLE)", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const bill = makeBill("unauthorized");
      const id = billIdOf(f.stranger.address, bill.billNumber);
      await expect(f.registry.connect(f.stranger).issue(bill))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, f.ISSUER_ROLE);
      expect((await readBill(f.registry, id)).status).to.equal(BillStatus.None);
    });

    it("while paused → EnforcedPause()", async function () {
      const f = await loadFixture(deployRegistryFixture);
      await f.registry.connect(f.admin).pause();
      const bill = makeBill("paused");
      await expect(f.registry.connect(f.hospitalA).issue(bill)).to.be.revertedWithCustomError(
        f.registry,
        "EnforcedPause",
      );
      expect((await readBill(f.registry, billIdOf(f.hospitalA.address, bill.billNumber))).status).to.equal(
        BillStatus.None,
      );
    });
  });
});
