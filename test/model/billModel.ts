/**
 * A small, pure TypeScript model of the `BillRegistry` rules (docs/DESIGN.md "Rules that must always hold", the role
 * table, and the refusal precedence of the contract: pause, then role, then input, then state).
 *
 * The model knows nothing about a chain: property tests apply the same action to the model and to the deployed
 * contract and compare the outcomes (success with its events, or the exact custom error and its arguments) and then
 * the full state. Every address and `bytes32` in the model is lowercase hex; every number is a `bigint`.
 */
import { AbiCoder, ZeroAddress, ZeroHash, id, keccak256 } from "ethers";

/** `DEFAULT_ADMIN_ROLE` (zero). */
export const DEFAULT_ADMIN_ROLE = ZeroHash;
/** `keccak256("ISSUER_ROLE")`. */
export const ISSUER_ROLE = id("ISSUER_ROLE");
/** `keccak256("CLAIMER_ROLE")`. */
export const CLAIMER_ROLE = id("CLAIMER_ROLE");
/** The roles the model tracks, in the order snapshots read them. */
export const ROLES: readonly string[] = [DEFAULT_ADMIN_ROLE, ISSUER_ROLE, CLAIMER_ROLE];
/** Largest bill amount: 2^40 - 1 fen. */
export const MAX_AMOUNT = 2n ** 40n - 1n;
/** Most bills in one `issueBatch`. */
export const MAX_BATCH_SIZE = 300n;
/** 2^256 - 1. */
export const MAX_UINT256 = 2n ** 256n - 1n;

/** `IBillRegistry.BillStatus`, in declaration order. */
export enum Status {
  None = 0,
  Issued = 1,
  PartiallyReimbursed = 2,
  Reimbursed = 3,
  Voided = 4,
}

/** A bill as the model stores it (same fields as `IBillRegistry.Bill`). */
export interface ModelBill {
  issuer: string;
  status: Status;
  amount: bigint;
  reimbursed: bigint;
  contentHash: string;
}

/** What `issue` / `issueBatch` take for one bill. */
export interface BillInput {
  billNumber: string;
  patientRef: string;
  contentHash: string;
  amount: bigint;
}

/** One item of `reimburseBatch`. */
export interface Reimbursement {
  billId: string;
  amount: bigint;
  claimRef: string;
}

/** Every state-changing call the model understands. `sender` is the account that is `msg.sender` of the call. */
export type Action =
  | { kind: "issue"; sender: string; bill: BillInput }
  | { kind: "issueBatch"; sender: string; bills: BillInput[] }
  | { kind: "reimburse"; sender: string; billId: string; amount: bigint; claimRef: string }
  | { kind: "reimburseBatch"; sender: string; items: Reimbursement[] }
  | { kind: "voidBill"; sender: string; billId: string; reason: string; replacementId: string }
  | { kind: "pause"; sender: string }
  | { kind: "unpause"; sender: string }
  | { kind: "grantRole"; sender: string; role: string; account: string }
  | { kind: "revokeRole"; sender: string; role: string; account: string }
  | { kind: "renounceRole"; sender: string; role: string; account: string };

/** A value carried by an event or error argument, normalized (lowercase hex strings, bigints, booleans). */
export type Value = string | bigint | boolean;

/** An event the contract emits: its name and its arguments in ABI order. */
export interface ModelEvent {
  name: string;
  args: Value[];
}

/** The outcome of one action: success with the events it emitted, or a revert with a named custom error. */
export type Outcome = { ok: true; events: ModelEvent[] } | { ok: false; error: string; args: Value[] };

/** The 4-byte selector of an error signature, lowercase hex. */
export function selectorOf(signature: string): string {
  return id(signature).slice(0, 10);
}

/** `keccak256(abi.encode(issuer, billNumber))`, lowercase. */
export function billIdOf(issuer: string, billNumber: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [issuer, billNumber])).toLowerCase();
}

