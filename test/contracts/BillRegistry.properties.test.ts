/**
 * Property-based tests of the registry against {@link BillModel}: fast-check draws random sequences of issue,
 * issueBatch, reimburse, reimburseBatch, voidBill, pause, unpause, grantRole, revokeRole and renounceRole from random actors (admin,
 * hospitals, payers, a payer's contract wallet, strangers) and, after every step, checks that
 * - the contract's outcome equals the model's (success with exactly the same events, or the same custom error with
 *   the same arguments);
 * - the full state (every bill the sequence names, every account's reimbursement of it, every role, the pause flag)
 *   equals the model's;
 * - the promises hold on the chain's own state, whatever the model says (see `test/model/invariants.ts`).
 *
 * Runs: `MEDBILL_FC_RUNS` (default 200; `npm run test:deep` runs 10,000). Replay a failure with the seed and path
 * printed in the failure message: `MEDBILL_FC_SEED=<seed> MEDBILL_FC_PATH=<path> npx hardhat test <this file>`.
 */
import { expect } from "chai";
import fc from "fast-check";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  CLAIMER_ROLE,
  DEFAULT_ADMIN_ROLE,
  ISSUER_ROLE,
  MAX_AMOUNT,
  MAX_UINT256,
  Status,
  billIdOf,
  type Action,
  type BillInput,
  type Outcome,
  type Reimbursement,
} from "../model/billModel";
import {
  chainState,
  chainStateDirect,
  execute,
  harnessFixture,
  modelState,
  storageRoot,
  type Actor,
  type Harness,
  type StateView,
} from "../model/registryHarness";
import { checkState, checkTransition, newHistory } from "../model/invariants";

/**
 * True under `npm run coverage` (instrumented contracts run several times slower, about 9 s a sequence): a few
 * sequences only, since the 200 of `npm test` check the properties and the unit tests reach every line and branch.
 */
