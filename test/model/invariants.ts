/**
 * The product's promises, checked on the chain's own state and events, independently of {@link BillModel}: a model
 * that shared a bug with the contract would still be caught here.
 *
 * Each function returns the list of violations it found (empty when everything holds), so a test can print all of
 * them at once.
 */
import { billIdOf, CLAIMER_ROLE, DEFAULT_ADMIN_ROLE, ISSUER_ROLE, Status, type ModelEvent } from "./billModel";
import type { StateView } from "./registryHarness";

/** What one step did, as the chain reports it. */
export interface StepReport {
  /** The function called (an {@link Action} kind). */
  kind: string;
  /** `msg.sender`, lowercase. */
  sender: string;
  /** Whether the transaction succeeded. */
  ok: boolean;
  /** The registry events it emitted. */
  events: ModelEvent[];
}

/** Facts remembered across the steps of one sequence. */
export interface History {
  /** `${billId}/${claimer}` of every `BillReimbursed` so far. */
  claims: Set<string>;
  /** Ids of every bill seen `Voided` so far. */
  voided: Set<string>;
}

/** A fresh {@link History}. */
export function newHistory(): History {
  return { claims: new Set(), voided: new Set() };
}

const FINAL = new Set([Status.Reimbursed, Status.Voided]);

/**
 * Invariants of one state: for every bill, the sum reimbursed is at most its amount and equals the sum of what each
 * account reimbursed; the status agrees with the amounts; a voided bill carries no reimbursement; an unknown bill
 * is empty.
 */
export function checkState(state: StateView, accounts: readonly string[]): string[] {
  const violations: string[] = [];
  for (const [billId, bill] of Object.entries(state.bills)) {
    const perClaimer = accounts.map((a) => state.reimbursedBy[`${billId}/${a}`] ?? 0n);
    const sum = perClaimer.reduce((x, y) => x + y, 0n);
    const where = `bill ${billId}`;
    if (bill.reimbursed > bill.amount)
      violations.push(`${where}: reimbursed ${bill.reimbursed} > amount ${bill.amount}`);
    if (sum !== bill.reimbursed)
      violations.push(`${where}: sum of reimbursedBy ${sum} != reimbursed ${bill.reimbursed}`);
    switch (bill.status) {
      case Status.None:
        if (
          bill.amount !== 0n ||
          bill.reimbursed !== 0n ||
          !/^0x0{40}$/.test(bill.issuer) ||
          !/^0x0{64}$/.test(bill.contentHash)
        ) {
          violations.push(`${where}: status None but not empty`);
        }
        break;
      case Status.Issued:
        if (bill.reimbursed !== 0n) violations.push(`${where}: Issued with reimbursed ${bill.reimbursed}`);
        break;
      case Status.PartiallyReimbursed:
        if (!(bill.reimbursed > 0n && bill.reimbursed < bill.amount)) {
          violations.push(`${where}: PartiallyReimbursed with ${bill.reimbursed} of ${bill.amount}`);
        }
        break;
      case Status.Reimbursed:
        if (bill.reimbursed !== bill.amount)
          violations.push(`${where}: Reimbursed with ${bill.reimbursed} of ${bill.amount}`);
        break;
      case Status.Voided:
        if (bill.reimbursed !== 0n) violations.push(`${where}: Voided but reimbursed ${bill.reimbursed}`);
        break;
      default:
        violations.push(`${where}: unknown status ${String(bill.status)}`);
    }
    if (bill.status !== Status.None && (bill.amount === 0n || /^0x0{64}$/.test(bill.contentHash))) {
      violations.push(`${where}: issued with a zero amount or content hash`);
    }
  }
  return violations;
}

/** The role a caller must hold for a call of `kind` to change anything (`renounceRole`: only its own roles). */
function requiredRole(kind: string): string | undefined {
  switch (kind) {
    case "issue":
    case "issueBatch":
    case "voidBill":
      return ISSUER_ROLE;
    case "reimburse":
    case "reimburseBatch":
      return CLAIMER_ROLE;
    case "pause":
    case "unpause":
    case "grantRole":
    case "revokeRole":
      return DEFAULT_ADMIN_ROLE;
    default:
      return undefined;
  }
}