/** Selectors `BatchItemInvalid` carries as its `reason`. */
const FAULT = {
  BillAlreadyIssued: selectorOf("BillAlreadyIssued(bytes32)"),
  AmountTooLarge: selectorOf("AmountTooLarge(uint256,uint256)"),
  ZeroAmount: selectorOf("ZeroAmount()"),
  ZeroBillNumber: selectorOf("ZeroBillNumber()"),
  ZeroPatientRef: selectorOf("ZeroPatientRef()"),
  ZeroContentHash: selectorOf("ZeroContentHash()"),
  ZeroClaimRef: selectorOf("ZeroClaimRef()"),
  BillNotFound: selectorOf("BillNotFound(bytes32)"),
  BillNotReimbursable: selectorOf("BillNotReimbursable(bytes32,uint8)"),
  AlreadyReimbursedBy: selectorOf("AlreadyReimbursedBy(bytes32,address)"),
  ReimbursementExceedsBalance: selectorOf("ReimbursementExceedsBalance(bytes32,uint256,uint256)"),
} as const;

type Fault = keyof typeof FAULT;

/** A refusal: thrown inside the model, turned into an `{ ok: false }` outcome by {@link BillModel.apply}. */
class Refusal extends Error {
  constructor(
    readonly error: string,
    readonly args: Value[],
  ) {
    super(error);
  }
}

function refuse(error: string, ...args: Value[]): never {
  throw new Refusal(error, args);
}

const lower = (hex: string): string => hex.toLowerCase();

/** The model of one deployed registry. */
export class BillModel {
  /** Bills by id (only issued ones). */
  readonly bills = new Map<string, ModelBill>();
  /** `reimbursedBy`: bill id → claimer → amount (only non-zero entries). */
  readonly reimbursedBy = new Map<string, Map<string, bigint>>();
  /** Role → holders. */
  readonly roles = new Map<string, Set<string>>();
  /** The pause flag. */
  paused = false;
  /** The `defaultAdmin()` account. */
  defaultAdmin: string;

  /** A registry just deployed with `admin` as its only admin. */
  constructor(admin: string) {
    this.defaultAdmin = lower(admin);
    for (const role of ROLES) this.roles.set(role, new Set());
    this.roles.get(DEFAULT_ADMIN_ROLE)!.add(this.defaultAdmin);
  }

  /** A deep copy. */
  clone(): BillModel {
    const copy = new BillModel(this.defaultAdmin);
    for (const [billId, bill] of this.bills) copy.bills.set(billId, { ...bill });
    for (const [billId, byClaimer] of this.reimbursedBy) copy.reimbursedBy.set(billId, new Map(byClaimer));
    copy.roles.clear();
    for (const [role, holders] of this.roles) copy.roles.set(role, new Set(holders));
    copy.paused = this.paused;
    return copy;
  }

  /** `hasRole(role, account)`. */
  hasRole(role: string, account: string): boolean {
    return this.roles.get(lower(role))?.has(lower(account)) ?? false;
  }

  /** `getBill(billId)`: an unknown id reads as an empty bill with status None. */
  getBill(billId: string): ModelBill {
    return (
      this.bills.get(lower(billId)) ?? {
        issuer: ZeroAddress,
        status: Status.None,
        amount: 0n,
        reimbursed: 0n,
        contentHash: ZeroHash,
      }
    );
  }

  /** `reimbursedBy(billId, claimer)`. */
  getReimbursedBy(billId: string, claimer: string): bigint {
    return this.reimbursedBy.get(lower(billId))?.get(lower(claimer)) ?? 0n;
  }

