import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BillStatus,
  ZERO_HASH,
  actorAddresses,
  billIdOf,
  issuedBillFixture,
  makeBill,
  readBill,
  registryState,
  type IssuedBillFixture,
} from "./fixtures";

const REASON = ethers.id("wrong patient name");

/** Issues `makeBill(seed)` from `hospitalA` (or `issuer`) and returns its id. */
async function issueAnother(f: IssuedBillFixture, seed: string, issuer = f.hospitalA): Promise<string> {
  const bill = makeBill(seed);
  await f.registry.connect(issuer).issue(bill);
  return billIdOf(issuer.address, bill.billNumber);
}

describe("BillRegistry.voidBill", function () {
  describe("success", function () {
    it("voids an Issued bill without replacement: exact event, status Voided, amount/issuer/hash kept", async function () {
      const { registry, hospitalA, billId, bill } = await loadFixture(issuedBillFixture);
      await expect(registry.connect(hospitalA).voidBill(billId, REASON, ZERO_HASH))
        .to.emit(registry, "BillVoided")
        .withArgs(billId, hospitalA.address, REASON, ZERO_HASH);
      expect(await readBill(registry, billId)).to.deep.equal({
        issuer: hospitalA.address,
        status: BillStatus.Voided,
        amount: bill.amount,
        reimbursed: 0n,
        contentHash: bill.contentHash,
      });
      expect(await registry.verify(billId, bill.contentHash)).to.equal(false);
    });

    it("emits exactly one event (BillVoided)", async function () {
      const { registry, hospitalA, billId } = await loadFixture(issuedBillFixture);
      const receipt = await (await registry.connect(hospitalA).voidBill(billId, REASON, ZERO_HASH)).wait();
      expect(receipt?.logs.map((log) => registry.interface.parseLog(log)?.name)).to.deep.equal(["BillVoided"]);
    });

    it("names a replacement that is the same issuer's Issued bill", async function () {
      const f = await loadFixture(issuedBillFixture);
      const replacement = await issueAnother(f, "replacement");
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, replacement))
        .to.emit(f.registry, "BillVoided")
        .withArgs(f.billId, f.hospitalA.address, REASON, replacement);
      expect((await readBill(f.registry, f.billId)).status).to.equal(BillStatus.Voided);
      expect((await readBill(f.registry, replacement)).status).to.equal(BillStatus.Issued);
    });

    it("names a replacement that is the same issuer's PartiallyReimbursed bill", async function () {
      const f = await loadFixture(issuedBillFixture);
      const replacement = await issueAnother(f, "replacement-partial");
      await f.registry.connect(f.socialSecurity).reimburse(replacement, 1n, ethers.id("c"));
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, replacement))
        .to.emit(f.registry, "BillVoided")
        .withArgs(f.billId, f.hospitalA.address, REASON, replacement);
      expect((await readBill(f.registry, replacement)).status).to.equal(BillStatus.PartiallyReimbursed);
    });

    it("names a replacement that is the same issuer's Reimbursed bill", async function () {
      const f = await loadFixture(issuedBillFixture);
      const replacement = await issueAnother(f, "replacement-full");
      await f.registry.connect(f.socialSecurity).reimburse(replacement, makeBill("x").amount, ethers.id("c"));
      expect((await readBill(f.registry, replacement)).status).to.equal(BillStatus.Reimbursed);
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, replacement))
        .to.emit(f.registry, "BillVoided")
        .withArgs(f.billId, f.hospitalA.address, REASON, replacement);
    });

    it("does not touch the replacement bill or other bills", async function () {
      const f = await loadFixture(issuedBillFixture);
      const replacement = await issueAnother(f, "r");
      const other = await issueAnother(f, "o", f.hospitalB);
      const before = await registryState(f.registry, [replacement, other], actorAddresses(f));
      await f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, replacement);
      expect(await registryState(f.registry, [replacement, other], actorAddresses(f))).to.deep.equal(before);
    });
  });

  describe("errors (each reverts with its own error and changes nothing)", function () {
    it("zero reason → ZeroReason()", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, ZERO_HASH, ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "ZeroReason")
        .withArgs();
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("unknown billId → BillNotFound(billId)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const unknown = billIdOf(f.hospitalA.address, ethers.id("never issued"));
      const before = await registryState(f.registry, [f.billId, unknown], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).voidBill(unknown, REASON, ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "BillNotFound")
        .withArgs(unknown);
      expect(await registryState(f.registry, [f.billId, unknown], actorAddresses(f))).to.deep.equal(before);
    });

    it("another issuer's bill → NotBillIssuer(billId, caller)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalB).voidBill(f.billId, REASON, ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "NotBillIssuer")
        .withArgs(f.billId, f.hospitalB.address);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("a PartiallyReimbursed bill → BillNotVoidable(billId, PartiallyReimbursed)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, ethers.id("c"));
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "BillNotVoidable")
        .withArgs(f.billId, BillStatus.PartiallyReimbursed);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("a Reimbursed bill → BillNotVoidable(billId, Reimbursed)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, f.bill.amount, ethers.id("c"));
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "BillNotVoidable")
        .withArgs(f.billId, BillStatus.Reimbursed);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("an already Voided bill → BillNotVoidable(billId, Voided)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, ZERO_HASH);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("again"), ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "BillNotVoidable")
        .withArgs(f.billId, BillStatus.Voided);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    describe("replacement that is not the issuer's live bill → InvalidReplacement(billId, replacementId)", function () {
      const cases: { name: string; replacement: (f: IssuedBillFixture) => Promise<string> }[] = [
        { name: "the voided bill itself", replacement: async (f) => f.billId },
        {
          name: "an unknown bill",
          replacement: async (f) => billIdOf(f.hospitalA.address, ethers.id("never issued")),
        },
        {
          name: "a voided bill of the same issuer",
          replacement: async (f) => {
            const id = await issueAnother(f, "voided-replacement");
            await f.registry.connect(f.hospitalA).voidBill(id, REASON, ZERO_HASH);
            return id;
          },
        },
        { name: "another issuer's live bill", replacement: async (f) => issueAnother(f, "b-bill", f.hospitalB) },
        {
          name: "another issuer's bill with the same bill number",
          replacement: async (f) => {
            await f.registry.connect(f.hospitalB).issue(f.bill);
            return billIdOf(f.hospitalB.address, f.bill.billNumber);
          },
        },
      ];
      for (const c of cases) {
        it(c.name, async function () {
          const f = await loadFixture(issuedBillFixture);
          const replacement = await c.replacement(f);
          const before = await registryState(f.registry, [f.billId, replacement], actorAddresses(f));
          await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, replacement))
            .to.be.revertedWithCustomError(f.registry, "InvalidReplacement")
            .withArgs(f.billId, replacement);
          expect(await registryState(f.registry, [f.billId, replacement], actorAddresses(f))).to.deep.equal(before);
        });
      }
    });

    it("a caller without ISSUER_ROLE → AccessControlUnauthorizedAccount(caller, ISSUER_ROLE)", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.admin).voidBill(f.billId, REASON, ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, f.ISSUER_ROLE);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("while paused → EnforcedPause()", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.admin).pause();
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, ZERO_HASH)).to.be.revertedWithCustomError(
        f.registry,
        "EnforcedPause",
      );
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });
  });

  describe("after voiding", function () {
    it("the bill number cannot be issued again (use a new number for the replacement)", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.hospitalA).voidBill(f.billId, REASON, ZERO_HASH);
      await expect(f.registry.connect(f.hospitalA).issue(f.bill))
        .to.be.revertedWithCustomError(f.registry, "BillAlreadyIssued")
        .withArgs(f.billId);
      expect((await readBill(f.registry, f.billId)).status).to.equal(BillStatus.Voided);
    });
  });
});