const same = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ===
  JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/**
 * Invariants of one transition `pre` → `post` caused by `step`:
 * - a failed transaction changes nothing and emits nothing;
 * - a Reimbursed or Voided bill never changes again; issuer, amount and content hash never change after issue;
 * - only a holder of the required role (read from the chain before the step) changes anything;
 * - every event matches a state change and every state change has its event;
 * - each claimer reimburses a bill at most once; a voided bill is never reimbursed (over the whole sequence).
 */
export function checkTransition(pre: StateView, post: StateView, step: StepReport, history: History): string[] {
  const v: string[] = [];
  if (!step.ok) {
    if (!same(pre, post)) v.push(`failed ${step.kind} changed state`);
    if (step.events.length !== 0) v.push(`failed ${step.kind} emitted events`);
    return v;
  }

  const changedBills = new Set<string>();
  for (const billId of Object.keys(post.bills)) {
    const a = pre.bills[billId];
    const b = post.bills[billId];
    if (!same(a, b)) changedBills.add(billId);
    if (
      a.status !== Status.None &&
      (a.issuer !== b.issuer || a.amount !== b.amount || a.contentHash !== b.contentHash)
    ) {
      v.push(`bill ${billId}: issuer, amount or content hash changed after issue`);
    }
    if (FINAL.has(a.status) && !same(a, b)) v.push(`bill ${billId}: final status ${Status[a.status]} changed`);
  }
  const changedClaims = new Set<string>();
  for (const key of Object.keys(post.reimbursedBy)) {
    if (pre.reimbursedBy[key] !== post.reimbursedBy[key]) {
      changedClaims.add(key);
      const billId = key.split("/")[0];
      if (FINAL.has(pre.bills[billId].status)) v.push(`${key}: reimbursedBy changed on a final bill`);
    }
  }
  const changedRoles = Object.keys(post.roles).filter((k) => pre.roles[k] !== post.roles[k]);
  const pausedChanged = pre.paused !== post.paused;
  const anyChange =
    changedBills.size + changedClaims.size + changedRoles.length > 0 ||
    pausedChanged ||
    pre.defaultAdmin !== post.defaultAdmin;

  // Only role holders change anything.
  if (anyChange) {
    const role = requiredRole(step.kind);
    if (role !== undefined && !pre.roles[`${role}/${step.sender}`]) {
      v.push(`${step.kind} by ${step.sender} changed state without ${role}`);
    }
    if (step.kind === "renounceRole" && changedRoles.some((k) => !k.endsWith(`/${step.sender}`))) {
      v.push(`renounceRole by ${step.sender} changed someone else's role`);
    }
  }
  if (pre.defaultAdmin !== post.defaultAdmin) v.push("defaultAdmin changed");

  // Events agree with state changes, one by one.
  const explainedBills = new Set<string>();
  const explainedClaims = new Set<string>();
  const explainedRoles = new Set<string>();
  let explainedPause = false;
  for (const e of step.events) {
    const [a0, a1, a2, a3, a4, a5] = e.args as [string, string, string, string, bigint, string];
    switch (e.name) {
      case "BillIssued": {
        const [billId, issuer, , billNumber, amount, contentHash] = [a0, a1, a2, a3, a4, a5];
        explainedBills.add(billId);
        const before = pre.bills[billId];
        const after = post.bills[billId];
        if (billId !== billIdOf(issuer, billNumber)) v.push(`BillIssued ${billId}: id is not billIdOf(issuer, number)`);
        if (issuer !== step.sender) v.push(`BillIssued ${billId}: issuer ${issuer} is not the sender`);
        if (before === undefined || after === undefined) {
          v.push(`BillIssued ${billId}: bill not tracked`);
          break;
        }
        if (before.status !== Status.None) v.push(`BillIssued ${billId}: bill existed before`);
        if (
          after.status !== Status.Issued ||
          after.issuer !== issuer ||
          after.amount !== amount ||
          after.reimbursed !== 0n ||
          after.contentHash !== contentHash
        ) {
          v.push(`BillIssued ${billId}: stored bill does not match the event`);
        }
        break;
      }
      case "BillReimbursed": {
        const [billId, claimer] = [a0, a1];
        const amount = e.args[3] as bigint;
        const total = e.args[4] as bigint;
        const key = `${billId}/${claimer}`;
        explainedBills.add(billId);
        explainedClaims.add(key);
        if (claimer !== step.sender) v.push(`BillReimbursed ${billId}: claimer ${claimer} is not the sender`);
        if (history.claims.has(key)) v.push(`BillReimbursed ${billId}: ${claimer} reimbursed it twice`);
        history.claims.add(key);
        if (history.voided.has(billId)) v.push(`BillReimbursed ${billId}: the bill was voided earlier`);
        const before = pre.bills[billId];
        const after = post.bills[billId];
        if (before === undefined || after === undefined) {
          v.push(`BillReimbursed ${billId}: bill not tracked`);
          break;
        }
        if (pre.reimbursedBy[key] !== 0n || post.reimbursedBy[key] !== amount) {
          v.push(
            `BillReimbursed ${billId}: reimbursedBy went ${pre.reimbursedBy[key]} → ${post.reimbursedBy[key]}, not 0 → ${amount}`,
          );
        }
        if (amount === 0n) v.push(`BillReimbursed ${billId}: zero amount`);
        if (after.reimbursed !== total || total !== before.reimbursed + amount) {
          v.push(
            `BillReimbursed ${billId}: total ${total} does not match ${before.reimbursed} + ${amount} → ${after.reimbursed}`,
          );
        }
        const expectedStatus = total === after.amount ? Status.Reimbursed : Status.PartiallyReimbursed;
        if (after.status !== expectedStatus) v.push(`BillReimbursed ${billId}: status ${Status[after.status]}`);
        break;
      }
      case "BillVoided": {
        const [billId, issuer] = [a0, a1];
        explainedBills.add(billId);
        history.voided.add(billId);
        const before = pre.bills[billId];
        const after = post.bills[billId];
        if (before === undefined || after === undefined) {
          v.push(`BillVoided ${billId}: bill not tracked`);
          break;
        }
        if (issuer !== step.sender || before.issuer !== issuer)
          v.push(`BillVoided ${billId}: not voided by its issuer`);
        if (before.status !== Status.Issued) v.push(`BillVoided ${billId}: voided from ${Status[before.status]}`);
        if (after.status !== Status.Voided) v.push(`BillVoided ${billId}: status after is ${Status[after.status]}`);
        break;
      }
      case "RoleGranted":
      case "RoleRevoked": {
        const [role, account, sender] = [a0, a1, a2];
        const key = `${role}/${account}`;
        explainedRoles.add(key);
        if (sender !== step.sender) v.push(`${e.name} ${key}: sender ${sender} is not the caller`);
        const expected = e.name === "RoleGranted";
        if (key in post.roles && (pre.roles[key] === expected || post.roles[key] !== expected)) {
          v.push(`${e.name} ${key}: role went ${pre.roles[key]} → ${post.roles[key]}`);
        }
        break;
      }
      case "Paused":
      case "Unpaused": {
        explainedPause = true;
        const expected = e.name === "Paused";
        if (pre.paused === expected || post.paused !== expected)
          v.push(`${e.name}: paused went ${pre.paused} → ${post.paused}`);
        break;
      }
      default:
        v.push(`unexpected event ${e.name}`);
    }
  }
  for (const billId of changedBills) if (!explainedBills.has(billId)) v.push(`bill ${billId} changed without an event`);
  for (const key of changedClaims)
    if (!explainedClaims.has(key)) v.push(`reimbursedBy ${key} changed without an event`);
  for (const key of changedRoles) if (!explainedRoles.has(key)) v.push(`role ${key} changed without an event`);
  if (pausedChanged && !explainedPause) v.push("paused changed without an event");
  return v;
}