  /**
   * Applies `action`: on success the model's state changes and the emitted events are returned; on a refusal the
   * state is left exactly as it was and the custom error (name and arguments) is returned.
   */
  apply(action: Action): Outcome {
    const work = this.clone();
    let events: ModelEvent[];
    try {
      events = work.run(action);
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, error: e.error, args: e.args };
      throw e;
    }
    this.bills.clear();
    for (const [k, v] of work.bills) this.bills.set(k, v);
    this.reimbursedBy.clear();
    for (const [k, v] of work.reimbursedBy) this.reimbursedBy.set(k, v);
    this.roles.clear();
    for (const [k, v] of work.roles) this.roles.set(k, v);
    this.paused = work.paused;
    this.defaultAdmin = work.defaultAdmin;
    return { ok: true, events };
  }

  /** Runs `action` on this (working) copy, throwing a {@link Refusal} on the first failed check. */
  private run(action: Action): ModelEvent[] {
    const sender = lower(action.sender);
    switch (action.kind) {
      case "issue": {
        this.whenNotPaused();
        this.onlyRole(ISSUER_ROLE, sender);
        const { billId, fault } = this.issueOne(action.bill, sender);
        if (fault === "BillAlreadyIssued") refuse(fault, billId);
        if (fault === "AmountTooLarge") refuse(fault, action.bill.amount, MAX_AMOUNT);
        if (fault !== undefined) refuse(fault);
        return [issuedEvent(billId, sender, action.bill)];
      }
      case "issueBatch": {
        this.whenNotPaused();
        this.onlyRole(ISSUER_ROLE, sender);
        const size = BigInt(action.bills.length);
        if (size === 0n) refuse("EmptyBatch");
        if (size > MAX_BATCH_SIZE) refuse("BatchTooLarge", size, MAX_BATCH_SIZE);
        const events: ModelEvent[] = [];
        action.bills.forEach((bill, i) => {
          const { billId, fault } = this.issueOne(bill, sender);
          if (fault !== undefined) refuse("BatchItemInvalid", BigInt(i), billId, FAULT[fault]);
          events.push(issuedEvent(billId, sender, bill));
        });
        return events;
      }
      case "reimburse": {
        this.whenNotPaused();
        this.onlyRole(CLAIMER_ROLE, sender);
        const outcome = this.reimburseOne(action, sender);
        if ("fault" in outcome) refuse(outcome.fault, ...outcome.args);
        return [outcome.event];
      }
      case "reimburseBatch": {
        this.whenNotPaused();
        this.onlyRole(CLAIMER_ROLE, sender);
        const size = BigInt(action.items.length);
        if (size === 0n) refuse("EmptyBatch");
        if (size > MAX_BATCH_SIZE) refuse("BatchTooLarge", size, MAX_BATCH_SIZE);
        return action.items.map((item, i) => {
          const outcome = this.reimburseOne(item, sender);
          if ("fault" in outcome) refuse("BatchItemInvalid", BigInt(i), lower(item.billId), FAULT[outcome.fault]);
          return outcome.event;
        });
      }
      case "voidBill": {
        this.whenNotPaused();
        this.onlyRole(ISSUER_ROLE, sender);
        const billId = lower(action.billId);
        const reason = lower(action.reason);
        const replacementId = lower(action.replacementId);
        if (reason === ZeroHash) refuse("ZeroReason");
        const bill = this.bills.get(billId);
        if (bill === undefined) refuse("BillNotFound", billId);
        if (bill.issuer !== sender) refuse("NotBillIssuer", billId, sender);
        if (bill.status !== Status.Issued) refuse("BillNotVoidable", billId, BigInt(bill.status));
        if (replacementId !== ZeroHash) {
          const replacement = this.bills.get(replacementId);
          if (
            replacementId === billId ||
            replacement === undefined ||
            replacement.issuer !== sender ||
            replacement.status === Status.Voided
          ) {
            refuse("InvalidReplacement", billId, replacementId);
          }
        }
        bill.status = Status.Voided;
        return [{ name: "BillVoided", args: [billId, sender, reason, replacementId] }];
      }
      case "pause":
        this.onlyRole(DEFAULT_ADMIN_ROLE, sender);
        this.whenNotPaused();
        this.paused = true;
        return [{ name: "Paused", args: [sender] }];
      case "unpause":
        this.onlyRole(DEFAULT_ADMIN_ROLE, sender);
        if (!this.paused) refuse("ExpectedPause");
        this.paused = false;
        return [{ name: "Unpaused", args: [sender] }];
      case "grantRole": {
        const role = lower(action.role);
        const account = lower(action.account);
        // AccessControlDefaultAdminRules refuses DEFAULT_ADMIN_ROLE before checking the caller.
        if (role === DEFAULT_ADMIN_ROLE) refuse("AccessControlEnforcedDefaultAdminRules");
        this.onlyRole(DEFAULT_ADMIN_ROLE, sender);
        return this.grant(role, account, sender);
      }
      case "revokeRole": {
        const role = lower(action.role);
        const account = lower(action.account);
        if (role === DEFAULT_ADMIN_ROLE) refuse("AccessControlEnforcedDefaultAdminRules");
        this.onlyRole(DEFAULT_ADMIN_ROLE, sender);
        return this.revoke(role, account, sender);
      }
      case "renounceRole": {
        const role = lower(action.role);
        const account = lower(action.account);
        // No admin transfer is ever scheduled in the model, so the schedule is unset (0).
        if (role === DEFAULT_ADMIN_ROLE && account === this.defaultAdmin) {
          refuse("AccessControlEnforcedDefaultAdminDelay", 0n);
        }
        if (account !== sender) refuse("AccessControlBadConfirmation");
        return this.revoke(role, account, sender);
      }
    }
  }

  private whenNotPaused(): void {
    if (this.paused) refuse("EnforcedPause");
  }

  private onlyRole(role: string, account: string): void {
    if (!this.hasRole(role, account)) refuse("AccessControlUnauthorizedAccount", account, role);
  }

  private grant(role: string, account: string, sender: string): ModelEvent[] {
    if (!this.roles.has(role)) this.roles.set(role, new Set());
    const holders = this.roles.get(role)!;
    if (holders.has(account)) return [];
    holders.add(account);
    return [{ name: "RoleGranted", args: [role, account, sender] }];
  }

  private revoke(role: string, account: string, sender: string): ModelEvent[] {
    const holders = this.roles.get(role);
    if (holders === undefined || !holders.has(account)) return [];
    holders.delete(account);
    return [{ name: "RoleRevoked", args: [role, account, sender] }];
  }

  /**
   * `_reimburse`: checks one reimbursement by `reimburse`'s rules and records it, or returns the fault (with the
   * arguments the single call's error carries) without writing.
   */
  private reimburseOne(
    item: Reimbursement,
    sender: string,
  ): { event: ModelEvent } | { fault: Exclude<Fault, "BillAlreadyIssued" | "AmountTooLarge">; args: Value[] } {
    const billId = lower(item.billId);
    const claimRef = lower(item.claimRef);
    if (item.amount === 0n) return { fault: "ZeroAmount", args: [] };
    if (claimRef === ZeroHash) return { fault: "ZeroClaimRef", args: [] };
    const bill = this.bills.get(billId);
    if (bill === undefined) return { fault: "BillNotFound", args: [billId] };
    if (bill.status !== Status.Issued && bill.status !== Status.PartiallyReimbursed) {
      return { fault: "BillNotReimbursable", args: [billId, BigInt(bill.status)] };
    }
    if (this.getReimbursedBy(billId, sender) !== 0n) return { fault: "AlreadyReimbursedBy", args: [billId, sender] };
    const remaining = bill.amount - bill.reimbursed;
    if (item.amount > remaining) {
      return { fault: "ReimbursementExceedsBalance", args: [billId, item.amount, remaining] };
    }
    bill.reimbursed += item.amount;
    bill.status = bill.reimbursed === bill.amount ? Status.Reimbursed : Status.PartiallyReimbursed;
    if (!this.reimbursedBy.has(billId)) this.reimbursedBy.set(billId, new Map());
    this.reimbursedBy.get(billId)!.set(sender, item.amount);
    return { event: { name: "BillReimbursed", args: [billId, sender, claimRef, item.amount, bill.reimbursed] } };
  }

  /** `_issue`: validates one bill and stores it, or returns the fault without writing. */
  private issueOne(input: BillInput, issuer: string): { billId: string; fault?: Fault } {
    const billNumber = lower(input.billNumber);
    const billId = billIdOf(issuer, billNumber);
    if (billNumber === ZeroHash) return { billId, fault: "ZeroBillNumber" };
    if (lower(input.patientRef) === ZeroHash) return { billId, fault: "ZeroPatientRef" };
    if (lower(input.contentHash) === ZeroHash) return { billId, fault: "ZeroContentHash" };
    if (input.amount === 0n) return { billId, fault: "ZeroAmount" };
    if (input.amount > MAX_AMOUNT) return { billId, fault: "AmountTooLarge" };
    if (this.bills.has(billId)) return { billId, fault: "BillAlreadyIssued" };
    this.bills.set(billId, {
      issuer,
      status: Status.Issued,
      amount: input.amount,
      reimbursed: 0n,
      contentHash: lower(input.contentHash),
    });
    return { billId };
  }
}

function issuedEvent(billId: string, issuer: string, bill: BillInput): ModelEvent {
  return {
    name: "BillIssued",
    args: [billId, issuer, lower(bill.patientRef), lower(bill.billNumber), bill.amount, lower(bill.contentHash)],
  };
}
