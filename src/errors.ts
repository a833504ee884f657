import { Interface, ZeroHash, id, type Result } from "ethers";
import { BillRegistry__factory } from "../typechain-types/factories/contracts/BillRegistry__factory";
import { MedBillError } from "./medbill-error";

/** The base class lives in its own module so that Node-only helpers use it without the contract types. */
export { MedBillError };

// ---------------------------------------------------------------------------------------------------------------
// Input errors

/** One problem found in a bill document: where (`path`, e.g. `"items.0.unitPrice"`) and what. */
export interface BillIssue {
  /** Dotted path of the offending field; `""` for the document as a whole. */
  readonly path: string;
  /** What is wrong with it. */
  readonly message: string;
}

/** A bill document failed validation; `issues` lists every field at fault, not just the first. */
export class InvalidBillError extends MedBillError {
  /** Every problem found. */
  readonly issues: readonly BillIssue[];
  /** @param issues - Every problem found. @param context - Which document, when validating many (e.g. `"bill 3"`). */
  constructor(issues: readonly BillIssue[], context?: string) {
    const list = issues.map((i) => `${i.path || "(document)"}: ${i.message}`).join("; ");
    super(`invalid bill${context ? ` (${context})` : ""}: ${list}`, "INVALID_BILL");
    this.issues = issues;
  }
}

/**
 * Claims given to `reimburseMany` failed validation before anything was sent; `issues` lists every fault, each
 * `path` naming the claim's index and field (e.g. `"3.amount"`).
 */