const COVERAGE = (hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;
/** Sequences per run of this file. */
const RUNS = Number(process.env.MEDBILL_FC_RUNS ?? (COVERAGE ? 3 : 200));
/** The seed: given, or drawn now and printed so any run can be replayed. */
const SEED =
  process.env.MEDBILL_FC_SEED !== undefined
    ? Number(process.env.MEDBILL_FC_SEED)
    : Date.now() ^ (Math.random() * 0x100000000);
/** fast-check's replay path of a failure (with the same seed). */
const PATH = process.env.MEDBILL_FC_PATH;

const ZERO = ethers.ZeroHash;
/** A small space of bill numbers, so duplicates and collisions happen; index 0 is the (invalid) zero number. */
const BILL_NUMBERS = [ZERO, ethers.id("bill-1"), ethers.id("bill-2"), ethers.id("bill-3")];
const PATIENT_REFS = [ZERO, ethers.id("patient-a"), ethers.id("patient-b")];
const CONTENT_HASHES = [ZERO, ethers.id("document-1"), ethers.id("document-2")];
const CLAIM_REFS = [ZERO, ethers.id("claim-1"), ethers.id("claim-2")];
const REASONS = [ZERO, ethers.id("wrong-amount"), ethers.id("duplicate")];
const UNKNOWN_BILL = ethers.id("never-issued");

// Actor indices (see harnessFixture): 0 admin, 1-3 hospitals, 4 social security, 5 insurer, 6 payment platform,
// 7 a stranger, 8 the contract wallet (holds CLAIMER_ROLE at start).
const ACTOR_COUNT = 9;
const anyActor = fc.integer({ min: 0, max: ACTOR_COUNT - 1 });
const weighted = <T>(...options: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> =>
  fc.oneof(...options.map(([weight, arbitrary]) => ({ weight, arbitrary })));
const hospitalish = weighted([8, fc.integer({ min: 1, max: 3 })], [2, anyActor]);
const payerish = weighted([8, fc.constantFrom(4, 5, 8)], [2, anyActor]);
const adminish = weighted([7, fc.constant(0)], [3, anyActor]);

/** Picks index 0 (a zero / invalid value) rarely and the others often. */
const pick = (values: readonly string[]): fc.Arbitrary<string> =>
  weighted([1, fc.constant(values[0])], [12, fc.constantFrom(...values.slice(1))]);

const amountArb: fc.Arbitrary<bigint> = weighted(
  [1, fc.constant(0n)],
  [3, fc.constantFrom(1n, 2n, 3n)],
  [6, fc.constantFrom(100n, 101n, 1_000n)],
  [3, fc.bigInt({ min: 1n, max: 10_000n })],
  [2, fc.constant(MAX_AMOUNT)],
  [1, fc.constantFrom(MAX_AMOUNT + 1n, MAX_UINT256)],
);

/** A bill as generated: issued by whoever sends it. */
const billArb: fc.Arbitrary<BillInput> = fc.record({
  billNumber: pick(BILL_NUMBERS),
  patientRef: pick(PATIENT_REFS),
  contentHash: pick(CONTENT_HASHES),
  amount: amountArb,
});

/**
 * A bill reference: the k-th bill issued so far in the sequence (resolved against the model when the step runs, so
 * most steps hit a live bill), an explicit (issuer actor, bill number), or an id nobody issued.
 */
type Target = { existing: number } | { issuer: number; number: number } | "unknown";
const targetArb: fc.Arbitrary<Target> = weighted<Target>(
  [10, fc.record({ existing: fc.nat({ max: 30 }) })],
  [
    4,
    fc.record({
      issuer: weighted([9, fc.integer({ min: 1, max: 3 })], [1, anyActor]),
      number: weighted([12, fc.integer({ min: 1, max: 3 })], [1, fc.constant(0)]),
    }),
  ],
  [1, fc.constant("unknown" as const)],
);

/** How much to reimburse, resolved against the model's view of the bill at the time of the step. */
type AmountSpec = "remaining" | "half" | "full" | "remainingPlusOne" | "zero" | "maxUint" | bigint;
const amountSpecArb: fc.Arbitrary<AmountSpec> = weighted<AmountSpec>(
  [5, fc.constant("remaining")],
  [5, fc.constant("half")],
  [2, fc.constant("full")],
  [2, fc.constant("remainingPlusOne")],
  [1, fc.constantFrom<AmountSpec>("zero", "maxUint")],
  [3, fc.bigInt({ min: 1n, max: 200n })],
);

const roleArb = weighted([5, fc.constantFrom(ISSUER_ROLE, CLAIMER_ROLE)], [1, fc.constant(DEFAULT_ADMIN_ROLE)]);

/** One claim of a generated `reimburseBatch`; `repeat` claims the previous item's bill again. */
type ClaimSpec = { target: Target | "repeat"; amount: AmountSpec; claimRef: string };
const claimSpecArb: fc.Arbitrary<ClaimSpec> = fc.record({
  target: weighted<Target | "repeat">([6, targetArb], [1, fc.constant("repeat" as const)]),
  amount: amountSpecArb,
  claimRef: pick(CLAIM_REFS),
});

/** One generated step, before it is resolved into an {@link Action}. `"issuer"`: the target bill's own issuer. */
type Step =
  | { kind: "issue"; actor: number; bill: BillInput }
  | { kind: "issueBatch"; actor: number; bills: BillInput[] | "oversize" }
  | { kind: "reimburse"; actor: number; target: Target; amount: AmountSpec; claimRef: string }
  | { kind: "reimburseBatch"; actor: number; items: ClaimSpec[] | "oversize" }
  | {
      kind: "voidBill";
      actor: number | "issuer";
      target: Target;
      reason: string;
      replacement: Target | "none" | "self";
    }
  | { kind: "pause" | "unpause"; actor: number }
  | { kind: "grantRole" | "revokeRole"; actor: number; role: string; account: number }
  | { kind: "renounceRole"; actor: number; role: string; account: number | "self" };

const stepArb: fc.Arbitrary<Step> = weighted<Step>(
  [7, fc.record({ kind: fc.constant("issue" as const), actor: hospitalish, bill: billArb })],
  [
    3,
    fc.record({
      kind: fc.constant("issueBatch" as const),
      actor: hospitalish,
      bills: weighted<BillInput[] | "oversize">(
        [1, fc.constant([])],
        [12, fc.array(billArb, { minLength: 1, maxLength: 4 })],
        [1, fc.constant("oversize" as const)],
      ),
    }),
  ],
  [
    10,
    fc.record({
      kind: fc.constant("reimburse" as const),
      actor: payerish,
      target: targetArb,
      amount: amountSpecArb,
      claimRef: pick(CLAIM_REFS),
    }),
  ],
  [
    5,
    fc.record({
      kind: fc.constant("reimburseBatch" as const),
      actor: payerish,
      items: weighted<ClaimSpec[] | "oversize">(
        [1, fc.constant([])],
        [14, fc.array(claimSpecArb, { minLength: 1, maxLength: 5 })],
        [1, fc.constant("oversize" as const)],
      ),
    }),
  ],
  [
    4,
    fc.record({
      kind: fc.constant("voidBill" as const),
      actor: weighted<number | "issuer">([3, fc.constant("issuer")], [1, hospitalish]),
      target: targetArb,
      reason: pick(REASONS),
      replacement: weighted<Target | "none" | "self">(
        [5, fc.constant("none")],
        [4, targetArb],
        [1, fc.constant("self")],
      ),
    }),
  ],
  [1, fc.record({ kind: fc.constant("pause" as const), actor: adminish })],
  [2, fc.record({ kind: fc.constant("unpause" as const), actor: adminish })],
  [2, fc.record({ kind: fc.constant("grantRole" as const), actor: adminish, role: roleArb, account: anyActor })],
  [1, fc.record({ kind: fc.constant("revokeRole" as const), actor: adminish, role: roleArb, account: anyActor })],
  [
    1,
    fc.record({
      kind: fc.constant("renounceRole" as const),
      actor: anyActor,
      role: roleArb,
      account: weighted<number | "self">([4, fc.constant("self")], [1, anyActor]),
    }),
  ],
);

/** An `issue` by a hospital: sequences open with one to three, so later steps find live bills. */
const openingArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant("issue" as const),
  actor: fc.integer({ min: 1, max: 3 }),
  bill: billArb,
});

