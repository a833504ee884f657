import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  BillStatus,
  ZERO_HASH,
  actorAddresses,
  billIdOf,
  issuedBillFixture,
  makeBill,
  makeBills,
  readBill,
  registryState,
  type IssuedBillFixture,
} from "./fixtures";

/** The callers of the matrix: admin, the bill's issuer, another issuer, a claimer, a stranger. */
const CALLERS = ["admin", "hospitalA", "hospitalB", "socialSecurity", "stranger"] as const;
type Caller = (typeof CALLERS)[number];

/** What a caller gets: success, or a revert with the named error and the args computed from the fixture. */
type Outcome = "ok" | { error: string; args: (f: IssuedBillFixture, caller: HardhatEthersSigner) => unknown[] };

const unauthorized = (role: (f: IssuedBillFixture) => string): Outcome => ({
  error: "AccessControlUnauthorizedAccount",
  args: (f, caller) => [caller.address, role(f)],
});
const needsIssuer = unauthorized((f) => f.ISSUER_ROLE);
const needsClaimer = unauthorized((f) => f.CLAIMER_ROLE);
const needsAdmin = unauthorized((f) => f.DEFAULT_ADMIN_ROLE);

interface Row {
  fn: string;
  setup?: (f: IssuedBillFixture) => Promise<unknown>;
  call: (f: IssuedBillFixture, caller: HardhatEthersSigner) => Promise<ContractTransactionResponse>;
  /** Checks the effect of a successful call. */
  effect: (f: IssuedBillFixture, caller: HardhatEthersSigner) => Promise<void>;
  outcomes: Record<Caller, Outcome>;
}

const FRESH = makeBill("matrix");
const BATCH = makeBills(2, "matrix-batch-");

