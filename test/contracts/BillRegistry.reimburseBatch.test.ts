import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { BillRegistry } from "../../typechain-types";
import {
  BillStatus,
  ZERO_HASH,
  actorAddresses,
  billIdOf,
  deployRegistryFixture,
  label,
  makeBills,
  readBill,
  registryState,
} from "./fixtures";

const MAX_BATCH_SIZE = 300;
/** True under `npm run coverage`: instrumented bytecode costs more gas, so the gas aim is not checked there. */
const COVERAGE = (hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;

interface Item {
  billId: string;
  amount: bigint;
  claimRef: string;
}

function selectorOf(registry: BillRegistry, name: string): string {
  const fragment = registry.interface.getError(name);
  if (fragment === null) throw new Error(`no error ${name}`);
  return fragment.selector;
}

/** The registry with `count` bills issued by hospitalA (amounts 1,000 + i fen). */
async function billsFixture(count: number) {
  const f = await deployRegistryFixture();
  const bills = makeBills(count, "rb-");
  for (let k = 0; k < count; k += MAX_BATCH_SIZE) {
    await f.registry.connect(f.hospitalA).issueBatch(bills.slice(k, k + MAX_BATCH_SIZE));
  }
  const ids = bills.map((b) => billIdOf(f.hospitalA.address, b.billNumber));
  return { ...f, bills, ids };
}

async function tenBills() {
  return billsFixture(10);
}

async function fullBatch() {
  return billsFixture(MAX_BATCH_SIZE + 1);
}

function items(ids: readonly string[], amount = (i: number) => BigInt(100 + i)): Item[] {
  return ids.map((billId, i) => ({ billId, amount: amount(i), claimRef: label(`claim-${i}`) }));
}

describe("BillRegistry.reimburseBatch", function () {
  describe("success", function () {
    it("reimburses every item in order with one BillReimbursed per item, exact args, and records each payer", async function () {
      const { registry, socialSecurity, ids } = await loadFixture(tenBills);
      const batch = items(ids.slice(0, 3));
      const tx = registry.connect(socialSecurity).reimburseBatch(batch);
      const receipt = await (await tx).wait();
      const logged = receipt!.logs.map((log) => registry.interface.parseLog(log)!);
      expect(logged.map((l) => l.name)).to.deep.equal(["BillReimbursed", "BillReimbursed", "BillReimbursed"]);
      expect(
        logged.map((l) => [l.args.billId, l.args.claimer, l.args.claimRef, l.args.amount, l.args.totalReimbursed]),
      ).to.deep.equal(batch.map((b) => [b.billId, socialSecurity.address, b.claimRef, b.amount, b.amount]));
      for (const b of batch) {
        expect(await registry.reimbursedBy(b.billId, socialSecurity.address)).to.equal(b.amount);
        expect(await readBill(registry, b.billId)).to.include({
          status: BillStatus.PartiallyReimbursed,
          reimbursed: b.amount,
        });
      }
    });

    it("pays a bill in full (Reimbursed) and lets a second payer take the rest in its own batch", async function () {
      const { registry, socialSecurity, insurer, ids, bills } = await loadFixture(tenBills);
      await registry
        .connect(socialSecurity)
        .reimburseBatch([{ billId: ids[0], amount: bills[0].amount, claimRef: label("ss") }]);
      expect((await readBill(registry, ids[0])).status).to.equal(BillStatus.Reimbursed);
      await registry.connect(socialSecurity).reimburseBatch([{ billId: ids[1], amount: 600n, claimRef: label("ss") }]);
      await expect(
        registry
          .connect(insurer)
          .reimburseBatch([{ billId: ids[1], amount: bills[1].amount - 600n, claimRef: label("i") }]),
      )
        .to.emit(registry, "BillReimbursed")
        .withArgs(ids[1], insurer.address, label("i"), bills[1].amount - 600n, bills[1].amount);
      expect(await readBill(registry, ids[1])).to.include({
        status: BillStatus.Reimbursed,
        reimbursed: bills[1].amount,
      });
    });

    it("counts two payers' batches on the same bills toward each bill's total", async function () {
      const { registry, socialSecurity, insurer, ids } = await loadFixture(tenBills);
      await registry.connect(socialSecurity).reimburseBatch(items(ids.slice(0, 2), () => 300n));
      await registry.connect(insurer).reimburseBatch(items(ids.slice(0, 2), () => 200n));
      for (const id of ids.slice(0, 2)) expect((await readBill(registry, id)).reimbursed).to.equal(500n);
    });

    it("accepts exactly MAX_BATCH_SIZE items within the 16,777,216 gas cap, at most 35,000 gas per item", async function () {
      const { registry, socialSecurity, ids } = await loadFixture(fullBatch);
      const receipt = await (
        await registry.connect(socialSecurity).reimburseBatch(items(ids.slice(0, MAX_BATCH_SIZE)))
      ).wait();
      expect(receipt!.logs).to.have.length(MAX_BATCH_SIZE);
      expect(receipt!.gasUsed).to.be.lessThanOrEqual(16_777_216n);
      if (!COVERAGE) expect(receipt!.gasUsed / BigInt(MAX_BATCH_SIZE)).to.be.lessThanOrEqual(35_000n);
      for (const i of [0, 150, MAX_BATCH_SIZE - 1]) {
        expect(await registry.reimbursedBy(ids[i], socialSecurity.address)).to.equal(BigInt(100 + i));
      }
    });
  });

  describe("refusals", function () {
    it("refuses an empty batch with EmptyBatch", async function () {
      const { registry, socialSecurity } = await loadFixture(tenBills);
      await expect(registry.connect(socialSecurity).reimburseBatch([])).to.be.revertedWithCustomError(
        registry,
        "EmptyBatch",
      );
    });

    it("refuses MAX_BATCH_SIZE + 1 items with BatchTooLarge", async function () {
      const { registry, socialSecurity, ids } = await loadFixture(fullBatch);
      await expect(registry.connect(socialSecurity).reimburseBatch(items(ids)))
        .to.be.revertedWithCustomError(registry, "BatchTooLarge")
        .withArgs(MAX_BATCH_SIZE + 1, MAX_BATCH_SIZE);
    });

    it("refuses a caller without CLAIMER_ROLE (a hospital, a stranger)", async function () {
      const { registry, hospitalA, stranger, ids, CLAIMER_ROLE } = await loadFixture(tenBills);
      for (const who of [hospitalA, stranger]) {
        await expect(registry.connect(who).reimburseBatch(items(ids.slice(0, 1))))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, CLAIMER_ROLE);
      }
    });

    it("refuses while paused with EnforcedPause", async function () {
      const { registry, admin, socialSecurity, ids } = await loadFixture(tenBills);
      await registry.connect(admin).pause();
      await expect(
        registry.connect(socialSecurity).reimburseBatch(items(ids.slice(0, 1))),
      ).to.be.revertedWithCustomError(registry, "EnforcedPause");
    });

    /** Each rule of `reimburse`, broken by item 2 of a 4-item batch: BatchItemInvalid(2, billId, selector). */
    const cases: { name: string; reason: string; make: (f: Awaited<ReturnType<typeof tenBills>>) => Promise<Item> }[] =
      [
        {
          name: "a zero amount",
          reason: "ZeroAmount",
          make: async (f) => ({ billId: f.ids[5], amount: 0n, claimRef: label("c") }),
        },
        {
          name: "a zero claimRef",
          reason: "ZeroClaimRef",
          make: async (f) => ({ billId: f.ids[5], amount: 1n, claimRef: ZERO_HASH }),
        },
        {
          name: "an unknown bill",
          reason: "BillNotFound",
          make: async () => ({ billId: label("nope"), amount: 1n, claimRef: label("c") }),
        },
        {
          name: "a voided bill",
          reason: "BillNotReimbursable",
          make: async (f) => {
            await f.registry.connect(f.hospitalA).voidBill(f.ids[5], label("typo"), ZERO_HASH);
            return { billId: f.ids[5], amount: 1n, claimRef: label("c") };
          },
        },
        {
          name: "a fully reimbursed bill",
          reason: "BillNotReimbursable",
          make: async (f) => {
            await f.registry.connect(f.insurer).reimburse(f.ids[5], f.bills[5].amount, label("i"));
            return { billId: f.ids[5], amount: 1n, claimRef: label("c") };
          },
        },
        {
          name: "a bill this payer already reimbursed",
          reason: "AlreadyReimbursedBy",
          make: async (f) => {
            await f.registry.connect(f.socialSecurity).reimburse(f.ids[5], 1n, label("first"));
            return { billId: f.ids[5], amount: 1n, claimRef: label("c") };
          },
        },
        {
          name: "an over-claim",
          reason: "ReimbursementExceedsBalance",
          make: async (f) => {
            await f.registry.connect(f.insurer).reimburse(f.ids[5], 1_000n, label("i"));
            return { billId: f.ids[5], amount: f.bills[5].amount - 1_000n + 1n, claimRef: label("c") };
          },
        },
      ];
    for (const c of cases) {
      it(`refuses ${c.name} at its index with BatchItemInvalid(index, billId, ${c.reason}) and changes nothing`, async function () {
        const f = await loadFixture(tenBills);
        const bad = await c.make(f);
        const batch = [...items(f.ids.slice(0, 2)), bad, ...items(f.ids.slice(6, 7))];
        const ids = [...f.ids, bad.billId];
        const before = await registryState(f.registry, ids, actorAddresses(f));
        // The same item alone raises exactly that error.
        await expect(
          f.registry.connect(f.socialSecurity).reimburse(bad.billId, bad.amount, bad.claimRef),
        ).to.be.revertedWithCustomError(f.registry, c.reason);
        await expect(f.registry.connect(f.socialSecurity).reimburseBatch(batch))
          .to.be.revertedWithCustomError(f.registry, "BatchItemInvalid")
          .withArgs(2, bad.billId, selectorOf(f.registry, c.reason));
        expect(await registryState(f.registry, ids, actorAddresses(f))).to.deep.equal(before);
      });
    }

    it("refuses the same bill twice for one payer at its second index, even when both fit the balance", async function () {
      const { registry, socialSecurity, ids, bills } = await loadFixture(tenBills);
      const batch = [
        { billId: ids[0], amount: 10n, claimRef: label("a") },
        { billId: ids[1], amount: 10n, claimRef: label("b") },
        { billId: ids[0], amount: 10n, claimRef: label("c") },
      ];
      expect(10n + 10n).to.be.lessThan(bills[0].amount);
      await expect(registry.connect(socialSecurity).reimburseBatch(batch))
        .to.be.revertedWithCustomError(registry, "BatchItemInvalid")
        .withArgs(2, ids[0], selectorOf(registry, "AlreadyReimbursedBy"));
      expect(await registry.reimbursedBy(ids[0], socialSecurity.address)).to.equal(0n);
    });

    it("applies items in order: a bill a payer fills at index 0 is not reimbursable at a later index of the same batch", async function () {
      const { registry, insurer, socialSecurity, ids, bills } = await loadFixture(tenBills);
      // The insurer's batch fills bill 0; the social-security fund then finds it Reimbursed.
      await registry
        .connect(insurer)
        .reimburseBatch([{ billId: ids[0], amount: bills[0].amount, claimRef: label("i") }]);
      await expect(
        registry.connect(socialSecurity).reimburseBatch([
          { billId: ids[1], amount: 1n, claimRef: label("s1") },
          { billId: ids[0], amount: 1n, claimRef: label("s0") },
        ]),
      )
        .to.be.revertedWithCustomError(registry, "BatchItemInvalid")
        .withArgs(1, ids[0], selectorOf(registry, "BillNotReimbursable"));
    });

    it("reports the first bad item when several are bad", async function () {
      const { registry, socialSecurity, ids } = await loadFixture(tenBills);
      const batch = items(ids.slice(0, 5));
      batch[3] = { ...batch[3], amount: 0n };
      batch[1] = { ...batch[1], billId: label("unknown") };
      await expect(registry.connect(socialSecurity).reimburseBatch(batch))
        .to.be.revertedWithCustomError(registry, "BatchItemInvalid")
        .withArgs(1, label("unknown"), selectorOf(registry, "BillNotFound"));
    });
  });

  describe("single reimburse keeps its full errors", function () {
    it("still names the bill, status, claimer, request and remaining", async function () {
      const { registry, socialSecurity, insurer, ids, bills } = await loadFixture(tenBills);
      await registry.connect(insurer).reimburse(ids[0], 400n, label("i"));
      await expect(registry.connect(socialSecurity).reimburse(ids[0], bills[0].amount, label("s")))
        .to.be.revertedWithCustomError(registry, "ReimbursementExceedsBalance")
        .withArgs(ids[0], bills[0].amount, bills[0].amount - 400n);
      await expect(registry.connect(insurer).reimburse(ids[0], 1n, label("i2")))
        .to.be.revertedWithCustomError(registry, "AlreadyReimbursedBy")
        .withArgs(ids[0], insurer.address);
      await registry.connect(socialSecurity).reimburse(ids[0], bills[0].amount - 400n, label("s"));
      await expect(registry.connect(socialSecurity).reimburse(ids[0], 1n, label("x")))
        .to.be.revertedWithCustomError(registry, "BillNotReimbursable")
        .withArgs(ids[0], BillStatus.Reimbursed);
    });
  });

  it("is part of IBillRegistry with the fixed signature", async function () {
    const { registry } = await loadFixture(tenBills);
    expect(registry.interface.getFunction("reimburseBatch")!.format("sighash")).to.equal(
      "reimburseBatch((bytes32,uint256,bytes32)[])",
    );
    expect(ethers.id("reimburseBatch((bytes32,uint256,bytes32)[])").slice(0, 10)).to.equal(
      registry.interface.getFunction("reimburseBatch")!.selector,
    );
  });
});