/** A sequence of 5 to 25 steps (lengths spread over the whole range), opening with one to three issues. */
const sequenceArb: fc.Arbitrary<Step[]> = fc
  .tuple(
    fc.array(openingArb, { minLength: 1, maxLength: 3 }),
    fc.array(stepArb, { minLength: 4, maxLength: 22, size: "max" }),
  )
  .map(([opening, rest]) => [...opening, ...rest]);

/** 301 valid bills: one above the cap. */
const OVERSIZE: BillInput[] = Array.from({ length: 301 }, (_, i) => ({
  billNumber: ethers.id(`bulk-${i}`),
  patientRef: PATIENT_REFS[1],
  contentHash: CONTENT_HASHES[1],
  amount: 1n,
}));

type Model = Harness["initialModel"];

/** The id a target names; `existing` falls back to hospital-hz's bill-1 while no bill exists yet. */
function targetId(actors: readonly Actor[], model: Model | undefined, target: Target): string {
  if (target === "unknown") return UNKNOWN_BILL;
  if ("existing" in target) {
    const issued = model === undefined ? [] : [...model.bills.keys()];
    return issued.length > 0 ? issued[target.existing % issued.length] : billIdOf(actors[1].address, BILL_NUMBERS[1]);
  }
  return billIdOf(actors[target.issuer].address, BILL_NUMBERS[target.number]);
}

/**
 * Every bill id a step may read or write, known before the sequence runs, so every snapshot covers all of them
 * (an `existing` target is a bill issued earlier in the sequence, hence already listed, or the fallback).
 */
function idsOf(actors: readonly Actor[], step: Step): string[] {
  switch (step.kind) {
    case "issue":
      return [billIdOf(actors[step.actor].address, step.bill.billNumber)];
    case "issueBatch":
      return step.bills === "oversize" ? [] : step.bills.map((b) => billIdOf(actors[step.actor].address, b.billNumber));
    case "reimburse":
      return [targetId(actors, undefined, step.target)];
    case "reimburseBatch":
      return step.items === "oversize"
        ? []
        : step.items.flatMap((c) => (c.target === "repeat" ? [] : [targetId(actors, undefined, c.target)]));
    case "voidBill":
      return typeof step.replacement === "object" || step.replacement === "unknown"
        ? [targetId(actors, undefined, step.target), targetId(actors, undefined, step.replacement)]
        : [targetId(actors, undefined, step.target)];
    default:
      return [];
  }
}