const MATRIX: Row[] = [
  {
    fn: "issue",
    call: (f, c) => f.registry.connect(c).issue(FRESH),
    effect: async (f, c) => {
      expect(await readBill(f.registry, billIdOf(c.address, FRESH.billNumber))).to.include({
        issuer: c.address,
        status: BillStatus.Issued,
      });
    },
    outcomes: {
      admin: needsIssuer,
      hospitalA: "ok",
      hospitalB: "ok",
      socialSecurity: needsIssuer,
      stranger: needsIssuer,
    },
  },
  {
    fn: "issueBatch",
    call: (f, c) => f.registry.connect(c).issueBatch(BATCH),
    effect: async (f, c) => {
      for (const b of BATCH) {
        expect((await readBill(f.registry, billIdOf(c.address, b.billNumber))).issuer).to.equal(c.address);
      }
    },
    outcomes: {
      admin: needsIssuer,
      hospitalA: "ok",
      hospitalB: "ok",
      socialSecurity: needsIssuer,
      stranger: needsIssuer,
    },
  },
  {
    fn: "reimburse",
    call: (f, c) => f.registry.connect(c).reimburse(f.billId, 1n, ethers.id("claim")),
    effect: async (f, c) => {
      expect(await f.registry.reimbursedBy(f.billId, c.address)).to.equal(1n);
    },
    outcomes: {
      admin: needsClaimer,
      hospitalA: needsClaimer,
      hospitalB: needsClaimer,
      socialSecurity: "ok",
      stranger: needsClaimer,
    },
  },
  {
    fn: "voidBill",
    call: (f, c) => f.registry.connect(c).voidBill(f.billId, ethers.id("reason"), ZERO_HASH),
    effect: async (f) => {
      expect((await readBill(f.registry, f.billId)).status).to.equal(BillStatus.Voided);
    },
    outcomes: {
      admin: needsIssuer,
      hospitalA: "ok",
      hospitalB: { error: "NotBillIssuer", args: (f, c) => [f.billId, c.address] },
      socialSecurity: needsIssuer,
      stranger: needsIssuer,
    },
  },
  {
    fn: "pause",
    call: (f, c) => f.registry.connect(c).pause(),
    effect: async (f) => {
      expect(await f.registry.paused()).to.equal(true);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
  {
    fn: "unpause",
    setup: (f) => f.registry.connect(f.admin).pause(),
    call: (f, c) => f.registry.connect(c).unpause(),
    effect: async (f) => {
      expect(await f.registry.paused()).to.equal(false);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
  {
    fn: "grantRole",
    call: (f, c) => f.registry.connect(c).grantRole(f.CLAIMER_ROLE, f.stranger.address),
    effect: async (f) => {
      expect(await f.registry.hasRole(f.CLAIMER_ROLE, f.stranger.address)).to.equal(true);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
  {
    fn: "revokeRole",
    call: (f, c) => f.registry.connect(c).revokeRole(f.ISSUER_ROLE, f.hospitalB.address),
    effect: async (f) => {
      expect(await f.registry.hasRole(f.ISSUER_ROLE, f.hospitalB.address)).to.equal(false);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
  {
    fn: "beginDefaultAdminTransfer",
    call: (f, c) => f.registry.connect(c).beginDefaultAdminTransfer(f.stranger.address),
    effect: async (f) => {
      expect((await f.registry.pendingDefaultAdmin())[0]).to.equal(f.stranger.address);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
  {
    fn: "cancelDefaultAdminTransfer",
    setup: (f) => f.registry.connect(f.admin).beginDefaultAdminTransfer(f.stranger.address),
    call: (f, c) => f.registry.connect(c).cancelDefaultAdminTransfer(),
    effect: async (f) => {
      expect((await f.registry.pendingDefaultAdmin())[0]).to.equal(ethers.ZeroAddress);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
  {
    fn: "changeDefaultAdminDelay",
    call: (f, c) => f.registry.connect(c).changeDefaultAdminDelay(86_400n),
    effect: async (f) => {
      expect((await f.registry.pendingDefaultAdminDelay())[0]).to.equal(86_400n);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
  {
    fn: "rollbackDefaultAdminDelay",
    setup: (f) => f.registry.connect(f.admin).changeDefaultAdminDelay(86_400n),
    call: (f, c) => f.registry.connect(c).rollbackDefaultAdminDelay(),
    effect: async (f) => {
      expect((await f.registry.pendingDefaultAdminDelay())[1]).to.equal(0n);
    },
    outcomes: {
      admin: "ok",
      hospitalA: needsAdmin,
      hospitalB: needsAdmin,
      socialSecurity: needsAdmin,
      stranger: needsAdmin,
    },
  },
];

describe("BillRegistry.roles", function () {
  describe("role matrix (state-changing function × admin, issuer, another issuer, claimer, stranger)", function () {
    for (const row of MATRIX) {
      describe(row.fn, function () {
        for (const who of CALLERS) {
          const outcome = row.outcomes[who];
          const title = outcome === "ok" ? `${who}: succeeds` : `${who}: ${outcome.error}`;
          it(title, async function () {
            const f = await loadFixture(issuedBillFixture);
            if (row.setup) await row.setup(f);
            const caller = f[who];
            if (outcome === "ok") {
              await expect(row.call(f, caller)).to.not.be.reverted;
              await row.effect(f, caller);
            } else {
              const ids = [f.billId, billIdOf(caller.address, FRESH.billNumber)];
              for (const b of BATCH) ids.push(billIdOf(caller.address, b.billNumber));
              const before = await registryState(f.registry, ids, actorAddresses(f));
              const pendingBefore = await f.registry.pendingDefaultAdmin();
              const delayBefore = await f.registry.pendingDefaultAdminDelay();
              await expect(row.call(f, caller))
                .to.be.revertedWithCustomError(f.registry, outcome.error)
                .withArgs(...outcome.args(f, caller));
              expect(await registryState(f.registry, ids, actorAddresses(f))).to.deep.equal(before);
              expect(await f.registry.pendingDefaultAdmin()).to.deep.equal(pendingBefore);
              expect(await f.registry.pendingDefaultAdminDelay()).to.deep.equal(delayBefore);
            }
          });
        }
      });
    }
  });

  describe("granting and revoking", function () {
    it("grantRole emits RoleGranted and lets the new hospital issue", async function () {
      const f = await loadFixture(issuedBillFixture);
      await expect(f.registry.connect(f.admin).grantRole(f.ISSUER_ROLE, f.stranger.address))
        .to.emit(f.registry, "RoleGranted")
        .withArgs(f.ISSUER_ROLE, f.stranger.address, f.admin.address);
      const bill = makeBill("new hospital");
      await expect(f.registry.connect(f.stranger).issue(bill)).to.emit(f.registry, "BillIssued");
    });

    it("a revoked issuer can no longer issue, issue a batch or void its own bill; its bills stay genuine", async function () {
      const f = await loadFixture(issuedBillFixture);
      await expect(f.registry.connect(f.admin).revokeRole(f.ISSUER_ROLE, f.hospitalA.address))
        .to.emit(f.registry, "RoleRevoked")
        .withArgs(f.ISSUER_ROLE, f.hospitalA.address, f.admin.address);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      await expect(f.registry.connect(f.hospitalA).issue(makeBill("after revoke")))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.hospitalA.address, f.ISSUER_ROLE);
      await expect(f.registry.connect(f.hospitalA).issueBatch([makeBill("after revoke")]))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.hospitalA.address, f.ISSUER_ROLE);
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.hospitalA.address, f.ISSUER_ROLE);
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
      expect(await f.registry.verify(f.billId, f.bill.contentHash)).to.equal(true);
      // Payers can still reimburse the bills it issued before.
      await expect(f.registry.connect(f.insurer).reimburse(f.billId, 1n, ethers.id("c"))).to.not.be.reverted;
    });

    it("a revoked claimer can no longer reimburse", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.admin).revokeRole(f.CLAIMER_ROLE, f.insurer.address);
      await expect(f.registry.connect(f.insurer).reimburse(f.billId, 1n, ethers.id("c")))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.insurer.address, f.CLAIMER_ROLE);
      expect(await f.registry.reimbursedBy(f.billId, f.insurer.address)).to.equal(0n);
    });

    it("a hospital may renounce its own role, then cannot issue", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.hospitalB).renounceRole(f.ISSUER_ROLE, f.hospitalB.address);
      expect(await f.registry.hasRole(f.ISSUER_ROLE, f.hospitalB.address)).to.equal(false);
      await expect(f.registry.connect(f.hospitalB).issue(makeBill("renounced")))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.hospitalB.address, f.ISSUER_ROLE);
    });

    it("nobody can renounce a role for someone else → AccessControlBadConfirmation()", async function () {
      const f = await loadFixture(issuedBillFixture);
      for (const caller of [f.admin, f.stranger]) {
        await expect(
          f.registry.connect(caller).renounceRole(f.ISSUER_ROLE, f.hospitalA.address),
        ).to.be.revertedWithCustomError(f.registry, "AccessControlBadConfirmation");
      }
      expect(await f.registry.hasRole(f.ISSUER_ROLE, f.hospitalA.address)).to.equal(true);
    });

    it("DEFAULT_ADMIN_ROLE cannot be granted or revoked directly → AccessControlEnforcedDefaultAdminRules()", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await registryState(f.registry, [], actorAddresses(f));
      await expect(
        f.registry.connect(f.admin).grantRole(f.DEFAULT_ADMIN_ROLE, f.stranger.address),
      ).to.be.revertedWithCustomError(f.registry, "AccessControlEnforcedDefaultAdminRules");
      await expect(
        f.registry.connect(f.admin).revokeRole(f.DEFAULT_ADMIN_ROLE, f.admin.address),
      ).to.be.revertedWithCustomError(f.registry, "AccessControlEnforcedDefaultAdminRules");
      expect(await registryState(f.registry, [], actorAddresses(f))).to.deep.equal(before);
    });

    it("the admin may not issue without being granted ISSUER_ROLE, and may once granted", async function () {
      const f = await loadFixture(issuedBillFixture);
      await expect(f.registry.connect(f.admin).issue(makeBill("admin")))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, f.ISSUER_ROLE);
      await f.registry.connect(f.admin).grantRole(f.ISSUER_ROLE, f.admin.address);
      await expect(f.registry.connect(f.admin).issue(makeBill("admin"))).to.emit(f.registry, "BillIssued");
    });
  });
});
