/**
 * Hostile input: malformed calldata, batches at and above the cap, zero and maximum values, a revoked issuer, calls
 * while paused, an admin hand-over left half done, and a contract account as caller. Every refusal is a mined,
 * failed transaction with its named, typed error (or, for calldata no function accepts, a revert without data), and
 * the registry's whole storage root is unchanged afterwards, which proves the call changed nothing at all.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  CLAIMER_ROLE,
  DEFAULT_ADMIN_ROLE,
  ISSUER_ROLE,
  MAX_AMOUNT,
  MAX_BATCH_SIZE,
  MAX_UINT256,
  Status,
  billIdOf,
  selectorOf,
  type Action,
  type BillInput,
  type Value,
} from "../model/billModel";
import {
  BATCH_GAS,
  CALL_GAS,
  decodeRevert,
  execute,
  harnessFixture,
  revertDataOfMined,
  storageRoot,
  type Actor,
  type Harness,
} from "../model/registryHarness";
import { ADMIN_DELAY } from "./fixtures";

const BILL: BillInput = {
  billNumber: ethers.id("hostile-bill"),
  patientRef: ethers.id("hostile-patient"),
  contentHash: ethers.id("hostile-document"),
  amount: 1_000n,
};

interface HostileFixture {
  h: Harness;
  a: Record<string, Actor>;
  /** {@link BILL}, issued by hospital-hz. */
  billId: string;
}

async function hostileFixture(): Promise<HostileFixture> {
  const h = await harnessFixture();
  const a = Object.fromEntries(h.actors.map((actor) => [actor.name, actor]));
  await h.registry.connect(a["hospital-hz"].signer).issue(BILL);
  return { h, a, billId: billIdOf(a["hospital-hz"].address, BILL.billNumber) };
}

const bill = (seed: string, overrides: Partial<BillInput> = {}): BillInput => ({
  billNumber: ethers.id(`number:${seed}`),
  patientRef: ethers.id(`patient:${seed}`),
  contentHash: ethers.id(`document:${seed}`),
  amount: 500n,
  ...overrides,
});

/** Sends `action` from `actor` and expects a mined refusal with exactly `error(args)` that changed nothing. */
async function expectRefused(
  fx: HostileFixture,
  actor: Actor,
  action: Action,
  error: string,
  args: Value[] = [],
): Promise<void> {
  const before = await storageRoot(fx.h);
  const { outcome, receipt } = await execute(fx.h, actor, action);
  expect(outcome, `${action.kind} by ${actor.name}`).to.deep.equal({ ok: false, error, args });
  expect(receipt.status).to.equal(0);
  expect(await storageRoot(fx.h), `${action.kind} by ${actor.name} changed storage`).to.equal(before);
}

/** Sends `action` from `actor` and expects it to succeed; returns the registry events. */
async function expectAccepted(fx: HostileFixture, actor: Actor, action: Action) {
  const { outcome } = await execute(fx.h, actor, action);
  if (!outcome.ok)
    expect.fail(`${action.kind} by ${actor.name} was refused with ${outcome.error}(${outcome.args.join(", ")})`);
  return outcome.events;
}

/** Sends raw calldata (and value) to `to`; returns the mined receipt's status and the revert data, if it failed. */
async function sendRaw(
  signer: HardhatEthersSigner,
  to: string,
  data: string,
  value = 0n,
): Promise<{ status: number; revertData?: string }> {
  let hash: string;
  try {
    const tx = await signer.sendTransaction({ to, data, value, gasLimit: CALL_GAS });
    hash = tx.hash;
    await tx.wait();
  } catch (error) {
    const reported = (error as { transactionHash?: unknown }).transactionHash;
    if (typeof reported !== "string") throw error;
    hash = reported;
  }
  const receipt = await ethers.provider.getTransactionReceipt(hash);
  expect(receipt, "the raw transaction was not mined").to.not.equal(null);
  return { status: receipt!.status ?? -1, revertData: await revertDataOfMined(hash) };
}

/** Expects raw calldata to be mined as a revert without data that changes nothing. */
async function expectRawRevert(fx: HostileFixture, data: string, value = 0n): Promise<void> {
  const before = await storageRoot(fx.h);
  const balance = await ethers.provider.getBalance(fx.h.registryAddress);
  const result = await sendRaw(fx.a["hospital-hz"].signer, fx.h.registryAddress, data, value);
  expect(result, `calldata ${data.slice(0, 80)}`).to.deep.equal({ status: 0, revertData: "0x" });
  expect(await storageRoot(fx.h)).to.equal(before);
  expect(await ethers.provider.getBalance(fx.h.registryAddress)).to.equal(balance);
}