/** Turns a generated step into a concrete sender and action, resolving targets and amounts against the model. */
function resolve(h: Harness, model: Model, step: Step): { actor: Actor; action: Action } {
  if (step.kind === "voidBill") {
    const billId = targetId(h.actors, model, step.target);
    const issuer = model.getBill(billId).issuer;
    const actor =
      step.actor === "issuer" ? (h.actors.find((a) => a.address === issuer) ?? h.actors[1]) : h.actors[step.actor];
    const replacementId =
      step.replacement === "none"
        ? ZERO
        : step.replacement === "self"
          ? billId
          : targetId(h.actors, model, step.replacement);
    return {
      actor,
      action: { kind: "voidBill", sender: actor.address, billId, reason: step.reason, replacementId },
    };
  }
  const actor = h.actors[step.actor];
  const sender = actor.address;
  switch (step.kind) {
    case "issue":
      return { actor, action: { kind: "issue", sender, bill: step.bill } };
    case "issueBatch":
      return {
        actor,
        action: { kind: "issueBatch", sender, bills: step.bills === "oversize" ? OVERSIZE : step.bills },
      };
    case "reimburse": {
      const billId = targetId(h.actors, model, step.target);
      const amount = amountOf(model, billId, step.amount);
      return { actor, action: { kind: "reimburse", sender, billId, amount, claimRef: step.claimRef } };
    }
    case "reimburseBatch": {
      if (step.items === "oversize") {
        const items = Array.from({ length: 301 }, () => ({
          billId: UNKNOWN_BILL,
          amount: 1n,
          claimRef: CLAIM_REFS[1],
        }));
        return { actor, action: { kind: "reimburseBatch", sender, items } };
      }
      const items: Reimbursement[] = [];
      for (const c of step.items) {
        const billId =
          c.target === "repeat"
            ? (items.at(-1)?.billId ?? targetId(h.actors, model, { existing: 0 }))
            : targetId(h.actors, model, c.target);
        items.push({ billId, amount: amountOf(model, billId, c.amount), claimRef: c.claimRef });
      }
      return { actor, action: { kind: "reimburseBatch", sender, items } };
    }
    case "pause":
    case "unpause":
      return { actor, action: { kind: step.kind, sender } };
    case "grantRole":
    case "revokeRole":
      return { actor, action: { kind: step.kind, sender, role: step.role, account: h.actors[step.account].address } };
    case "renounceRole":
      return {
        actor,
        action: {
          kind: "renounceRole",
          sender,
          role: step.role,
          account: step.account === "self" ? sender : h.actors[step.account].address,
        },
      };
  }
}

/** An amount spec resolved against the model's view of the bill (before the step). */
function amountOf(model: Model, billId: string, spec: AmountSpec): bigint {
  const bill = model.getBill(billId);
  const remaining = bill.amount - bill.reimbursed;
  const amounts: Record<Exclude<AmountSpec, bigint>, bigint> = {
    remaining: remaining > 0n ? remaining : 1n,
    half: remaining / 2n > 0n ? remaining / 2n : 1n,
    full: bill.amount > 0n ? bill.amount : 1n,
    remainingPlusOne: remaining + 1n,
    zero: 0n,
    maxUint: MAX_UINT256,
  };
  return typeof spec === "bigint" ? spec : amounts[spec];
}

const show = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

/** What the run saw, to prove the generator reaches the interesting cases. */
const stats = {
  started: Date.now(),
  sequences: 0,
  steps: 0,
  sendMs: 0,
  readMs: 0,
  outcomes: new Map<string, number>(),
};
const count = (key: string): void => {
  stats.outcomes.set(key, (stats.outcomes.get(key) ?? 0) + 1);
};

/** On long runs (`npm run test:deep`), prints done/total, rate and ETA every 250 sequences. */
function reportProgress(): void {
  if (RUNS < 1_000 || stats.sequences % 250 !== 0) return;
  const seconds = (Date.now() - stats.started) / 1000;
  const rate = stats.sequences / seconds;
  const eta = Math.max(0, (RUNS - stats.sequences) / rate);
  console.log(
    `      ${stats.sequences}/${RUNS} sequences, ${stats.steps} steps, ${rate.toFixed(1)} sequences/s, ` +
      `ETA ${Math.round(eta / 60)} min (seed ${SEED})`,
  );
}

