/**
 * Races: with automine off, several transactions compete for one bill inside one block and across blocks. Whatever
 * order the node mines them in, every receipt must be exactly what the model predicts for that order (a failed
 * receipt carrying the expected custom error, replayed with `debug_traceTransaction` so it reflects the state inside
 * the block), and only the allowed outcomes ever occur: never more than the bill's amount, never one claimer twice,
 * never a bill issued twice.
 */
import { expect } from "chai";
import fc from "fast-check";
import hre, { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BillModel,
  CLAIMER_ROLE,
  Status,
  billIdOf,
  selectorOf,
  type Action,
  type BillInput,
  type Outcome,
} from "../model/billModel";
import {
  chainState,
  decodeRevert,
  execute,
  harnessFixture,
  modelState,
  registryEvents,
  revertDataOfMined,
  sendAction,
  type Actor,
  type Harness,
} from "../model/registryHarness";
import { checkState } from "../model/invariants";

/** True under `npm run coverage` (instrumented contracts run several times slower): fewer random races. */
const COVERAGE = (hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;

/** The bill every reimbursement race is about: 1,000 fen issued by hospital-hz. */
const BILL: BillInput = {
  billNumber: ethers.id("race-bill"),
  patientRef: ethers.id("race-patient"),
  contentHash: ethers.id("race-document"),
  amount: 1_000n,
};

interface RaceFixture {
  h: Harness;
  model: BillModel;
  billId: string;
  /** Actors by name. */
  a: Record<string, Actor>;
  /** Five claimers: social-security, insurer, payment-platform, stranger (granted CLAIMER_ROLE) and the contract. */
  claimers: Actor[];
}

/** The harness plus {@link BILL} issued, and CLAIMER_ROLE granted to the payment platform and the stranger. */
async function raceFixture(): Promise<RaceFixture> {
  const h = await harnessFixture();
  const model = h.initialModel.clone();
  const a = Object.fromEntries(h.actors.map((actor) => [actor.name, actor]));
  const setup: [Actor, Action][] = [
    [a["hospital-hz"], { kind: "issue", sender: a["hospital-hz"].address, bill: BILL }],
    [
      a.admin,
      { kind: "grantRole", sender: a.admin.address, role: CLAIMER_ROLE, account: a["payment-platform"].address },
    ],
    [a.admin, { kind: "grantRole", sender: a.admin.address, role: CLAIMER_ROLE, account: a.stranger.address }],
  ];
  for (const [actor, action] of setup) {
    const { outcome } = await execute(h, actor, action);
    expect(outcome).to.deep.equal(model.apply(action));
  }
  const claimers = ["social-security", "insurer", "payment-platform", "stranger", "contract"].map((n) => a[n]);
  return { h, model, billId: billIdOf(a["hospital-hz"].address, BILL.billNumber), a, claimers };
}

/** One mined transaction of a race, in mining order. */
interface Mined {
  actor: Actor;
  action: Action;
  outcome: Outcome;
  blockNumber: number;
  index: number;
  nonce: number;
}

/**
 * Sends each round's transactions with automine off and mines each round as one block; returns every transaction in
 * mining order with its outcome (events, or the custom error decoded from the in-block replay), after checking that
 * every outcome equals what the model predicts for that order and that the final state equals the model's.
 */
async function race(fx: RaceFixture, model: BillModel, rounds: [Actor, Action][][]): Promise<Mined[]> {
  const { h } = fx;
  const mined: Mined[] = [];
  await network.provider.send("evm_setAutomine", [false]);
  for (const round of rounds) {
    const sent = [];
    for (const [actor, action] of round) sent.push({ actor, action, tx: await sendAction(h, actor, action) });
    await network.provider.send("evm_mine", []);
    const block = await ethers.provider.getBlockNumber();
    for (const { actor, action, tx } of sent) {
      const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
      expect(receipt, `${action.kind} by ${actor.name} was not mined`).to.not.equal(null);
      expect(receipt!.blockNumber, "a round spilled over into another block").to.equal(block);
      let outcome: Outcome;
      if (receipt!.status === 1) {
        outcome = { ok: true, events: registryEvents(h.registry, h.registryAddress, receipt!.logs) };
      } else {
        const data = await revertDataOfMined(tx.hash);
        expect(data, "a failed receipt replayed as a success").to.not.equal(undefined);
        expect(receipt!.logs).to.have.length(0);
        const decoded = decodeRevert(h.registry, data!);
        outcome = { ok: false, error: decoded.error, args: decoded.args };
      }
      mined.push({ actor, action, outcome, blockNumber: block, index: receipt!.index, nonce: tx.nonce });
    }
  }
  await network.provider.send("evm_setAutomine", [true]);
  mined.sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);

  // Every receipt is exactly what the rules give for the order the node chose.
  for (const m of mined) {
    expect(m.outcome, `${m.action.kind} by ${m.actor.name} (block ${m.blockNumber}, index ${m.index})`).to.deep.equal(
      model.apply(m.action),
    );
  }
  const ids = [...new Set([fx.billId, ...mined.flatMap((m) => idsOf(m.action))])];
  const accounts = h.actors.map((actor) => actor.address);
  const state = await chainState(h, ids, accounts);
  expect(state).to.deep.equal(modelState(model, ids, accounts));
  expect(checkState(state, accounts)).to.deep.equal([]);
  return mined;
}

