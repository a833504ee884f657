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

/** The registry of {@link issuedBillFixture}, paused by the admin. */
async function pausedFixture(): Promise<IssuedBillFixture> {
  const f = await issuedBillFixture();
  await f.registry.connect(f.admin).pause();
  return f;
}

describe("BillRegistry.pause", function () {
  describe("pause", function () {
    it("the admin pauses: emits Paused(admin) and paused() is true", async function () {
      const { registry, admin } = await loadFixture(issuedBillFixture);
      await expect(registry.connect(admin).pause()).to.emit(registry, "Paused").withArgs(admin.address);
      expect(await registry.paused()).to.equal(true);
    });

    it("pausing twice → EnforcedPause()", async function () {
      const { registry, admin } = await loadFixture(pausedFixture);
      await expect(registry.connect(admin).pause()).to.be.revertedWithCustomError(registry, "EnforcedPause");
      expect(await registry.paused()).to.equal(true);
    });

    it("a non-admin cannot pause → AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)", async function () {
      const { registry, hospitalA, DEFAULT_ADMIN_ROLE } = await loadFixture(issuedBillFixture);
      await expect(registry.connect(hospitalA).pause())
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(hospitalA.address, DEFAULT_ADMIN_ROLE);
      expect(await registry.paused()).to.equal(false);
    });
  });

  describe("while paused every state change reverts with EnforcedPause() and changes nothing", function () {
    const calls: { name: string; call: (f: IssuedBillFixture) => Promise<unknown> }[] = [
      { name: "issue", call: (f) => f.registry.connect(f.hospitalA).issue(makeBill("p1")) },
      { name: "issueBatch", call: (f) => f.registry.connect(f.hospitalB).issueBatch([makeBill("p2"), makeBill("p3")]) },
      { name: "reimburse", call: (f) => f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, ethers.id("c")) },
      {
        name: "reimburse (full)",
        call: (f) => f.registry.connect(f.insurer).reimburse(f.billId, f.bill.amount, ethers.id("c")),
      },
      { name: "voidBill", call: (f) => f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH) },
    ];
    for (const c of calls) {
      it(c.name, async function () {
        const f = await loadFixture(pausedFixture);
        const ids = [
          f.billId,
          billIdOf(f.hospitalA.address, makeBill("p1").billNumber),
          billIdOf(f.hospitalB.address, makeBill("p2").billNumber),
        ];
        const before = await registryState(f.registry, ids, actorAddresses(f));
        await expect(c.call(f)).to.be.revertedWithCustomError(f.registry, "EnforcedPause").withArgs();
        expect(await registryState(f.registry, ids, actorAddresses(f))).to.deep.equal(before);
      });
    }

    it("bad input while paused still reports EnforcedPause() first", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(
        f.registry.connect(f.hospitalA).issue(makeBill("bad", { amount: 0n })),
      ).to.be.revertedWithCustomError(f.registry, "EnforcedPause");
      await expect(f.registry.connect(f.hospitalA).issueBatch([])).to.be.revertedWithCustomError(
        f.registry,
        "EnforcedPause",
      );
    });

    it("reads and verification keep working", async function () {
      const f = await loadFixture(pausedFixture);
      expect(await f.registry.verify(f.billId, f.bill.contentHash)).to.equal(true);
      expect((await readBill(f.registry, f.billId)).status).to.equal(BillStatus.Issued);
      expect(await f.registry.reimbursedBy(f.billId, f.socialSecurity.address)).to.equal(0n);
    });

    it("role administration keeps working (the admin can still revoke a compromised member)", async function () {
      const f = await loadFixture(pausedFixture);
      await f.registry.connect(f.admin).revokeRole(f.ISSUER_ROLE, f.hospitalB.address);
      expect(await f.registry.hasRole(f.ISSUER_ROLE, f.hospitalB.address)).to.equal(false);
    });
  });

  describe("unpause", function () {
    it("the admin unpauses: emits Unpaused(admin) and every operation works again", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(f.registry.connect(f.admin).unpause()).to.emit(f.registry, "Unpaused").withArgs(f.admin.address);
      expect(await f.registry.paused()).to.equal(false);
      await expect(f.registry.connect(f.hospitalA).issue(makeBill("after"))).to.emit(f.registry, "BillIssued");
      await expect(f.registry.connect(f.hospitalA).issueBatch([makeBill("after-batch")])).to.emit(
        f.registry,
        "BillIssued",
      );
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, ethers.id("c"))).to.emit(
        f.registry,
        "BillReimbursed",
      );
      const other = billIdOf(f.hospitalA.address, makeBill("after").billNumber);
      await expect(f.registry.connect(f.hospitalA).voidBill(other, ethers.id("r"), ZERO_HASH)).to.emit(
        f.registry,
        "BillVoided",
      );
    });

    it("unpausing when not paused → ExpectedPause()", async function () {
      const { registry, admin } = await loadFixture(issuedBillFixture);
      await expect(registry.connect(admin).unpause()).to.be.revertedWithCustomError(registry, "ExpectedPause");
      expect(await registry.paused()).to.equal(false);
    });

    it("a non-admin cannot unpause → AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)", async function () {
      const { registry, socialSecurity, DEFAULT_ADMIN_ROLE } = await loadFixture(pausedFixture);
      await expect(registry.connect(socialSecurity).unpause())
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(socialSecurity.address, DEFAULT_ADMIN_ROLE);
      expect(await registry.paused()).to.equal(true);
    });
  });
});