/** Runs one sequence against a fresh registry and the model; throws with a step-by-step log on any mismatch. */
async function runSequence(steps: Step[]): Promise<void> {
  const h = await loadFixture(harnessFixture);
  const model = h.initialModel.clone();
  const accounts = h.actors.map((a) => a.address);
  const billIds = [...new Set(steps.flatMap((s) => idsOf(h.actors, s)))];
  const history = newHistory();
  const log: string[] = [];
  stats.sequences++;
  reportProgress();

  let pre = await chainState(h, billIds, accounts);
  let root = await storageRoot(h);
  expect(pre).to.deep.equal(modelState(model, billIds, accounts), "initial state differs from the model");
  for (const [index, step] of steps.entries()) {
    const { actor, action } = resolve(h, model, step);
    const expected: Outcome = model.apply(action);
    const t0 = Date.now();
    const { outcome: actual } = await execute(h, actor, action);
    const rootAfter = await storageRoot(h);
    stats.sendMs += Date.now() - t0;
    stats.steps++;
    count(actual.ok ? `${action.kind}: ok` : `${action.kind}: ${actual.error}`);
    const label = `${action.kind} by ${actor.name}`;
    log.push(`#${index} ${label} ${show(action)} → ${show(actual)}`);
    const context = `step #${index} (${label})\n${log.join("\n")}`;

    expect(actual, `outcome differs from the model at ${context}`).to.deep.equal(expected);
    if (!actual.ok) {
      // The registry's storage root is unchanged, so nothing at all changed: the state still equals `pre`, which
      // equals the model's (a refused action leaves the model as it was).
      expect(rootAfter, `a refused call changed the registry's storage at ${context}`).to.equal(root);
      continue;
    }
    const t1 = Date.now();
    const post = await chainState(h, billIds, accounts);
    stats.readMs += Date.now() - t1;
    expect(post, `state differs from the model after ${context}`).to.deep.equal(modelState(model, billIds, accounts));
    const violations = [
      ...checkState(post, accounts),
      ...checkTransition(
        pre,
        post,
        { kind: action.kind, sender: actor.address, ok: true, events: actual.events },
        history,
      ),
    ];
    expect(violations, `invariants broken after ${context}`).to.deep.equal([]);
    if (rootAfter === root && actual.events.length > 0) {
      expect.fail(`events without a storage change at ${context}`);
    }
    pre = post;
    root = rootAfter;
  }
  // Cross-check the lens with the registry's own views, one call each, on every tenth sequence.
  if (stats.sequences % 10 === 1) {
    expect(await chainStateDirect(h, billIds, accounts)).to.deep.equal(pre, "lens and direct reads disagree");
  }
}

