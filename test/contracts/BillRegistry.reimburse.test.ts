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
const SS_CLAIM = ethers.id("ss-claim-0001");
const INS_CLAIM = ethers.id("insurer-claim-0001");

describe("BillRegistry.reimburse", function () {
  describe("success", function () {
    it("the full amount in one go: Issued → Reimbursed, exact event and state", async function () {
      const { registry, hospitalA, socialSecurity, billId, bill } = await loadFixture(issuedBillFixture);
      await expect(registry.connect(socialSecurity).reimburse(billId, bill.amount, SS_CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(billId, socialSecurity.address, SS_CLAIM, bill.amount, bill.amount);
      expect(await readBill(registry, billId)).to.deep.equal({
        issuer: hospitalA.address,
        status: BillStatus.Reimbursed,
        amount: bill.amount,
        reimbursed: bill.amount,
        contentHash: bill.contentHash,
      });
      expect(await registry.reimbursedBy(billId, socialSecurity.address)).to.equal(bill.amount);
    });

    it("part then the rest by another payer: Issued → PartiallyReimbursed → Reimbursed", async function () {
      const { registry, hospitalA, socialSecurity, insurer, billId, bill } = await loadFixture(issuedBillFixture);
      const first = 10_000n;
      const rest = bill.amount - first;

      await expect(registry.connect(socialSecurity).reimburse(billId, first, SS_CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(billId, socialSecurity.address, SS_CLAIM, first, first);
      expect(await readBill(registry, billId)).to.deep.equal({
        issuer: hospitalA.address,
        status: BillStatus.PartiallyReimbursed,
        amount: bill.amount,
        reimbursed: first,
        contentHash: bill.contentHash,
      });

      await expect(registry.connect(insurer).reimburse(billId, rest, INS_CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(billId, insurer.address, INS_CLAIM, rest, bill.amount);
      expect(await readBill(registry, billId)).to.deep.equal({
        issuer: hospitalA.address,
        status: BillStatus.Reimbursed,
        amount: bill.amount,
        reimbursed: bill.amount,
        contentHash: bill.contentHash,
      });
      expect(await registry.reimbursedBy(billId, socialSecurity.address)).to.equal(first);
      expect(await registry.reimbursedBy(billId, insurer.address)).to.equal(rest);
    });

    it("two parts that leave a remainder keep the bill PartiallyReimbursed", async function () {
      const { registry, socialSecurity, insurer, billId, bill } = await loadFixture(issuedBillFixture);
      await registry.connect(socialSecurity).reimburse(billId, 100n, SS_CLAIM);
      await expect(registry.connect(insurer).reimburse(billId, bill.amount - 101n, INS_CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(billId, insurer.address, INS_CLAIM, bill.amount - 101n, bill.amount - 1n);
      expect(await readBill(registry, billId)).to.include({
        status: BillStatus.PartiallyReimbursed,
        reimbursed: bill.amount - 1n,
      });
    });

    it("a third payer can take exactly the last fen", async function () {
      const { registry, admin, stranger, socialSecurity, insurer, CLAIMER_ROLE, billId, bill } =
        await loadFixture(issuedBillFixture);
      await registry.connect(admin).grantRole(CLAIMER_ROLE, stranger.address);
      await registry.connect(socialSecurity).reimburse(billId, 100n, SS_CLAIM);
      await registry.connect(insurer).reimburse(billId, bill.amount - 101n, INS_CLAIM);
      await expect(registry.connect(stranger).reimburse(billId, 1n, ethers.id("third")))
        .to.emit(registry, "BillReimbursed")
        .withArgs(billId, stranger.address, ethers.id("third"), 1n, bill.amount);
      expect((await readBill(registry, billId)).status).to.equal(BillStatus.Reimbursed);
    });

    it("a MAX_AMOUNT bill can be reimbursed in full", async function () {
      const { registry, hospitalB, insurer } = await loadFixture(deployRegistryFixture);
      const bill = makeBill("max", { amount: MAX_AMOUNT });
      await registry.connect(hospitalB).issue(bill);
      const id = billIdOf(hospitalB.address, bill.billNumber);
      await expect(registry.connect(insurer).reimburse(id, MAX_AMOUNT, INS_CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(id, insurer.address, INS_CLAIM, MAX_AMOUNT, MAX_AMOUNT);
      expect(await readBill(registry, id)).to.include({ status: BillStatus.Reimbursed, reimbursed: MAX_AMOUNT });
    });

    it("a reimbursed bill still verifies as genuine", async function () {
      const { registry, socialSecurity, billId, bill } = await loadFixture(issuedBillFixture);
      await registry.connect(socialSecurity).reimburse(billId, bill.amount, SS_CLAIM);
      expect(await registry.verify(billId, bill.contentHash)).to.equal(true);
    });
  });

  describe("errors (each reverts with its own error and changes nothing)", function () {
    it("amount 0 → ZeroAmount()", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, 0n, SS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "ZeroAmount")
        .withArgs();
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("zero claimRef → ZeroClaimRef()", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "ZeroClaimRef")
        .withArgs();
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("unknown billId → BillNotFound(billId)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const unknown = billIdOf(f.hospitalA.address, ethers.id("never issued"));
      const before = await registryState(f.registry, [f.billId, unknown], actorAddresses(f));
      await expect(f.registry.connect(f.socialSecurity).reimburse(unknown, 1n, SS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "BillNotFound")
        .withArgs(unknown);
      expect(await registryState(f.registry, [f.billId, unknown], actorAddresses(f))).to.deep.equal(before);
    });

    it("above the whole amount → ReimbursementExceedsBalance(billId, requested, amount)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, f.bill.amount + 1n, SS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "ReimbursementExceedsBalance")
        .withArgs(f.billId, f.bill.amount + 1n, f.bill.amount);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("above the remainder after a partial payment → ReimbursementExceedsBalance(billId, requested, remaining)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, 345n, SS_CLAIM);
      const remaining = f.bill.amount - 345n;
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.insurer).reimburse(f.billId, remaining + 1n, INS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "ReimbursementExceedsBalance")
        .withArgs(f.billId, remaining + 1n, remaining);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("2^256 - 1 → ReimbursementExceedsBalance (no overflow, no truncation)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, ethers.MaxUint256, SS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "ReimbursementExceedsBalance")
        .withArgs(f.billId, ethers.MaxUint256, f.bill.amount);
      // 2^40 + 1 would truncate to 1 in a uint40: it must still be refused.
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, 2n ** 40n + 1n, SS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "ReimbursementExceedsBalance")
        .withArgs(f.billId, 2n ** 40n + 1n, f.bill.amount);
      expect(await readBill(f.registry, f.billId)).to.include({ status: BillStatus.Issued, reimbursed: 0n });
    });

    it("the same payer twice → AlreadyReimbursedBy(billId, claimer)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, 100n, SS_CLAIM);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, 100n, ethers.id("another claim")))
        .to.be.revertedWithCustomError(f.registry, "AlreadyReimbursedBy")
        .withArgs(f.billId, f.socialSecurity.address);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("a fully reimbursed bill → BillNotReimbursable(billId, Reimbursed)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, f.bill.amount, SS_CLAIM);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.insurer).reimburse(f.billId, 1n, INS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "BillNotReimbursable")
        .withArgs(f.billId, BillStatus.Reimbursed);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("a voided bill → BillNotReimbursable(billId, Voided)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("wrong patient"), ZERO_HASH);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.insurer).reimburse(f.billId, 1n, INS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "BillNotReimbursable")
        .withArgs(f.billId, BillStatus.Voided);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("a caller without CLAIMER_ROLE → AccessControlUnauthorizedAccount(caller, CLAIMER_ROLE)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).reimburse(f.billId, 1n, SS_CLAIM))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.hospitalA.address, f.CLAIMER_ROLE);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("while paused → EnforcedPause()", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.admin).pause();
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(
        f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, SS_CLAIM),
      ).to.be.revertedWithCustomError(f.registry, "EnforcedPause");
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });
  });
});