const word = (n: bigint): string => ethers.toBeHex(n, 32).slice(2);

describe("BillRegistry hostile input", function () {
  describe("malformed calldata", function () {
    it("empty calldata, with and without value: reverts (no fallback, no receive)", async function () {
      const fx = await loadFixture(hostileFixture);
      await expectRawRevert(fx, "0x");
      await expectRawRevert(fx, "0x", 1n);
    });

    it("calldata shorter than a selector and unknown selectors: revert without data", async function () {
      const fx = await loadFixture(hostileFixture);
      for (const data of ["0x00", "0xab", "0x1234", "0xdeadbe", "0xdeadbeef", `0xdeadbeef${word(1n)}`, "0xffffffff"]) {
        await expectRawRevert(fx, data);
      }
    });

    it("known selectors with truncated arguments: revert without data", async function () {
      const fx = await loadFixture(hostileFixture);
      const iface = fx.h.registry.interface;
      const full = [
        iface.encodeFunctionData("issue", [bill("truncated")]),
        iface.encodeFunctionData("reimburse", [fx.billId, 1n, ethers.id("claim")]),
        iface.encodeFunctionData("voidBill", [fx.billId, ethers.id("reason"), ethers.ZeroHash]),
        iface.encodeFunctionData("issueBatch", [[bill("truncated-batch")]]),
      ];
      for (const data of full) {
        const bytes = (data.length - 2) / 2;
        for (const keep of [4, 5, 36, bytes - 32, bytes - 1]) await expectRawRevert(fx, data.slice(0, 2 + keep * 2));
      }
      // The same calldata untruncated works, so the truncation is what was refused.
      const ok = await sendRaw(fx.a["hospital-hz"].signer, fx.h.registryAddress, full[0]);
      expect(ok.status).to.equal(1);
    });

    it("issueBatch with a hostile offset or length: reverts without data", async function () {
      const fx = await loadFixture(hostileFixture);
      const selector = fx.h.registry.interface.getFunction("issueBatch").selector;
      await expectRawRevert(fx, `${selector}${word(2n ** 64n)}${word(1n)}`); // offset far outside calldata
      await expectRawRevert(fx, `${selector}${word(32n)}${word(2n ** 64n)}`); // length 2^64 with no items
      await expectRawRevert(fx, `${selector}${word(32n)}${word(MAX_UINT256)}`); // length 2^256-1
      await expectRawRevert(fx, `${selector}${word(32n)}${word(2n)}${word(1n)}${word(2n)}${word(3n)}`); // 2 items, half a bill
    });

    it("value sent with a non-payable call: reverts, the bill is not issued and no ether is kept", async function () {
      const fx = await loadFixture(hostileFixture);
      const b = bill("with-value");
      await expectRawRevert(fx, fx.h.registry.interface.encodeFunctionData("issue", [b]), 1n);
      expect((await fx.h.registry.getBill(billIdOf(fx.a["hospital-hz"].address, b.billNumber))).status).to.equal(
        Status.None,
      );
    });

    it("an address argument with dirty upper bits is refused by the ABI decoder", async function () {
      const fx = await loadFixture(hostileFixture);
      const selector = fx.h.registry.interface.getFunction("billIdOf").selector;
      const dirty = `${"ff".repeat(12)}${fx.a["hospital-hz"].address.slice(2).toLowerCase()}`;
      const data = `${selector}${dirty}${BILL.billNumber.slice(2)}`;
      await expect(ethers.provider.call({ to: fx.h.registryAddress, data })).to.be.rejected;
      const grant = fx.h.registry.interface.getFunction("grantRole").selector;
      const before = await storageRoot(fx.h);
      const result = await sendRaw(fx.a.admin.signer, fx.h.registryAddress, `${grant}${ISSUER_ROLE.slice(2)}${dirty}`);
      expect(result).to.deep.equal({ status: 0, revertData: "0x" });
      expect(await storageRoot(fx.h)).to.equal(before);
    });

    it("random garbage calldata (50 samples): always a revert without data, never a state change", async function () {
      const fx = await loadFixture(hostileFixture);
      const known = new Set(fx.h.registry.interface.fragments.flatMap((f) => ("selector" in f ? [f.selector] : [])));
      const before = await storageRoot(fx.h);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200 }), async (bytes) => {
          const data = ethers.hexlify(bytes);
          fc.pre(!known.has(data.slice(0, 10)));
          const result = await sendRaw(fx.a.stranger.signer, fx.h.registryAddress, data);
          expect(result).to.deep.equal({ status: 0, revertData: "0x" });
          expect(await storageRoot(fx.h)).to.equal(before);
        }),
        { numRuns: 50 },
      );
    });
  });

  describe("batch size", function () {
    it(`a batch of exactly MAX_BATCH_SIZE (${MAX_BATCH_SIZE}) bills is issued whole, within the per-transaction gas cap`, async function () {
      const fx = await loadFixture(hostileFixture);
      const hz = fx.a["hospital-hz"];
      const bills = Array.from({ length: Number(MAX_BATCH_SIZE) }, (_, i) =>
        bill(`cap-${i}`, { amount: BigInt(i + 1) }),
      );
      const tx = await fx.h.registry.connect(hz.signer).issueBatch(bills, { gasLimit: BATCH_GAS });
      const receipt = (await tx.wait())!;
      expect(receipt.status).to.equal(1);
      expect(receipt.gasUsed < 2n ** 24n).to.equal(true);
      expect(receipt.logs).to.have.length(Number(MAX_BATCH_SIZE));
      for (const i of [0, 149, 299]) {
        const stored = await fx.h.registry.getBill(billIdOf(hz.address, bills[i].billNumber));
        expect([stored.status, stored.amount]).to.deep.equal([BigInt(Status.Issued), BigInt(i + 1)]);
      }
    });

    it(`a batch of ${MAX_BATCH_SIZE + 1n} bills is refused with BatchTooLarge(${MAX_BATCH_SIZE + 1n}, ${MAX_BATCH_SIZE})`, async function () {
      const fx = await loadFixture(hostileFixture);
      const hz = fx.a["hospital-hz"];
      const bills = Array.from({ length: Number(MAX_BATCH_SIZE) + 1 }, (_, i) => bill(`over-${i}`));
      await expectRefused(fx, hz, { kind: "issueBatch", sender: hz.address, bills }, "BatchTooLarge", [
        MAX_BATCH_SIZE + 1n,
        MAX_BATCH_SIZE,
      ]);
    });

    it("a full batch whose last bill repeats the first is refused whole with the last index", async function () {
      const fx = await loadFixture(hostileFixture);
      const hz = fx.a["hospital-hz"];
      const bills = Array.from({ length: Number(MAX_BATCH_SIZE) }, (_, i) => bill(`dup-${i}`));
      bills[bills.length - 1] = { ...bills[0], amount: 1n };
      await expectRefused(fx, hz, { kind: "issueBatch", sender: hz.address, bills }, "BatchItemInvalid", [
        MAX_BATCH_SIZE - 1n,
        billIdOf(hz.address, bills[0].billNumber),
        selectorOf("BillAlreadyIssued(bytes32)"),
      ]);
    });

    it("an empty batch is refused with EmptyBatch", async function () {
      const fx = await loadFixture(hostileFixture);
      const hz = fx.a["hospital-hz"];
      await expectRefused(fx, hz, { kind: "issueBatch", sender: hz.address, bills: [] }, "EmptyBatch");
    });
  });

  describe("zero values", function () {
    it("issue: each zero field gets its own error, alone and as a batch item", async function () {
      const fx = await loadFixture(hostileFixture);
      const hz = fx.a["hospital-hz"];
      const cases: [Partial<BillInput>, string][] = [
        [{ billNumber: ethers.ZeroHash }, "ZeroBillNumber()"],
        [{ patientRef: ethers.ZeroHash }, "ZeroPatientRef()"],
        [{ contentHash: ethers.ZeroHash }, "ZeroContentHash()"],
        [{ amount: 0n }, "ZeroAmount()"],
      ];
      for (const [override, signature] of cases) {
        const b = bill("zero", override);
        await expectRefused(fx, hz, { kind: "issue", sender: hz.address, bill: b }, signature.replace("()", ""));
        await expectRefused(
          fx,
          hz,
          { kind: "issueBatch", sender: hz.address, bills: [bill("ok"), b] },
          "BatchItemInvalid",
          [1n, billIdOf(hz.address, b.billNumber), selectorOf(signature)],
        );
      }
    });

    it("reimburse and voidBill: zero amount, claim reference, reason and bill id each get their own error", async function () {
      const fx = await loadFixture(hostileFixture);
      const [ss, hz] = [fx.a["social-security"], fx.a["hospital-hz"]];
      const pay = (billId: string, amount: bigint, claimRef: string): Action => ({
        kind: "reimburse",
        sender: ss.address,
        billId,
        amount,
        claimRef,
      });
      await expectRefused(fx, ss, pay(fx.billId, 0n, ethers.id("c")), "ZeroAmount");
      await expectRefused(fx, ss, pay(fx.billId, 1n, ethers.ZeroHash), "ZeroClaimRef");
      await expectRefused(fx, ss, pay(ethers.ZeroHash, 1n, ethers.id("c")), "BillNotFound", [ethers.ZeroHash]);
      const voidIt = (billId: string, reason: string): Action => ({
        kind: "voidBill",
        sender: hz.address,
        billId,
        reason,
        replacementId: ethers.ZeroHash,
      });
      await expectRefused(fx, hz, voidIt(fx.billId, ethers.ZeroHash), "ZeroReason");
      await expectRefused(fx, hz, voidIt(ethers.ZeroHash, ethers.id("r")), "BillNotFound", [ethers.ZeroHash]);
    });

    it("granting a role to the zero address is accepted (OpenZeppelin behaviour) and lets nobody act", async function () {
      // Recorded, not endorsed: see the report. No transaction can come from address(0).
      const fx = await loadFixture(hostileFixture);
      const events = await expectAccepted(fx, fx.a.admin, {
        kind: "grantRole",
        sender: fx.a.admin.address,
        role: ISSUER_ROLE,
        account: ethers.ZeroAddress,
      });
      expect(events.map((e) => e.name)).to.deep.equal(["RoleGranted"]);
      expect(await fx.h.registry.hasRole(ISSUER_ROLE, ethers.ZeroAddress)).to.equal(true);
    });
  });

  describe("hostile references", function () {
    it("voidBill naming another hospital's bill, itself, a voided or an unknown bill as replacement gets InvalidReplacement", async function () {
      const fx = await loadFixture(hostileFixture);
      const [hz, tz] = [fx.a["hospital-hz"], fx.a["hospital-tz"]];
      const theirs = bill("tz-bill");
      const mineVoided = bill("hz-voided");
      await expectAccepted(fx, tz, { kind: "issue", sender: tz.address, bill: theirs });
      await expectAccepted(fx, hz, { kind: "issue", sender: hz.address, bill: mineVoided });
      const voidedId = billIdOf(hz.address, mineVoided.billNumber);
      const voidIt = (billId: string, replacementId: string): Action => ({
        kind: "voidBill",
        sender: hz.address,
        billId,
        reason: ethers.id("wrong"),
        replacementId,
      });
      await expectAccepted(fx, hz, voidIt(voidedId, ethers.ZeroHash));
      for (const replacementId of [
        billIdOf(tz.address, theirs.billNumber),
        fx.billId,
        voidedId,
        ethers.id("never issued"),
        billIdOf(tz.address, BILL.billNumber),
      ]) {
        await expectRefused(fx, hz, voidIt(fx.billId, replacementId), "InvalidReplacement", [fx.billId, replacementId]);
      }
      // Another hospital cannot void hz's bill, nor can hz void a bill twice.
      await expectRefused(fx, tz, { ...voidIt(fx.billId, ethers.ZeroHash), sender: tz.address }, "NotBillIssuer", [
        fx.billId,
        tz.address,
      ]);
      await expectRefused(fx, hz, voidIt(voidedId, ethers.ZeroHash), "BillNotVoidable", [
        voidedId,
        BigInt(Status.Voided),
      ]);
    });

    it("a voided bill cannot be reimbursed, and a reimbursed one cannot be voided", async function () {
      const fx = await loadFixture(hostileFixture);
      const [hz, ss] = [fx.a["hospital-hz"], fx.a["social-security"]];
      const other = bill("to-void");
      const otherId = billIdOf(hz.address, other.billNumber);
      await expectAccepted(fx, hz, { kind: "issue", sender: hz.address, bill: other });
      const voidIt = (billId: string): Action => ({
        kind: "voidBill",
        sender: hz.address,
        billId,
        reason: ethers.id("wrong"),
        replacementId: ethers.ZeroHash,
      });
      const pay = (billId: string): Action => ({
        kind: "reimburse",
        sender: ss.address,
        billId,
        amount: 1n,
        claimRef: ethers.id("c"),
      });
      await expectAccepted(fx, hz, voidIt(otherId));
      await expectRefused(fx, ss, pay(otherId), "BillNotReimbursable", [otherId, BigInt(Status.Voided)]);
      await expectAccepted(fx, ss, pay(fx.billId));
      await expectRefused(fx, hz, voidIt(fx.billId), "BillNotVoidable", [
        fx.billId,
        BigInt(Status.PartiallyReimbursed),
      ]);
    });
  });

  describe("maximum values", function () {
    it("amount 2^40-1 is issued exactly; 2^40 and 2^256-1 get AmountTooLarge, never a truncated bill", async function () {
      const fx = await loadFixture(hostileFixture);
      const hz = fx.a["hospital-hz"];
      const max = bill("max", { amount: MAX_AMOUNT });
      await expectAccepted(fx, hz, { kind: "issue", sender: hz.address, bill: max });
      expect((await fx.h.registry.getBill(billIdOf(hz.address, max.billNumber))).amount).to.equal(MAX_AMOUNT);
      for (const amount of [MAX_AMOUNT + 1n, 2n ** 41n, 2n ** 255n, MAX_UINT256]) {
        const b = bill(`too-large-${amount}`, { amount });
        await expectRefused(fx, hz, { kind: "issue", sender: hz.address, bill: b }, "AmountTooLarge", [
          amount,
          MAX_AMOUNT,
        ]);
        await expectRefused(fx, hz, { kind: "issueBatch", sender: hz.address, bills: [b] }, "BatchItemInvalid", [
          0n,
          billIdOf(hz.address, b.billNumber),
          selectorOf("AmountTooLarge(uint256,uint256)"),
        ]);
      }
    });

    it("a 2^40-1 bill paid as 2^40-2 + 1 is fully reimbursed without overflow; 2^256-1 is refused with the exact balance", async function () {
      const fx = await loadFixture(hostileFixture);
      const [hz, ss, insurer, contract] = [fx.a["hospital-hz"], fx.a["social-security"], fx.a.insurer, fx.a.contract];
      const max = bill("max-pay", { amount: MAX_AMOUNT });
      const id = billIdOf(hz.address, max.billNumber);
      await expectAccepted(fx, hz, { kind: "issue", sender: hz.address, bill: max });
      const pay = (actor: Actor, amount: bigint): Action => ({
        kind: "reimburse",
        sender: actor.address,
        billId: id,
        amount,
        claimRef: ethers.id("max"),
      });
      await expectRefused(fx, ss, pay(ss, MAX_UINT256), "ReimbursementExceedsBalance", [id, MAX_UINT256, MAX_AMOUNT]);
      await expectRefused(fx, ss, pay(ss, MAX_AMOUNT + 1n), "ReimbursementExceedsBalance", [
        id,
        MAX_AMOUNT + 1n,
        MAX_AMOUNT,
      ]);
      await expectAccepted(fx, ss, pay(ss, MAX_AMOUNT - 1n));
      await expectRefused(fx, insurer, pay(insurer, 2n), "ReimbursementExceedsBalance", [id, 2n, 1n]);
      await expectAccepted(fx, insurer, pay(insurer, 1n));
      const stored = await fx.h.registry.getBill(id);
      expect([stored.status, stored.reimbursed]).to.deep.equal([BigInt(Status.Reimbursed), MAX_AMOUNT]);
      await expectRefused(fx, contract, pay(contract, 1n), "BillNotReimbursable", [id, BigInt(Status.Reimbursed)]);
    });

    it("all-ones bytes32 fields are ordinary values", async function () {
      const fx = await loadFixture(hostileFixture);
      const hz = fx.a["hospital-hz"];
      const ones = `0x${"ff".repeat(32)}`;
      const b: BillInput = { billNumber: ones, patientRef: ones, contentHash: ones, amount: 1n };
      await expectAccepted(fx, hz, { kind: "issue", sender: hz.address, bill: b });
      expect(await fx.h.registry.verify(billIdOf(hz.address, ones), ones)).to.equal(true);
    });
  });

  describe("revoked roles", function () {
    it("a revoked issuer can no longer issue, batch or void, even its own bills; its bills stay valid", async function () {
      const fx = await loadFixture(hostileFixture);
      const [admin, hz, ss] = [fx.a.admin, fx.a["hospital-hz"], fx.a["social-security"]];
      await expectAccepted(fx, admin, {
        kind: "revokeRole",
        sender: admin.address,
        role: ISSUER_ROLE,
        account: hz.address,
      });
      const denied: Value[] = [hz.address, ISSUER_ROLE];
      await expectRefused(
        fx,
        hz,
        { kind: "issue", sender: hz.address, bill: bill("after-revoke") },
        "AccessControlUnauthorizedAccount",
        denied,
      );
      await expectRefused(
        fx,
        hz,
        { kind: "issueBatch", sender: hz.address, bills: [bill("after-revoke")] },
        "AccessControlUnauthorizedAccount",
        denied,
      );
      await expectRefused(
        fx,
        hz,
        {
          kind: "voidBill",
          sender: hz.address,
          billId: fx.billId,
          reason: ethers.id("r"),
          replacementId: ethers.ZeroHash,
        },
        "AccessControlUnauthorizedAccount",
        denied,
      );
      expect(await fx.h.registry.verify(fx.billId, BILL.contentHash)).to.equal(true);
      await expectAccepted(fx, ss, {
        kind: "reimburse",
        sender: ss.address,
        billId: fx.billId,
        amount: 10n,
        claimRef: ethers.id("c"),
      });
    });

    it("a claimer revoked and granted again still cannot reimburse the same bill twice", async function () {
      const fx = await loadFixture(hostileFixture);
      const [admin, ss] = [fx.a.admin, fx.a["social-security"]];
      const pay: Action = {
        kind: "reimburse",
        sender: ss.address,
        billId: fx.billId,
        amount: 10n,
        claimRef: ethers.id("c"),
      };
      await expectAccepted(fx, ss, pay);
      await expectAccepted(fx, admin, {
        kind: "revokeRole",
        sender: admin.address,
        role: CLAIMER_ROLE,
        account: ss.address,
      });
      await expectRefused(fx, ss, pay, "AccessControlUnauthorizedAccount", [ss.address, CLAIMER_ROLE]);
      await expectAccepted(fx, admin, {
        kind: "grantRole",
        sender: admin.address,
        role: CLAIMER_ROLE,
        account: ss.address,
      });
      await expectRefused(fx, ss, pay, "AlreadyReimbursedBy", [fx.billId, ss.address]);
    });

    it("an issuer that renounced its role is refused like a stranger", async function () {
      const fx = await loadFixture(hostileFixture);
      const tz = fx.a["hospital-tz"];
      await expectAccepted(fx, tz, {
        kind: "renounceRole",
        sender: tz.address,
        role: ISSUER_ROLE,
        account: tz.address,
      });
      await expectRefused(
        fx,
        tz,
        { kind: "issue", sender: tz.address, bill: bill("renounced") },
        "AccessControlUnauthorizedAccount",
        [tz.address, ISSUER_ROLE],
      );
    });
  });

  describe("while paused", function () {
    it("every state change by its own role holder gets EnforcedPause; reads still work; unpause restores", async function () {
      const fx = await loadFixture(hostileFixture);
      const [admin, hz, ss] = [fx.a.admin, fx.a["hospital-hz"], fx.a["social-security"]];
      await expectAccepted(fx, admin, { kind: "pause", sender: admin.address });
      const pay: Action = {
        kind: "reimburse",
        sender: ss.address,
        billId: fx.billId,
        amount: 10n,
        claimRef: ethers.id("c"),
      };
      const calls: [Actor, Action][] = [
        [hz, { kind: "issue", sender: hz.address, bill: bill("paused") }],
        [hz, { kind: "issueBatch", sender: hz.address, bills: [bill("paused-batch")] }],
        [ss, pay],
        [
          hz,
          {
            kind: "voidBill",
            sender: hz.address,
            billId: fx.billId,
            reason: ethers.id("r"),
            replacementId: ethers.ZeroHash,
          },
        ],
        [fx.a.stranger, { kind: "issue", sender: fx.a.stranger.address, bill: bill("paused-stranger") }],
        [admin, { kind: "pause", sender: admin.address }],
      ];
      for (const [actor, action] of calls) await expectRefused(fx, actor, action, "EnforcedPause");
      expect(await fx.h.registry.verify(fx.billId, BILL.contentHash)).to.equal(true);
      expect((await fx.h.registry.getBill(fx.billId)).status).to.equal(Status.Issued);
      await expectRefused(
        fx,
        fx.a.stranger,
        { kind: "unpause", sender: fx.a.stranger.address },
        "AccessControlUnauthorizedAccount",
        [fx.a.stranger.address, DEFAULT_ADMIN_ROLE],
      );
      await expectAccepted(fx, admin, { kind: "unpause", sender: admin.address });
      await expectRefused(fx, admin, { kind: "unpause", sender: admin.address }, "ExpectedPause");
      await expectAccepted(fx, ss, pay);
    });

    it("a stranger cannot pause", async function () {
      const fx = await loadFixture(hostileFixture);
      const s = fx.a.stranger;
      await expectRefused(fx, s, { kind: "pause", sender: s.address }, "AccessControlUnauthorizedAccount", [
        s.address,
        DEFAULT_ADMIN_ROLE,
      ]);
    });
  });

  describe("admin hand-over half done", function () {
    /** Begins a hand-over from the admin to the payment platform; returns the new admin and the schedule. */
    async function beginHandOver(fx: HostileFixture): Promise<{ next: Actor; schedule: bigint }> {
      const next = fx.a["payment-platform"];
      await (await fx.h.registry.connect(fx.a.admin.signer).beginDefaultAdminTransfer(next.address)).wait();
      const [pending, schedule] = await fx.h.registry.pendingDefaultAdmin();
      expect(pending.toLowerCase()).to.equal(next.address);
      return { next, schedule };
    }

    it("begun but not accepted: the old admin is still the admin, the pending one cannot act or accept early", async function () {
      const fx = await loadFixture(hostileFixture);
      const { next, schedule } = await beginHandOver(fx);
      const admin = fx.a.admin;
      expect((await fx.h.registry.defaultAdmin()).toLowerCase()).to.equal(admin.address);
      expect(await fx.h.registry.hasRole(DEFAULT_ADMIN_ROLE, next.address)).to.equal(false);
      const denied: Value[] = [next.address, DEFAULT_ADMIN_ROLE];
      await expectRefused(
        fx,
        next,
        { kind: "grantRole", sender: next.address, role: ISSUER_ROLE, account: next.address },
        "AccessControlUnauthorizedAccount",
        denied,
      );
      await expectRefused(
        fx,
        next,
        { kind: "revokeRole", sender: next.address, role: ISSUER_ROLE, account: fx.a["hospital-hz"].address },
        "AccessControlUnauthorizedAccount",
        denied,
      );
      await expectRefused(
        fx,
        next,
        { kind: "pause", sender: next.address },
        "AccessControlUnauthorizedAccount",
        denied,
      );

      const before = await storageRoot(fx.h);
      await expect(fx.h.registry.connect(next.signer).acceptDefaultAdminTransfer({ gasLimit: CALL_GAS }))
        .to.be.revertedWithCustomError(fx.h.registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      await expect(fx.h.registry.connect(fx.a.stranger.signer).acceptDefaultAdminTransfer({ gasLimit: CALL_GAS }))
        .to.be.revertedWithCustomError(fx.h.registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(fx.a.stranger.signer.address);
      await expect(fx.h.registry.connect(next.signer).beginDefaultAdminTransfer(next.address, { gasLimit: CALL_GAS }))
        .to.be.revertedWithCustomError(fx.h.registry, "AccessControlUnauthorizedAccount")
        .withArgs(next.signer.address, DEFAULT_ADMIN_ROLE);
      expect(await storageRoot(fx.h)).to.equal(before);

      // The old admin keeps full power meanwhile, and no shortcut exists around the two steps.
      await expectAccepted(fx, admin, {
        kind: "grantRole",
        sender: admin.address,
        role: CLAIMER_ROLE,
        account: fx.a.stranger.address,
      });
      await expectRefused(
        fx,
        admin,
        { kind: "grantRole", sender: admin.address, role: DEFAULT_ADMIN_ROLE, account: next.address },
        "AccessControlEnforcedDefaultAdminRules",
      );
      await expectRefused(
        fx,
        admin,
        { kind: "renounceRole", sender: admin.address, role: DEFAULT_ADMIN_ROLE, account: admin.address },
        "AccessControlEnforcedDefaultAdminDelay",
        [schedule],
      );
    });

    it("cancelled: the pending admin can never accept, even after the delay", async function () {
      const fx = await loadFixture(hostileFixture);
      const { next } = await beginHandOver(fx);
      await (await fx.h.registry.connect(fx.a.admin.signer).cancelDefaultAdminTransfer()).wait();
      await time.increase(ADMIN_DELAY + 1n);
      await expect(fx.h.registry.connect(next.signer).acceptDefaultAdminTransfer({ gasLimit: CALL_GAS }))
        .to.be.revertedWithCustomError(fx.h.registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(next.signer.address);
      expect((await fx.h.registry.defaultAdmin()).toLowerCase()).to.equal(fx.a.admin.address);
    });

    it("accepted after the delay: the roles swap and the old admin is refused", async function () {
      const fx = await loadFixture(hostileFixture);
      const { next } = await beginHandOver(fx);
      await time.increase(ADMIN_DELAY + 1n);
      await (await fx.h.registry.connect(next.signer).acceptDefaultAdminTransfer()).wait();
      const admin = fx.a.admin;
      expect((await fx.h.registry.defaultAdmin()).toLowerCase()).to.equal(next.address);
      await expectRefused(fx, admin, { kind: "pause", sender: admin.address }, "AccessControlUnauthorizedAccount", [
        admin.address,
        DEFAULT_ADMIN_ROLE,
      ]);
      await expectAccepted(fx, next, { kind: "pause", sender: next.address });
    });
  });

  describe("a contract account as caller", function () {
    it("holding CLAIMER_ROLE it reimburses once, as itself; its second try gets AlreadyReimbursedBy", async function () {
      const fx = await loadFixture(hostileFixture);
      const c = fx.a.contract;
      const pay: Action = {
        kind: "reimburse",
        sender: c.address,
        billId: fx.billId,
        amount: 400n,
        claimRef: ethers.id("wallet"),
      };
      const events = await expectAccepted(fx, c, pay);
      expect(events).to.deep.equal([
        { name: "BillReimbursed", args: [fx.billId, c.address, ethers.id("wallet"), 400n, 400n] },
      ]);
      await expectRefused(fx, c, { ...pay, amount: 1n }, "AlreadyReimbursedBy", [fx.billId, c.address]);
    });

    it("without ISSUER_ROLE it is refused by name; granted the role it issues bills of its own", async function () {
      const fx = await loadFixture(hostileFixture);
      const [c, admin] = [fx.a.contract, fx.a.admin];
      const b = bill("by-contract");
      await expectRefused(fx, c, { kind: "issue", sender: c.address, bill: b }, "AccessControlUnauthorizedAccount", [
        c.address,
        ISSUER_ROLE,
      ]);
      await expectAccepted(fx, admin, {
        kind: "grantRole",
        sender: admin.address,
        role: ISSUER_ROLE,
        account: c.address,
      });
      await expectAccepted(fx, c, { kind: "issue", sender: c.address, bill: b });
      expect((await fx.h.registry.getBill(billIdOf(c.address, b.billNumber))).issuer.toLowerCase()).to.equal(c.address);
      // It cannot void another hospital's bill.
      await expectRefused(
        fx,
        c,
        {
          kind: "voidBill",
          sender: c.address,
          billId: fx.billId,
          reason: ethers.id("r"),
          replacementId: ethers.ZeroHash,
        },
        "NotBillIssuer",
        [fx.billId, c.address],
      );
    });

    it("malformed calldata forwarded by a contract still changes nothing", async function () {
      const fx = await loadFixture(hostileFixture);
      const before = await storageRoot(fx.h);
      const owner = fx.a.contract.signer;
      for (const data of [
        "0x",
        "0xdeadbeef",
        fx.h.registry.interface.encodeFunctionData("reimburse", [fx.billId, 1n, ethers.id("c")]).slice(0, 40),
      ]) {
        const call = fx.h.caller.interface.encodeFunctionData("forward", [fx.h.registryAddress, data]);
        const result = await sendRaw(owner, await fx.h.caller.getAddress(), call);
        expect(result.status).to.equal(0);
        expect(decodeRevert(fx.h.registry, result.revertData!).error).to.equal("FailedCall");
      }
      expect(await storageRoot(fx.h)).to.equal(before);
    });
  });
});