describe("BillRegistry properties (random sequences against the model)", function () {
  this.timeout(Math.max(300_000, RUNS * 2_000));

  it(`keeps every promise over ${RUNS} random sequences of 5-25 actions`, async function () {
    const started = Date.now();
    stats.started = started;
    const details = await fc.check(fc.asyncProperty(sequenceArb, runSequence), {
      numRuns: RUNS,
      seed: SEED,
      path: PATH,
      endOnFailure: PATH === undefined ? false : true,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `      fast-check: seed ${SEED}, ${details.numRuns} sequences passed, ${stats.sequences} run in all, ` +
        `${stats.steps} steps, ${seconds} s (sending ${(stats.sendMs / 1000).toFixed(1)} s, ` +
        `reading state ${(stats.readMs / 1000).toFixed(1)} s)`,
    );
    if (details.failed) {
      throw new Error(
        `${fc.defaultReportMessage(details)}\n\nReplay: MEDBILL_FC_SEED=${details.seed} ` +
          `MEDBILL_FC_PATH=${details.counterexamplePath ?? ""} npx hardhat test test/contracts/BillRegistry.properties.test.ts` +
          `\n\nWhat failed on the shrunk counterexample:\n${String(details.errorInstance)}`,
        { cause: details.errorInstance },
      );
    }
    expect(details.numRuns).to.equal(RUNS);
  });

  it("reaches every kind of success and refusal (the generator is not degenerate)", function () {
    // Only meaningful over a full run (not a replay of one failure, nor a short run).
    if (RUNS < 100 || PATH !== undefined || stats.sequences < 100) this.skip();
    const seen = [...stats.outcomes.keys()];
    if (process.env.MEDBILL_FC_STATS)
      console.log(
        [...stats.outcomes.entries()]
          .sort()
          .map(([k, n]) => `${k}: ${n}`)
          .join("\n"),
      );
    const required = [
      "issue: ok",
      "issueBatch: ok",
      "reimburse: ok",
      "reimburseBatch: ok",
      "voidBill: ok",
      "pause: ok",
      "unpause: ok",
      "grantRole: ok",
      "revokeRole: ok",
      "renounceRole: ok",
      "issue: BillAlreadyIssued",
      "issue: AmountTooLarge",
      "issue: AccessControlUnauthorizedAccount",
      "issue: EnforcedPause",
      "issueBatch: BatchItemInvalid",
      "issueBatch: BatchTooLarge",
      "issueBatch: EmptyBatch",
      "reimburse: ReimbursementExceedsBalance",
      "reimburse: AlreadyReimbursedBy",
      "reimburse: BillNotReimbursable",
      "reimburse: BillNotFound",
      "reimburse: ZeroAmount",
      "reimburse: AccessControlUnauthorizedAccount",
      "reimburseBatch: BatchItemInvalid",
      "reimburseBatch: EmptyBatch",
      "reimburseBatch: BatchTooLarge",
      "reimburseBatch: AccessControlUnauthorizedAccount",
      "voidBill: NotBillIssuer",
      "voidBill: BillNotVoidable",
      "voidBill: InvalidReplacement",
      "grantRole: AccessControlEnforcedDefaultAdminRules",
    ];
    expect(required.filter((k) => !seen.includes(k))).to.deep.equal([]);
  });
});

describe("BillRegistry properties: the invariant checks themselves", function () {
  // The checks must fail on broken states, or the property above would pass vacuously.
  const id = ethers.id("some-bill");
  const issuer = "0x" + "11".repeat(20);
  const claimer = "0x" + "22".repeat(20);
  const base = (): StateView => ({
    bills: { [id]: { issuer, status: Status.Issued, amount: 100n, reimbursed: 0n, contentHash: ethers.id("doc") } },
    reimbursedBy: { [`${id}/${claimer}`]: 0n },
    roles: { [`${CLAIMER_ROLE}/${claimer}`]: true, [`${ISSUER_ROLE}/${claimer}`]: false },
    paused: false,
    defaultAdmin: issuer,
  });
  const paid = (amount: bigint, status: Status): StateView => {
    const s = base();
    s.bills[id] = { ...s.bills[id], status, reimbursed: amount };
    s.reimbursedBy[`${id}/${claimer}`] = amount;
    return s;
  };
  const reimbursed = (amount: bigint, total: bigint) => ({
    name: "BillReimbursed",
    args: [id, claimer, ethers.id("c"), amount, total],
  });

  it("flags over-reimbursement, a voided bill with money on it, and sums that do not add up", function () {
    expect(checkState(paid(101n, Status.Reimbursed), [claimer])).to.not.deep.equal([]);
    expect(checkState(paid(5n, Status.Voided), [claimer])).to.not.deep.equal([]);
    const s = paid(50n, Status.PartiallyReimbursed);
    s.reimbursedBy[`${id}/${claimer}`] = 40n;
    expect(checkState(s, [claimer])).to.not.deep.equal([]);
    expect(checkState(paid(50n, Status.PartiallyReimbursed), [claimer])).to.deep.equal([]);
  });

  it("flags a failed step that changed state, a final bill that changed, and a claimer paying twice", function () {
    const step = { kind: "reimburse", sender: claimer, ok: true, events: [reimbursed(50n, 50n)] };
    expect(checkTransition(base(), paid(50n, Status.PartiallyReimbursed), step, newHistory())).to.deep.equal([]);
    expect(
      checkTransition(base(), paid(50n, Status.PartiallyReimbursed), { ...step, ok: false, events: [] }, newHistory()),
    ).to.not.deep.equal([]);
    const full = paid(100n, Status.Reimbursed);
    const changed = paid(100n, Status.Reimbursed);
    changed.bills[id].contentHash = ethers.id("other");
    expect(checkTransition(full, changed, { ...step, events: [] }, newHistory())).to.not.deep.equal([]);
    const history = newHistory();
    history.claims.add(`${id}/${claimer}`);
    expect(checkTransition(base(), paid(50n, Status.PartiallyReimbursed), step, history)).to.not.deep.equal([]);
  });

  it("flags changes without their event, events without their change, and changes by accounts without the role", function () {
    const step = { kind: "reimburse", sender: claimer, ok: true, events: [reimbursed(50n, 50n)] };
    expect(
      checkTransition(base(), paid(50n, Status.PartiallyReimbursed), { ...step, events: [] }, newHistory()),
    ).to.not.deep.equal([]);
    expect(checkTransition(base(), base(), step, newHistory())).to.not.deep.equal([]);
    const noRole = base();
    noRole.roles[`${CLAIMER_ROLE}/${claimer}`] = false;
    const after = paid(50n, Status.PartiallyReimbursed);
    after.roles[`${CLAIMER_ROLE}/${claimer}`] = false;
    expect(checkTransition(noRole, after, step, newHistory())).to.not.deep.equal([]);
  });
});