function idsOf(action: Action): string[] {
  switch (action.kind) {
    case "issue":
      return [billIdOf(action.sender, action.bill.billNumber)];
    case "issueBatch":
      return action.bills.map((b) => billIdOf(action.sender, b.billNumber));
    case "reimburse":
    case "voidBill":
      return [action.billId];
    case "reimburseBatch":
      return action.items.map((item) => item.billId);
    default:
      return [];
  }
}

const reimburse = (actor: Actor, billId: string, amount: bigint, ref = "claim"): [Actor, Action] => [
  actor,
  { kind: "reimburse", sender: actor.address, billId, amount, claimRef: ethers.id(`${ref}:${actor.name}`) },
];

const succeeded = (mined: Mined[]): Mined[] => mined.filter((m) => m.outcome.ok);
const failed = (mined: Mined[]): Mined[] => mined.filter((m) => !m.outcome.ok);
const errorOf = (m: Mined): { error: string; args: unknown[] } =>
  m.outcome.ok ? { error: "<none>", args: [] } : { error: m.outcome.error, args: m.outcome.args };
const sumPaid = (mined: Mined[], billId?: string): bigint =>
  succeeded(mined).reduce((sum, m) => {
    if (m.action.kind === "reimburse")
      return sum + (billId === undefined || m.action.billId === billId ? m.action.amount : 0n);
    if (m.action.kind !== "reimburseBatch") return sum;
    return m.action.items.reduce(
      (s, item) => s + (billId === undefined || item.billId === billId ? item.amount : 0n),
      sum,
    );
  }, 0n);

/** A second bill of hospital-hz (600 fen), for races between batches and single reimbursements. */
const BILL_B: BillInput = { ...BILL, billNumber: ethers.id("race-bill-b"), amount: 600n };

/** {@link raceFixture} plus {@link BILL_B} issued. */
async function twoBillsFixture(): Promise<RaceFixture & { billB: string }> {
  const fx = await raceFixture();
  const hz = fx.a["hospital-hz"];
  const action: Action = { kind: "issue", sender: hz.address, bill: BILL_B };
  const { outcome } = await execute(fx.h, hz, action);
  expect(outcome).to.deep.equal(fx.model.apply(action));
  return { ...fx, billB: billIdOf(hz.address, BILL_B.billNumber) };
}

const batch = (actor: Actor, items: [string, bigint][], ref = "batch"): [Actor, Action] => [
  actor,
  {
    kind: "reimburseBatch",
    sender: actor.address,
    items: items.map(([billId, amount], i) => ({ billId, amount, claimRef: ethers.id(`${ref}:${actor.name}:${i}`) })),
  },
];