export class InvalidClaimsError extends MedBillError {
  /** Every problem found. */
  readonly issues: readonly BillIssue[];
  /** @param issues - Every problem found. */
  constructor(issues: readonly BillIssue[]) {
    super(`invalid claims: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, "INVALID_CLAIMS");
    this.issues = issues;
  }
}

/** A bill URI (QR payload) is malformed: wrong scheme, chain id, address checksum, hash length, or extra parts. */
export class InvalidUriError extends MedBillError {
  /** The URI as given. */
  readonly uri: string;
  /** @param message - What is wrong. @param uri - The URI as given. */
  constructor(message: string, uri: string) {
    super(message, "INVALID_URI");
    this.uri = uri;
  }
}

/** An amount is not an integer number of fen within bounds, or a yuan string is malformed. */
export class InvalidAmountError extends MedBillError {
  /** The value as given. */
  readonly value: unknown;
  /** @param message - What is wrong. @param value - The value as given. */
  constructor(message: string, value: unknown) {
    super(message, "INVALID_AMOUNT");
    this.value = value;
  }
}

/** An argument other than a bill or an amount is invalid (an address, a 32-byte value, an option). */
export class InvalidArgumentError extends MedBillError {
  /** Which argument. */
  readonly argument: string;
  /** @param argument - Which argument. @param message - What is wrong. */
  constructor(argument: string, message: string) {
    super(`${argument}: ${message}`, "INVALID_ARGUMENT");
    this.argument = argument;
  }
}

/** A write was asked of a client connected with a Provider only (no Signer). */
export class ReadOnlyError extends MedBillError {
  /** @param method - The write method called. */
  constructor(method: string) {
    super(`${method} needs a Signer: this client was connected read-only (with a Provider)`, "READ_ONLY");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Transport errors

/** The node could not be reached (connection refused, timeout, bad URL, server error). */
export class NodeUnreachableError extends MedBillError {
  /** @param message - Details. @param cause - The underlying error. */
  constructor(message: string, cause?: unknown) {
    super(message, "NODE_UNREACHABLE", { cause });
  }
}

/** The node serves another chain than the one expected (e.g. the chain named in a bill URI). */
export class WrongChainError extends MedBillError {
  /** The chain id expected. */
  readonly expected: bigint;
  /** The chain id the node serves. */
  readonly actual: bigint;
  /** @param expected - Chain id expected. @param actual - Chain id found. */
  constructor(expected: bigint, actual: bigint) {
    super(`wrong chain: expected chain ${expected}, the node serves chain ${actual}`, "WRONG_CHAIN");
    this.expected = expected;
    this.actual = actual;
  }
}

/** A bill URI names another registry than the one this client is connected to. */
export class WrongRegistryError extends MedBillError {
  /** The registry this client is connected to. */
  readonly expected: string;
  /** The registry named in the URI. */
  readonly actual: string;
  /** @param expected - Connected registry. @param actual - Registry in the URI. */
  constructor(expected: string, actual: string) {
    super(`wrong registry: this client is connected to ${expected}, the bill names ${actual}`, "WRONG_REGISTRY");
    this.expected = expected;
    this.actual = actual;
  }
}

/** No contract (no code) at the registry address on this chain, or no deployment recorded for this chain. */
export class NoContractError extends MedBillError {
  /** The address looked at, or `null` when no address was found for the chain. */
  readonly address: string | null;
  /** The chain id. */
  readonly chainId: bigint;
  /** @param address - Address looked at (or null). @param chainId - The chain. @param message - Details. */
  constructor(address: string | null, chainId: bigint, message?: string) {
    super(
      message ?? `no contract at ${address} on chain ${chainId}: is the registry deployed on this network?`,
      "NO_CONTRACT",
    );
    this.address = address;
    this.chainId = chainId;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Contract errors

/** Names of the lifecycle states of a bill, indexed by the contract's `BillStatus` enum value. */
export const BILL_STATUSES = ["None", "Issued", "PartiallyReimbursed", "Reimbursed", "Voided"] as const;

/** A bill's lifecycle status: `None` means never issued. */
export type BillStatusName = (typeof BILL_STATUSES)[number];

/** @internal Maps a contract enum value to its name. */
export function statusName(value: bigint | number): BillStatusName {
  const name = BILL_STATUSES[Number(value)];
  if (name === undefined) throw new MedBillError(`unknown bill status ${value}`, "UNKNOWN_STATUS");
  return name;
}

/**
 * A refusal by the registry: one of the contract's custom errors (or OpenZeppelin's), decoded. Each has its own
 * subclass with typed fields; `errorName`, `args` and `data` are on all of them.
 */
export class ContractError extends MedBillError {
  /** The Solidity error's name, e.g. `"BillAlreadyIssued"`. */
  readonly errorName: string;
  /** The decoded arguments, by name. */
  readonly args: Readonly<Record<string, unknown>>;
  /** The raw revert data. */
  readonly data: string;

  /**
   * @param errorName - Solidity error name. @param args - Decoded arguments. @param data - Raw revert data.
   * @param message - Human-readable description.
   */
  constructor(errorName: string, args: Readonly<Record<string, unknown>>, data: string, message: string) {
    super(message, toCode(errorName));
    this.errorName = errorName;
    this.args = args;
    this.data = data;
  }
}

/** A revert whose data is not an error of the registry (or no data at all); the raw data is kept. */
export class UnknownRevertError extends MedBillError {
  /** The raw revert data, `"0x"` when there was none. */
  readonly data: string;
  /** @param data - Raw revert data. @param message - Details. @param cause - The underlying error. */
  constructor(data: string, message?: string, cause?: unknown) {
    super(message ?? `transaction reverted with unknown data ${data}`, "UNKNOWN_REVERT", { cause });
    this.data = data;
  }
}

/** `BillAlreadyIssued(billId)`: this issuer already issued a bill with this number. */
export class BillAlreadyIssuedError extends ContractError {
  /** The existing bill's id. */
  readonly billId: string;
  /** @internal */
  constructor(a: Result, data: string) {
    super("BillAlreadyIssued", obj(a), data, `bill ${a.billId} was already issued`);
    this.billId = a.billId as string;
  }
}

/** `BillNotFound(billId)`: no bill with this id was ever issued. */
export class BillNotFoundError extends ContractError {
  /** The id asked for. */
  readonly billId: string;
  /** @internal */
  constructor(a: Result, data: string) {
    super("BillNotFound", obj(a), data, `bill ${a.billId} was never issued`);
    this.billId = a.billId as string;
  }
}

/** `ReimbursementExceedsBalance(billId, requested, remaining)`: more than what is left on the bill was asked. */
export class ReimbursementExceedsBalanceError extends ContractError {
  /** The bill. */
  readonly billId: string;
  /** The amount asked, in fen. */
  readonly requested: bigint;
  /** What is left to reimburse, in fen. */
  readonly remaining: bigint;
  /** @internal */
  constructor(a: Result, data: string) {
    super(
      "ReimbursementExceedsBalance",
      obj(a),
      data,
      `reimbursement of ${a.requested} fen exceeds the ${a.remaining} fen left on bill ${a.billId}`,
    );
    this.billId = a.billId as string;
    this.requested = a.requested as bigint;
    this.remaining = a.remaining as bigint;
  }
}

/** `AlreadyReimbursedBy(billId, claimer)`: this claimer already reimbursed this bill. */
export class AlreadyReimbursedError extends ContractError {
  /** The bill. */
  readonly billId: string;
  /** The claimer that already reimbursed it. */
  readonly claimer: string;
  /** @internal */
  constructor(a: Result, data: string) {
    super("AlreadyReimbursedBy", obj(a), data, `bill ${a.billId} was already reimbursed by ${a.claimer}`);
    this.billId = a.billId as string;
    this.claimer = a.claimer as string;
  }
}

/** `BillNotReimbursable(billId, status)`: the bill is fully reimbursed or voided. */
export class BillNotReimbursableError extends ContractError {
  /** The bill. */
  readonly billId: string;
  /** Its status. */
  readonly status: BillStatusName;
  /** @internal */
  constructor(a: Result, data: string) {
    const status = statusName(a.status as bigint);
    super("BillNotReimbursable", { ...obj(a), status }, data, `bill ${a.billId} is ${status}: not reimbursable`);
    this.billId = a.billId as string;
    this.status = status;
  }
}

/** `BillNotVoidable(billId, status)`: the bill has a reimbursement or is already voided. */
export class BillNotVoidableError extends ContractError {
  /** The bill. */
  readonly billId: string;
  /** Its status. */
  readonly status: BillStatusName;
  /** @internal */
  constructor(a: Result, data: string) {
    const status = statusName(a.status as bigint);
    super("BillNotVoidable", { ...obj(a), status }, data, `bill ${a.billId} is ${status}: it cannot be voided`);
    this.billId = a.billId as string;
    this.status = status;
  }
}

/** `NotBillIssuer(billId, caller)`: only the issuer of a bill may void it. */
export class NotBillIssuerError extends ContractError {
  /** The bill. */
  readonly billId: string;
  /** The account that tried. */
  readonly caller: string;
  /** @internal */
  constructor(a: Result, data: string) {
    super("NotBillIssuer", obj(a), data, `${a.caller} is not the issuer of bill ${a.billId}`);
    this.billId = a.billId as string;
    this.caller = a.caller as string;
  }
}

/** `InvalidReplacement(billId, replacementId)`: the replacement is not a live bill of the same issuer. */
export class InvalidReplacementError extends ContractError {
  /** The bill being voided. */
  readonly billId: string;
  /** The replacement named. */
  readonly replacementId: string;
  /** @internal */
  constructor(a: Result, data: string) {
    super(
      "InvalidReplacement",
      obj(a),
      data,
      `${a.replacementId} cannot replace bill ${a.billId}: not a live bill of the same issuer`,
    );
    this.billId = a.billId as string;
    this.replacementId = a.replacementId as string;
  }
}

/** `ZeroAmount()`: an amount of zero. */
export class ZeroAmountError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("ZeroAmount", obj(a), data, "the amount is zero");
  }
}

/** `AmountTooLarge(amount, maxAmount)`: the amount is above `MAX_AMOUNT`. */
export class AmountTooLargeError extends ContractError {
  /** The amount given, in fen. */
  readonly amount: bigint;
  /** The registry's maximum, in fen. */
  readonly maxAmount: bigint;
  /** @internal */
  constructor(a: Result, data: string) {
    super("AmountTooLarge", obj(a), data, `amount ${a.amount} fen is above the maximum ${a.maxAmount} fen`);
    this.amount = a.amount as bigint;
    this.maxAmount = a.maxAmount as bigint;
  }
}

/** `ZeroBillNumber()`: the bill number is zero. */
export class ZeroBillNumberError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("ZeroBillNumber", obj(a), data, "the bill number is zero");
  }
}

/** `ZeroPatientRef()`: the patient commitment is zero. */
export class ZeroPatientRefError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("ZeroPatientRef", obj(a), data, "the patient reference is zero");
  }
}

/** `ZeroContentHash()`: the content hash is zero. */
export class ZeroContentHashError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("ZeroContentHash", obj(a), data, "the content hash is zero");
  }
}

/** `ZeroClaimRef()`: the claim reference is zero. */
export class ZeroClaimRefError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("ZeroClaimRef", obj(a), data, "the claim reference is zero");
  }
}

/** `ZeroReason()`: the void reason is zero. */
export class ZeroReasonError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("ZeroReason", obj(a), data, "the void reason is zero");
  }
}

/** `EmptyBatch()`: a batch with no bills. */
export class EmptyBatchError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("EmptyBatch", obj(a), data, "the batch has no bills");
  }
}

/** `BatchTooLarge(size, maxSize)`: a batch above `MAX_BATCH_SIZE`. */
export class BatchTooLargeError extends ContractError {
  /** The batch's size. */
  readonly size: number;
  /** The registry's maximum. */
  readonly maxSize: number;
  /** @internal */
  constructor(a: Result, data: string) {
    super("BatchTooLarge", obj(a), data, `batch of ${a.size} bills is above the maximum of ${a.maxSize}`);
    this.size = Number(a.size);
    this.maxSize = Number(a.maxSize);
  }
}

/**
 * `BatchItemInvalid(index, billId, reason)`: one bill of a batch is invalid, so the whole batch reverted.
 * `reasonName` is the name of the error that bill alone would have raised (e.g. `"BillAlreadyIssued"`).
 */
export class BatchItemInvalidError extends ContractError {
  /** Position of the offending bill in the batch sent. */
  readonly index: number;
  /** The id the offending bill would have had. */
  readonly billId: string;
  /** Selector of the error the bill would have raised on its own. */
  readonly reason: string;
  /** Name of that error, e.g. `"BillAlreadyIssued"`, or `undefined` if the selector is unknown. */
  readonly reasonName: string | undefined;
  /** @internal */
  constructor(a: Result, data: string) {
    const reason = a.reason as string;
    const reasonName = registryInterface().getError(reason)?.name;
    super(
      "BatchItemInvalid",
      { ...obj(a), reasonName },
      data,
      `bill ${a.index} of the batch (id ${a.billId}) is invalid: ${reasonName ?? reason}; the whole batch was reverted`,
    );
    this.index = Number(a.index);
    this.billId = a.billId as string;
    this.reason = reason;
    this.reasonName = reasonName;
  }
}

/** `AccessControlUnauthorizedAccount(account, neededRole)`: the caller lacks the role the call needs. */
export class UnauthorizedError extends ContractError {
  /** The caller. */
  readonly account: string;
  /** The role it needs (bytes32). */
  readonly neededRole: string;
  /** The role's name, when it is one of the registry's roles. */
  readonly roleName: "admin" | "issuer" | "claimer" | undefined;
  /** @internal */
  constructor(a: Result, data: string) {
    const neededRole = a.neededRole as string;
    const roleName = ROLE_NAMES[neededRole];
    super(
      "AccessControlUnauthorizedAccount",
      { ...obj(a), roleName },
      data,
      `${a.account} lacks the ${roleName ?? neededRole} role`,
    );
    this.account = a.account as string;
    this.neededRole = neededRole;
    this.roleName = roleName;
  }
}

/** `AccessControlBadConfirmation()`: `renounceRole` was called for another account than the caller. */
export class BadConfirmationError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("AccessControlBadConfirmation", obj(a), data, "an account may only renounce its own roles");
  }
}

/** `AccessControlEnforcedDefaultAdminDelay(schedule)`: the admin hand-over's delay has not passed yet. */
export class AdminDelayNotPassedError extends ContractError {
  /** When the hand-over (or renouncement) becomes possible, in seconds since the epoch (0 when none scheduled). */
  readonly schedule: bigint;
  /** @internal */
  constructor(a: Result, data: string) {
    super(
      "AccessControlEnforcedDefaultAdminDelay",
      obj(a),
      data,
      `the admin delay has not passed yet (possible from ${a.schedule})`,
    );
    this.schedule = a.schedule as bigint;
  }
}

/** `AccessControlEnforcedDefaultAdminRules()`: the admin role can only change hands by the two-step transfer. */
export class AdminRulesError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super(
      "AccessControlEnforcedDefaultAdminRules",
      obj(a),
      data,
      "the admin role cannot be granted or revoked directly: use the two-step admin transfer",
    );
  }
}

/** `AccessControlInvalidDefaultAdmin(defaultAdmin)`: the caller is not the pending admin, or the admin is zero. */
export class InvalidDefaultAdminError extends ContractError {
  /** The account in question. */
  readonly defaultAdmin: string;
  /** @internal */
  constructor(a: Result, data: string) {
    super("AccessControlInvalidDefaultAdmin", obj(a), data, `${a.defaultAdmin} cannot become the admin now`);
    this.defaultAdmin = a.defaultAdmin as string;
  }
}

/** `EnforcedPause()`: the registry is paused. */
export class PausedError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("EnforcedPause", obj(a), data, "the registry is paused");
  }
}

/** `ExpectedPause()`: `unpause` was called while the registry is not paused. */
export class ExpectedPauseError extends ContractError {
  /** @internal */
  constructor(a: Result, data: string) {
    super("ExpectedPause", obj(a), data, "the registry is not paused");
  }
}

/** `SafeCastOverflowedUintDowncast(bits, value)`: a value (an admin delay) does not fit its storage. */
export class SafeCastOverflowError extends ContractError {
  /** The target width in bits. */
  readonly bits: number;
  /** The value that did not fit. */
  readonly value: bigint;
  /** @internal */
  constructor(a: Result, data: string) {
    super("SafeCastOverflowedUintDowncast", obj(a), data, `${a.value} does not fit in ${a.bits} bits`);
    this.bits = Number(a.bits);
    this.value = a.value as bigint;
  }
}

type ContractErrorClass = new (args: Result, data: string) => ContractError;

/** The class of each of the registry's errors, by Solidity error name. Every error in the ABI has one. */
export const CONTRACT_ERRORS: Readonly<Record<string, ContractErrorClass>> = {
  BillAlreadyIssued: BillAlreadyIssuedError,
  BillNotFound: BillNotFoundError,
  ReimbursementExceedsBalance: ReimbursementExceedsBalanceError,
  AlreadyReimbursedBy: AlreadyReimbursedError,
  BillNotReimbursable: BillNotReimbursableError,
  BillNotVoidable: BillNotVoidableError,
  NotBillIssuer: NotBillIssuerError,
  InvalidReplacement: InvalidReplacementError,
  ZeroAmount: ZeroAmountError,
  AmountTooLarge: AmountTooLargeError,
  ZeroBillNumber: ZeroBillNumberError,
  ZeroPatientRef: ZeroPatientRefError,
  ZeroContentHash: ZeroContentHashError,
  ZeroClaimRef: ZeroClaimRefError,
  ZeroReason: ZeroReasonError,
  EmptyBatch: EmptyBatchError,
  BatchTooLarge: BatchTooLargeError,
  BatchItemInvalid: BatchItemInvalidError,
  AccessControlUnauthorizedAccount: UnauthorizedError,
  AccessControlBadConfirmation: BadConfirmationError,
  AccessControlEnforcedDefaultAdminDelay: AdminDelayNotPassedError,
  AccessControlEnforcedDefaultAdminRules: AdminRulesError,
  AccessControlInvalidDefaultAdmin: InvalidDefaultAdminError,
  EnforcedPause: PausedError,
  ExpectedPause: ExpectedPauseError,
  SafeCastOverflowedUintDowncast: SafeCastOverflowError,
};

/** The registry's role ids (bytes32), by the SDK's role names. */
export const ROLES: Readonly<Record<"admin" | "issuer" | "claimer", string>> = {
  admin: ZeroHash,
  issuer: id("ISSUER_ROLE"),
  claimer: id("CLAIMER_ROLE"),
};

/** A role in the registry: `admin` (DEFAULT_ADMIN_ROLE), `issuer` (ISSUER_ROLE) or `claimer` (CLAIMER_ROLE). */
export type RoleName = keyof typeof ROLES;

const ROLE_NAMES: Readonly<Record<string, RoleName>> = Object.fromEntries(
  Object.entries(ROLES).map(([name, id]) => [id, name as RoleName]),
);

let cachedInterface: Interface | undefined;

/** @internal The registry's ABI interface (from TypeChain), created once. */
export function registryInterface(): Interface {
  cachedInterface ??= BillRegistry__factory.createInterface() as unknown as Interface;
  return cachedInterface;
}

/**
 * Decodes revert data into the typed error it stands for.
 *
 * @param data - Revert data (hex).
 * @returns The {@link ContractError} subclass for a registry error, else an {@link UnknownRevertError}.
 */
export function decodeRevertData(data: string): ContractError | UnknownRevertError {
  let parsed: ReturnType<Interface["parseError"]>;
  try {
    parsed = registryInterface().parseError(data);
  } catch {
    parsed = null;
  }
  if (parsed) {
    const Class = CONTRACT_ERRORS[parsed.name];
    if (Class) return new Class(parsed.args, data);
  }
  return new UnknownRevertError(data);
}

/**
 * Turns anything thrown by ethers (or by Hardhat's provider) into the SDK's error: a registry revert becomes its
 * typed {@link ContractError} subclass (found in the error's `data`, however deeply the provider nested it), a
 * connection failure a {@link NodeUnreachableError}; a {@link MedBillError} is returned as it is; a revert without
 * decodable data becomes an {@link UnknownRevertError}; anything else is returned unchanged.
 *
 * @param error - What was thrown.
 * @returns The error to throw instead.
 */
export function toMedBillError(error: unknown): unknown {
  if (error instanceof MedBillError) return error;
  const data = findRevertData(error);
  if (data !== undefined) {
    const decoded = decodeRevertData(data);
    if (decoded instanceof UnknownRevertError) {
      return new UnknownRevertError(data, `transaction reverted with unknown data ${data}: ${messageOf(error)}`, error);
    }
    return decoded;
  }
  if (isTransportFailure(error)) {
    return new NodeUnreachableError(`the node could not be reached: ${messageOf(error)}`, error);
  }
  if (isRevert(error)) {
    return new UnknownRevertError("0x", `transaction reverted without data: ${messageOf(error)}`, error);
  }
  return error;
}

/** @internal Finds hex revert data in an error object, looking through the nestings ethers and Hardhat use. */
export function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const e = error as Record<string, unknown>;
  const data = e.data;
  if (typeof data === "string" && /^0x([0-9a-fA-F]{8})([0-9a-fA-F]{2})*$/.test(data)) return data;
  for (const key of ["data", "error", "info", "cause", "revert", "payload"]) {
    const inner = e[key];
    if (inner && typeof inner === "object") {
      const found = findRevertData(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function isTransportFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (
      code === "ECONNREFUSED" ||
      code === "ECONNRESET" ||
      code === "ENOTFOUND" ||
      code === "EAI_AGAIN" ||
      code === "ETIMEDOUT" ||
      code === "UND_ERR_CONNECT_TIMEOUT" ||
      code === "UND_ERR_SOCKET" ||
      code === "NETWORK_ERROR" ||
      code === "TIMEOUT" ||
      code === "SERVER_ERROR"
    ) {
      return true;
    }
    e = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error;
  }
  return /ECONNREFUSED|fetch failed|failed to detect network|socket hang up/i.test(messageOf(error));
}

function isRevert(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const code = (error as { code?: unknown }).code;
  return code === "CALL_EXCEPTION" || /revert/i.test(messageOf(error));
}

function messageOf(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { shortMessage?: unknown; message?: unknown };
    if (typeof e.shortMessage === "string") return e.shortMessage;
    if (typeof e.message === "string") return e.message.split("\n")[0];
  }
  return String(error);
}

function obj(args: Result): Record<string, unknown> {
  try {
    return args.toObject();
  } catch {
    return {};
  }
}

function toCode(errorName: string): string {
  return errorName
    .replace(/^AccessControl/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase();
}
