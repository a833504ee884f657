/**
 * One `describe` per rule under "Rules that must always hold" in docs/DESIGN.md: each test fails if its rule is broken.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse, ParamType } from "ethers";
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
  type IssuedBillFixture,
} from "./fixtures";

/** Every transaction a member could try on `f.billId`, whatever its role. */
function everyWrite(f: IssuedBillFixture): { name: string; send: () => Promise<ContractTransactionResponse> }[] {
  return [
    {
      name: "reimburse by social security",
      send: () => f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, ethers.id("x")),
    },
    { name: "reimburse by insurer", send: () => f.registry.connect(f.insurer).reimburse(f.billId, 1n, ethers.id("y")) },
    {
      name: "void by its issuer",
      send: () => f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH),
    },
    {
      name: "void by another issuer",
      send: () => f.registry.connect(f.hospitalB).voidBill(f.billId, ethers.id("r"), ZERO_HASH),
    },
    { name: "issue again", send: () => f.registry.connect(f.hospitalA).issue({ ...f.bill, amount: 1n }) },
    {
      name: "issue again in a batch",
      send: () => f.registry.connect(f.hospitalA).issueBatch([{ ...f.bill, contentHash: ethers.id("x") }]),
    },
  ];
}

describe("BillRegistry.rules (docs/DESIGN.md: rules that must always hold)", function () {
  describe("1. billId = keccak256(abi.encode(issuer, billNumber)); no hospital issues a number twice; hospitals never collide", function () {
    it("the stored id is keccak256(abi.encode(issuer, billNumber))", async function () {
      const { registry, hospitalA, bill, billId } = await loadFixture(issuedBillFixture);
      const expected = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [hospitalA.address, bill.billNumber]),
      );
      expect(billId).to.equal(expected);
      expect((await readBill(registry, expected)).issuer).to.equal(hospitalA.address);
      expect(await registry.billIdOf(hospitalA.address, bill.billNumber)).to.equal(expected);
    });

    it("a hospital can never issue the same number twice: not by issue, not by batch, not after voiding", async function () {
      const f = await loadFixture(issuedBillFixture);
      const before = await readBill(f.registry, f.billId);
      await expect(f.registry.connect(f.hospitalA).issue(f.bill)).to.be.revertedWithCustomError(
        f.registry,
        "BillAlreadyIssued",
      );
      await expect(f.registry.connect(f.hospitalA).issueBatch([f.bill])).to.be.revertedWithCustomError(
        f.registry,
        "BatchItemInvalid",
      );
      await f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH);
      await expect(f.registry.connect(f.hospitalA).issue(f.bill)).to.be.revertedWithCustomError(
        f.registry,
        "BillAlreadyIssued",
      );
      expect(await readBill(f.registry, f.billId)).to.deep.equal({ ...before, status: BillStatus.Voided });
    });

    it("two hospitals using the same number get two bills that never interfere", async function () {
      const f = await loadFixture(issuedBillFixture);
      const billB = { ...f.bill, contentHash: ethers.id("B document"), amount: 999n };
      await f.registry.connect(f.hospitalB).issue(billB);
      const idB = billIdOf(f.hospitalB.address, billB.billNumber);
      expect(idB).to.not.equal(f.billId);
      // Acting on B's bill leaves A's bill untouched, and the other way round.
      const aBefore = await readBill(f.registry, f.billId);
      await f.registry.connect(f.socialSecurity).reimburse(idB, 999n, ethers.id("c"));
      expect(await readBill(f.registry, f.billId)).to.deep.equal(aBefore);
      await f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH);
      expect(await readBill(f.registry, idB)).to.deep.equal({
        issuer: f.hospitalB.address,
        status: BillStatus.Reimbursed,
        amount: 999n,
        reimbursed: 999n,
        contentHash: billB.contentHash,
      });
    });
  });

  describe("2. the sum reimbursed never exceeds the amount; each claimer reimburses a bill at most once", function () {
    it("social security first, then the insurer for the rest: allowed, and the total equals the amount", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, 8_000n, ethers.id("ss"));
      await f.registry.connect(f.insurer).reimburse(f.billId, f.bill.amount - 8_000n, ethers.id("ins"));
      const bill = await readBill(f.registry, f.billId);
      const ss = await f.registry.reimbursedBy(f.billId, f.socialSecurity.address);
      const ins = await f.registry.reimbursedBy(f.billId, f.insurer.address);
      expect(bill.reimbursed).to.equal(ss + ins);
      expect(bill.reimbursed).to.equal(bill.amount);
    });

    it("no sequence of payments from three payers can push the total past the amount", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.admin).grantRole(f.CLAIMER_ROLE, f.stranger.address);
      const payers = [f.socialSecurity, f.insurer, f.stranger];
      const asks = [5_000n, 9_000n, 7_345n, f.bill.amount, 1n];
      for (const payer of payers) {
        for (const ask of asks) {
          const { amount, reimbursed } = await readBill(f.registry, f.billId);
          const alreadyPaid = (await f.registry.reimbursedBy(f.billId, payer.address)) !== 0n;
          const tx = f.registry.connect(payer).reimburse(f.billId, ask, ethers.id(`${payer.address}-${ask}`));
          if (!alreadyPaid && ask <= amount - reimbursed && reimbursed < amount) await expect(tx).to.not.be.reverted;
          else await expect(tx).to.be.reverted;
          const after = await readBill(f.registry, f.billId);
          let sum = 0n;
          for (const p of payers) sum += await f.registry.reimbursedBy(f.billId, p.address);
          expect(after.reimbursed, "total = sum of payers").to.equal(sum);
          expect(after.reimbursed <= after.amount, "total <= amount").to.equal(true);
        }
      }
      // Social security 5,000, insurer 5,000, the third payer only the 1 fen that still fitted.
      expect((await readBill(f.registry, f.billId)).reimbursed).to.equal(10_001n);
    });

    it("the same payer twice is refused, even for an amount that would fit", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, ethers.id("first"));
      await expect(f.registry.connect(f.socialSecurity).reimburse(f.billId, 1n, ethers.id("second")))
        .to.be.revertedWithCustomError(f.registry, "AlreadyReimbursedBy")
        .withArgs(f.billId, f.socialSecurity.address);
      expect(await f.registry.reimbursedBy(f.billId, f.socialSecurity.address)).to.equal(1n);
    });

    it("a payer who lost and regained CLAIMER_ROLE still cannot pay the same bill twice", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.insurer).reimburse(f.billId, 10n, ethers.id("c"));
      await f.registry.connect(f.admin).revokeRole(f.CLAIMER_ROLE, f.insurer.address);
      await f.registry.connect(f.admin).grantRole(f.CLAIMER_ROLE, f.insurer.address);
      await expect(f.registry.connect(f.insurer).reimburse(f.billId, 10n, ethers.id("c2")))
        .to.be.revertedWithCustomError(f.registry, "AlreadyReimbursedBy")
        .withArgs(f.billId, f.insurer.address);
    });
  });

  describe("3. Reimbursed and Voided are final; a voided bill is never reimbursed; a reimbursed bill is never voided", function () {
    const finalStates: { name: string; reach: (f: IssuedBillFixture) => Promise<unknown> }[] = [
      {
        name: "Reimbursed in one go",
        reach: (f) => f.registry.connect(f.socialSecurity).reimburse(f.billId, f.bill.amount, ethers.id("all")),
      },
      {
        name: "Reimbursed in two parts",
        reach: async (f) => {
          await f.registry.connect(f.socialSecurity).reimburse(f.billId, 45n, ethers.id("p1"));
          await f.registry.connect(f.insurer).reimburse(f.billId, f.bill.amount - 45n, ethers.id("p2"));
        },
      },
      { name: "Voided", reach: (f) => f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH) },
    ];
    for (const s of finalStates) {
      it(`${s.name}: every write on the bill is refused and the bill stays exactly as it was`, async function () {
        const f = await loadFixture(issuedBillFixture);
        await s.reach(f);
        const before = await registryState(f.registry, [f.billId], actorAddresses(f));
        for (const w of everyWrite(f)) {
          await expect(w.send(), w.name).to.be.reverted;
        }
        expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
      });
    }

    it("a bill with any reimbursement (even 1 fen) cannot be voided", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.insurer).reimburse(f.billId, 1n, ethers.id("c"));
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH))
        .to.be.revertedWithCustomError(f.registry, "BillNotVoidable")
        .withArgs(f.billId, BillStatus.PartiallyReimbursed);
      expect((await readBill(f.registry, f.billId)).status).to.equal(BillStatus.PartiallyReimbursed);
    });

    it("a voided bill cannot be reimbursed by any payer", async function () {
      const f = await loadFixture(issuedBillFixture);
      await f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH);
      for (const payer of [f.socialSecurity, f.insurer]) {
        await expect(f.registry.connect(payer).reimburse(f.billId, 1n, ethers.id("c")))
          .to.be.revertedWithCustomError(f.registry, "BillNotReimbursable")
          .withArgs(f.billId, BillStatus.Voided);
      }
      expect(await readBill(f.registry, f.billId)).to.include({ status: BillStatus.Voided, reimbursed: 0n });
    });
  });

  describe("4. only the roles change state; nobody changes a bill's amount, issuer or content hash after issue", function () {
    it("an account with no role cannot change anything", async function () {
      const f = await loadFixture(issuedBillFixture);
      const s = f.registry.connect(f.stranger);
      const before = await registryState(f.registry, [f.billId], actorAddresses(f));
      const attempts: (() => Promise<ContractTransactionResponse>)[] = [
        () => s.issue(makeBill("s")),
        () => s.issueBatch([makeBill("s")]),
        () => s.reimburse(f.billId, 1n, ethers.id("c")),
        () => s.voidBill(f.billId, ethers.id("r"), ZERO_HASH),
        () => s.pause(),
        () => s.grantRole(f.ISSUER_ROLE, f.stranger.address),
        () => s.revokeRole(f.ISSUER_ROLE, f.hospitalA.address),
        () => s.beginDefaultAdminTransfer(f.stranger.address),
        () => s.changeDefaultAdminDelay(0n),
      ];
      for (const attempt of attempts) {
        await expect(attempt()).to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount");
      }
      expect(await registryState(f.registry, [f.billId], actorAddresses(f))).to.deep.equal(before);
    });

    it("the contract has no other state-changing function than the known ones (no setter for amount, issuer or hash)", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const writes: string[] = [];
      registry.interface.forEachFunction((fn) => {
        if (!fn.constant) writes.push(fn.name);
      });
      expect(writes.sort()).to.deep.equal(
        [
          "acceptDefaultAdminTransfer",
          "beginDefaultAdminTransfer",
          "cancelDefaultAdminTransfer",
          "changeDefaultAdminDelay",
          "grantRole",
          "issue",
          "issueBatch",
          "pause",
          "reimburse",
          "reimburseBatch",
          "renounceRole",
          "revokeRole",
          "rollbackDefaultAdminDelay",
          "unpause",
          "voidBill",
        ].sort(),
      );
    });

    it("through a whole lifecycle (re-issue attempts, payments, void attempts) amount, issuer and hash never change", async function () {
      const f = await loadFixture(issuedBillFixture);
      const fixed = { issuer: f.hospitalA.address, amount: f.bill.amount, contentHash: f.bill.contentHash };
      const check = async () => expect(await readBill(f.registry, f.billId)).to.include(fixed);
      await expect(f.registry.connect(f.hospitalA).issue({ ...f.bill, amount: 1n, contentHash: ethers.id("forged") }))
        .to.be.reverted;
      await check();
      // Another hospital "issuing" the same number creates its own bill; it does not take this one over.
      await f.registry.connect(f.hospitalB).issue({ ...f.bill, amount: 1n, contentHash: ethers.id("forged") });
      await check();
      await f.registry.connect(f.socialSecurity).reimburse(f.billId, 100n, ethers.id("c"));
      await check();
      await expect(f.registry.connect(f.hospitalA).voidBill(f.billId, ethers.id("r"), ZERO_HASH)).to.be.reverted;
      await check();
      await f.registry.connect(f.insurer).reimburse(f.billId, f.bill.amount - 100n, ethers.id("c2"));
      await check();
      expect(await f.registry.verify(f.billId, f.bill.contentHash)).to.equal(true);
      expect(await f.registry.verify(f.billId, ethers.id("forged"))).to.equal(false);
    });
  });

  describe("5. no personal data on chain: only the salted patientRef and the EIP-712 contentHash", function () {
    it("neither the patient id nor its digest appears in the issue transaction, its logs or the stored bill", async function () {
      const { registry, hospitalA } = await loadFixture(deployRegistryFixture);
      const patientId = "330106199001011234";
      const patientIdDigest = ethers.id(patientId);
      const salt = ethers.id("patient's app salt");
      const patientRef = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [salt, patientIdDigest]),
      );
      const bill = makeBill("pii", { patientRef });
      const tx = await registry.connect(hospitalA).issue(bill);
      const receipt = await tx.wait();

      const onChain = [
        tx.data,
        ...receipt!.logs.flatMap((log) => [log.data, ...log.topics]),
        JSON.stringify(await readBill(registry, billIdOf(hospitalA.address, bill.billNumber)), (_, v) =>
          typeof v === "bigint" ? v.toString() : v,
        ),
      ]
        .join("")
        .toLowerCase();
      expect(onChain).to.include(patientRef.slice(2).toLowerCase());
      for (const secret of [patientIdDigest, salt, ethers.hexlify(ethers.toUtf8Bytes(patientId))]) {
        expect(onChain).to.not.include(secret.slice(2).toLowerCase());
      }
    });

    it("the ABI carries no free-text or byte-string field that could hold personal data", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const types: string[] = [];
      const collect = (params: readonly ParamType[]): void => {
        for (const p of params) {
          types.push(p.type);
          if (p.components) collect(p.components);
        }
      };
      registry.interface.forEachFunction((fn) => {
        if (["issue", "issueBatch", "reimburse", "reimburseBatch", "voidBill", "getBill"].includes(fn.name)) {
          collect(fn.inputs);
          collect(fn.outputs);
        }
      });
      for (const name of ["BillIssued", "BillReimbursed", "BillVoided"] as const) {
        collect(registry.interface.getEvent(name).inputs);
      }
      expect(types.some((t) => t === "string" || t === "bytes" || t.startsWith("string") || t === "bytes[]")).to.equal(
        false,
      );
      // Amounts are integers.
      expect(types).to.include("uint256");
      expect(types.some((t) => t.startsWith("fixed") || t.startsWith("ufixed"))).to.equal(false);
    });
  });
});