describe("BillRegistry races (automine off)", function () {
  afterEach(async function () {
    // Never leave the node without automine, even when a test failed half-way; flush anything still pending.
    await network.provider.send("evm_mine", []);
    await network.provider.send("evm_setAutomine", [true]);
  });

  describe("many claimers, one bill", function () {
    it("in one block, five claimers asking for the full amount: exactly one wins, the others get BillNotReimbursable", async function () {
      const fx = await loadFixture(raceFixture);
      const mined = await race(fx, fx.model.clone(), [fx.claimers.map((c) => reimburse(c, fx.billId, BILL.amount))]);
      expect(succeeded(mined)).to.have.length(1);
      expect(sumPaid(mined)).to.equal(BILL.amount);
      for (const m of failed(mined)) {
        expect(errorOf(m)).to.deep.equal({
          error: "BillNotReimbursable",
          args: [fx.billId, BigInt(Status.Reimbursed)],
        });
      }
      expect((await fx.h.registry.getBill(fx.billId)).status).to.equal(Status.Reimbursed);
    });

    it("in one block, five claimers asking for 400 each of 1,000: two win, the rest get ReimbursementExceedsBalance(…, 400, 200)", async function () {
      const fx = await loadFixture(raceFixture);
      const mined = await race(fx, fx.model.clone(), [fx.claimers.map((c) => reimburse(c, fx.billId, 400n))]);
      expect(succeeded(mined)).to.have.length(2);
      expect(sumPaid(mined)).to.equal(800n);
      for (const m of failed(mined)) {
        expect(errorOf(m)).to.deep.equal({ error: "ReimbursementExceedsBalance", args: [fx.billId, 400n, 200n] });
      }
      const bill = await fx.h.registry.getBill(fx.billId);
      expect([bill.status, bill.reimbursed]).to.deep.equal([BigInt(Status.PartiallyReimbursed), 800n]);
    });

    it("across three blocks, the same race never pays more than the bill, and later blocks see the earlier payments", async function () {
      const fx = await loadFixture(raceFixture);
      const [ss, insurer, platform, stranger, contract] = fx.claimers;
      const mined = await race(fx, fx.model.clone(), [
        [reimburse(ss, fx.billId, 300n), reimburse(insurer, fx.billId, 300n)],
        [reimburse(platform, fx.billId, 500n), reimburse(ss, fx.billId, 100n, "again")],
        [reimburse(stranger, fx.billId, 400n), reimburse(contract, fx.billId, 400n)],
      ]);
      expect(sumPaid(mined)).to.equal(1_000n);
      const byName = (name: string, block: number) =>
        mined.find((m) => m.actor.name === name && m.blockNumber === mined[0].blockNumber + block)!;
      expect(errorOf(byName("payment-platform", 1))).to.deep.equal({
        error: "ReimbursementExceedsBalance",
        args: [fx.billId, 500n, 400n],
      });
      expect(errorOf(byName("social-security", 1))).to.deep.equal({
        error: "AlreadyReimbursedBy",
        args: [fx.billId, ss.address],
      });
      // In the last block exactly one of the two 400s fits; the other finds the bill fully reimbursed.
      const last = mined.filter((m) => m.blockNumber === mined[0].blockNumber + 2);
      expect(succeeded(last)).to.have.length(1);
      expect(errorOf(failed(last)[0])).to.deep.equal({
        error: "BillNotReimbursable",
        args: [fx.billId, BigInt(Status.Reimbursed)],
      });
    });
  });

  describe("one claimer, several transactions", function () {
    it("in one block: only its first transaction (by nonce) pays, the others get AlreadyReimbursedBy", async function () {
      const fx = await loadFixture(raceFixture);
      const ss = fx.claimers[0];
      const mined = await race(fx, fx.model.clone(), [
        [100n, 200n, 300n, 1_000n].map((amount, i) => reimburse(ss, fx.billId, amount, `try-${i}`)),
      ]);
      expect(succeeded(mined)).to.have.length(1);
      expect(succeeded(mined)[0].nonce).to.equal(Math.min(...mined.map((m) => m.nonce)));
      for (const m of failed(mined)) {
        expect(errorOf(m)).to.deep.equal({ error: "AlreadyReimbursedBy", args: [fx.billId, ss.address] });
      }
      expect(await fx.h.registry.reimbursedBy(fx.billId, ss.address)).to.equal(100n);
    });

    it("a contract wallet in one block and across blocks: still only once", async function () {
      const fx = await loadFixture(raceFixture);
      const contract = fx.claimers[4];
      const mined = await race(fx, fx.model.clone(), [
        [reimburse(contract, fx.billId, 10n, "a"), reimburse(contract, fx.billId, 20n, "b")],
        [reimburse(contract, fx.billId, 30n, "c")],
      ]);
      expect(succeeded(mined)).to.have.length(1);
      expect(failed(mined).map(errorOf)).to.deep.equal([
        { error: "AlreadyReimbursedBy", args: [fx.billId, contract.address] },
        { error: "AlreadyReimbursedBy", args: [fx.billId, contract.address] },
      ]);
      expect(await fx.h.registry.reimbursedBy(fx.billId, contract.address)).to.equal(10n);
    });
  });

  describe("issuing the same bill number", function () {
    const bill: BillInput = { ...BILL, billNumber: ethers.id("contested-number"), amount: 77n };

    it("two hospitals in one block: both succeed, under distinct ids", async function () {
      const fx = await loadFixture(raceFixture);
      const [hz, tz] = [fx.a["hospital-hz"], fx.a["hospital-tz"]];
      const mined = await race(fx, fx.model.clone(), [
        [
          [hz, { kind: "issue", sender: hz.address, bill }],
          [tz, { kind: "issue", sender: tz.address, bill }],
        ],
      ]);
      expect(succeeded(mined)).to.have.length(2);
      const ids = mined.map((m) => (m.outcome.ok ? m.outcome.events[0].args[0] : ""));
      expect(new Set(ids).size).to.equal(2);
      expect(ids).to.have.members([billIdOf(hz.address, bill.billNumber), billIdOf(tz.address, bill.billNumber)]);
    });

    it("one hospital twice in one block: one succeeds, the other gets BillAlreadyIssued", async function () {
      const fx = await loadFixture(raceFixture);
      const hz = fx.a["hospital-hz"];
      const other = { ...bill, contentHash: ethers.id("another document"), amount: 99n };
      const mined = await race(fx, fx.model.clone(), [
        [
          [hz, { kind: "issue", sender: hz.address, bill }],
          [hz, { kind: "issue", sender: hz.address, bill: other }],
        ],
      ]);
      const id = billIdOf(hz.address, bill.billNumber);
      expect(succeeded(mined)).to.have.length(1);
      expect(errorOf(failed(mined)[0])).to.deep.equal({ error: "BillAlreadyIssued", args: [id] });
      // The stored bill is the winner's, never a mix of the two.
      const winner = succeeded(mined)[0].action as Extract<Action, { kind: "issue" }>;
      const stored = await fx.h.registry.getBill(id);
      expect([stored.amount, stored.contentHash]).to.deep.equal([winner.bill.amount, winner.bill.contentHash]);
    });

    it("one hospital with a single issue and a batch holding the same number, in one block: the later one is refused whole", async function () {
      const fx = await loadFixture(raceFixture);
      const hz = fx.a["hospital-hz"];
      const batch = [{ ...bill, billNumber: ethers.id("batch-first") }, bill];
      const mined = await race(fx, fx.model.clone(), [
        [
          [hz, { kind: "issue", sender: hz.address, bill }],
          [hz, { kind: "issueBatch", sender: hz.address, bills: batch }],
        ],
      ]);
      const id = billIdOf(hz.address, bill.billNumber);
      expect(succeeded(mined)).to.have.length(1);
      const loser = failed(mined)[0];
      if (loser.action.kind === "issueBatch") {
        expect(errorOf(loser)).to.deep.equal({
          error: "BatchItemInvalid",
          args: [1n, id, selectorOf("BillAlreadyIssued(bytes32)")],
        });
        // Atomic: the batch's other bill was not issued either.
        expect((await fx.h.registry.getBill(billIdOf(hz.address, batch[0].billNumber))).status).to.equal(Status.None);
      } else {
        expect(errorOf(loser)).to.deep.equal({ error: "BillAlreadyIssued", args: [id] });
      }
    });
  });

  describe("lifecycle races in one block", function () {
    it("void and reimburse of the same bill: exactly one of them happens", async function () {
      for (const order of ["void first", "reimburse first"]) {
        const fx = await loadFixture(raceFixture);
        const hz = fx.a["hospital-hz"];
        const model = fx.model.clone();
        const voidTx: [Actor, Action] = [
          hz,
          {
            kind: "voidBill",
            sender: hz.address,
            billId: fx.billId,
            reason: ethers.id("typo"),
            replacementId: ethers.ZeroHash,
          },
        ];
        const payTx = reimburse(fx.claimers[0], fx.billId, 250n);
        const mined = await race(fx, model, [order === "void first" ? [voidTx, payTx] : [payTx, voidTx]]);
        expect(succeeded(mined), order).to.have.length(1);
        const [winner, loser] = [succeeded(mined)[0], failed(mined)[0]];
        if (winner.action.kind === "voidBill") {
          expect(errorOf(loser)).to.deep.equal({
            error: "BillNotReimbursable",
            args: [fx.billId, BigInt(Status.Voided)],
          });
        } else {
          expect(errorOf(loser)).to.deep.equal({
            error: "BillNotVoidable",
            args: [fx.billId, BigInt(Status.PartiallyReimbursed)],
          });
        }
      }
    });

    it("pause between reimbursements: nothing after the pause goes through", async function () {
      const fx = await loadFixture(raceFixture);
      const admin = fx.a.admin;
      const mined = await race(fx, fx.model.clone(), [
        [
          reimburse(fx.claimers[0], fx.billId, 100n),
          [admin, { kind: "pause", sender: admin.address }],
          reimburse(fx.claimers[1], fx.billId, 100n),
          [
            fx.a["hospital-hz"],
            { kind: "issue", sender: fx.a["hospital-hz"].address, bill: { ...BILL, billNumber: ethers.id("late") } },
          ],
        ],
      ]);
      const pauseAt = mined.findIndex((m) => m.action.kind === "pause");
      expect(mined[pauseAt].outcome.ok).to.equal(true);
      for (const m of mined.slice(pauseAt + 1)) expect(errorOf(m)).to.deep.equal({ error: "EnforcedPause", args: [] });
      for (const m of mined.slice(0, pauseAt)) expect(m.outcome.ok).to.equal(true);
    });

    it("revoking a claimer while it reimburses: it pays only if mined before the revocation", async function () {
      const fx = await loadFixture(raceFixture);
      const [admin, insurer] = [fx.a.admin, fx.claimers[1]];
      const mined = await race(fx, fx.model.clone(), [
        [
          [admin, { kind: "revokeRole", sender: admin.address, role: CLAIMER_ROLE, account: insurer.address }],
          reimburse(insurer, fx.billId, 100n),
        ],
      ]);
      const revokeAt = mined.findIndex((m) => m.action.kind === "revokeRole");
      const pay = mined.find((m) => m.action.kind === "reimburse")!;
      if (mined.indexOf(pay) > revokeAt) {
        expect(errorOf(pay)).to.deep.equal({
          error: "AccessControlUnauthorizedAccount",
          args: [insurer.address, CLAIMER_ROLE],
        });
      } else {
        expect(pay.outcome.ok).to.equal(true);
      }
    });
  });

  describe("batches and single reimbursements in one block", function () {
    it("a payer's batch and another payer's single claim for the full bill: one wins; a losing batch pays nothing", async function () {
      for (const order of ["batch first", "single first"]) {
        const fx = await loadFixture(twoBillsFixture);
        const [ss, insurer] = fx.claimers;
        const pay = batch(ss, [
          [fx.billB, 100n],
          [fx.billId, BILL.amount],
        ]);
        const single = reimburse(insurer, fx.billId, BILL.amount);
        const mined = await race(fx, fx.model.clone(), [order === "batch first" ? [pay, single] : [single, pay]]);
        expect(succeeded(mined), order).to.have.length(1);
        expect(sumPaid(mined, fx.billId)).to.equal(BILL.amount);
        const loser = failed(mined)[0];
        if (loser.action.kind === "reimburseBatch") {
          expect(errorOf(loser)).to.deep.equal({
            error: "BatchItemInvalid",
            args: [1n, fx.billId, selectorOf("BillNotReimbursable(bytes32,uint8)")],
          });
          // Atomic: the batch's first item (another bill) was not paid either.
          expect(await fx.h.registry.reimbursedBy(fx.billB, ss.address)).to.equal(0n);
        } else {
          expect(errorOf(loser)).to.deep.equal({
            error: "BillNotReimbursable",
            args: [fx.billId, BigInt(Status.Reimbursed)],
          });
        }
      }
    });

    it("one payer's single claim and its batch holding the same bill: only the first by nonce pays", async function () {
      const fx = await loadFixture(twoBillsFixture);
      const ss = fx.claimers[0];
      const mined = await race(fx, fx.model.clone(), [
        [
          reimburse(ss, fx.billId, 100n),
          batch(ss, [
            [fx.billB, 50n],
            [fx.billId, 100n],
          ]),
        ],
      ]);
      expect(succeeded(mined)).to.have.length(1);
      expect(succeeded(mined)[0].action.kind).to.equal("reimburse");
      expect(errorOf(failed(mined)[0])).to.deep.equal({
        error: "BatchItemInvalid",
        args: [1n, fx.billId, selectorOf("AlreadyReimbursedBy(bytes32,address)")],
      });
      expect(await fx.h.registry.reimbursedBy(fx.billB, ss.address)).to.equal(0n);
    });

    it("two payers' batches over the same two bills in one block: never more than each bill, each payer once", async function () {
      const fx = await loadFixture(twoBillsFixture);
      const [ss, insurer, platform] = fx.claimers;
      const mined = await race(fx, fx.model.clone(), [
        [
          batch(ss, [
            [fx.billId, 600n],
            [fx.billB, 300n],
          ]),
          batch(insurer, [
            [fx.billB, 300n],
            [fx.billId, 400n],
          ]),
          batch(platform, [
            [fx.billId, 1n],
            [fx.billB, 1n],
          ]),
        ],
      ]);
      expect(sumPaid(mined, fx.billId)).to.be.at.most(BILL.amount);
      expect(sumPaid(mined, fx.billB)).to.be.at.most(BILL_B.amount);
      // Any two of the three fit both bills, all three do not: whichever two are mined first pay, the third is
      // refused whole.
      expect(succeeded(mined)).to.have.length(2);
      expect(mined.indexOf(failed(mined)[0])).to.equal(2);
      expect(errorOf(failed(mined)[0]).error).to.equal("BatchItemInvalid");
    });

    it("random races of batches and single claims over two bills always match the model", async function () {
      const txArb = fc.record({
        claimer: fc.integer({ min: 0, max: 4 }),
        items: fc.array(
          fc.record({
            bill: fc.integer({ min: 0, max: 1 }),
            amount: fc.oneof(fc.constantFrom(1n, 300n, 600n, 1_000n), fc.bigInt({ min: 1n, max: 700n })),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        single: fc.boolean(),
        block: fc.integer({ min: 0, max: 1 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(txArb, { minLength: 2, maxLength: 6 }), async (txs) => {
          const f = await loadFixture(twoBillsFixture);
          const bills = [f.billId, f.billB];
          const rounds: [Actor, Action][][] = [[], []];
          txs.forEach((t, i) => {
            const actor = f.claimers[t.claimer];
            rounds[t.block].push(
              t.single
                ? reimburse(actor, bills[t.items[0].bill], t.items[0].amount, `s${i}`)
                : batch(
                    actor,
                    t.items.map((item) => [bills[item.bill], item.amount]),
                    `b${i}`,
                  ),
            );
          });
          const mined = await race(
            f,
            f.model.clone(),
            rounds.filter((r) => r.length > 0),
          );
          expect(sumPaid(mined, f.billId) <= BILL.amount).to.equal(true);
          expect(sumPaid(mined, f.billB) <= BILL_B.amount).to.equal(true);
        }),
        { numRuns: COVERAGE ? 5 : 20 },
      );
    });
  });

  it("random races (30): random claimers, amounts and block splits always match the model", async function () {
    const fx = await loadFixture(raceFixture);
    const txArb = fc.record({
      claimer: fc.integer({ min: 0, max: 4 }),
      amount: fc.oneof(fc.constantFrom(1n, 250n, 500n, 999n, 1_000n, 1_001n), fc.bigInt({ min: 1n, max: 1_000n })),
      block: fc.integer({ min: 0, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(txArb, { minLength: 2, maxLength: 8 }), async (txs) => {
        const f = await loadFixture(raceFixture);
        const rounds: [Actor, Action][][] = [[], [], []];
        txs.forEach((t, i) => rounds[t.block].push(reimburse(f.claimers[t.claimer], f.billId, t.amount, `r${i}`)));
        const mined = await race(
          f,
          f.model.clone(),
          rounds.filter((r) => r.length > 0),
        );
        expect(sumPaid(mined) <= BILL.amount).to.equal(true);
        const payers = succeeded(mined).map((m) => m.actor.address);
        expect(new Set(payers).size).to.equal(payers.length);
      }),
      { numRuns: 30 },
    );
    expect(fx.billId).to.equal(billIdOf(fx.a["hospital-hz"].address, BILL.billNumber));
  });
});
