/**
 * MedBill SDK: issue, verify and reimburse medical e-bills on a MedBill registry, from any TypeScript app.
 *
 * ```ts
 * import { MedBillClient, hashBill, toBillInput, encodeBillUri, decodeBillUri, MedBillError } from "medbill";
 * ```
 *
 * Node-only helpers (the consortium file and members' keys, Ignition's deployment record) are in `medbill/node`.
 *
 * @packageDocumentation
 */
export { MedBillClient } from "./client";
export type {
  AdminState,
  BatchReceipt,
  BillEvent,
  BillIssuedEvent,
  BillReimbursedEvent,
  BillsQuery,
  BillView,
  BillVoidedEvent,
  BlockRange,
  Claim,
  ClaimOutcome,
  ConnectOptions,
  EventMeta,
  HistoryEntry,
  IssueManyOptions,
  IssueManyResult,
  IssueProgress,
  IssueRequest,
  IssueResult,
  RegistryTarget,
  ReimburseBatchResult,
  ReimburseManyOptions,
  ReimburseManyResult,
  ReimburseProgress,
  ReimburseResult,
  Verdict,
  Verification,
  VoidResult,
  WriteResult,
} from "./client";
export {
  BILL_TYPES,
  DOMAIN_NAME,
  DOMAIN_VERSION,
  billDomain,
  billIdOf,
  billNumberOf,
  billToJson,
  billTypedData,
  hashBill,
  parseBill,
  parseBillInput,
  parseBillJson,
  patientIdDigest,
  patientRef,
  isSalt,
  randomSalt,
  toBillInput,
} from "./bill";
export type { BillDomain, BillInput, BillItem, BillTypedData, MedicalBill, MedicalBillJson } from "./bill";
export {
  LEDGER_CSV_COLUMNS,
  claimRefText,
  compareLedgerRows,
  ledgerCsvHeader,
  ledgerCsvLine,
  ledgerFromCsv,
  ledgerRowFromJson,
  ledgerRowOf,
  ledgerRowToJson,
  ledgerToCsv,
  ledgerTotals,
  ledgerTotalsToJson,
  readLedger,
} from "./ledger";
export type { LedgerQuery, LedgerRow, LedgerRowJson, LedgerSource, LedgerTotals, LedgerTotalsJson } from "./ledger";
export {
  BILL_SALT_LABEL,
  DEV_SALT_SECRET,
  MIN_SALT_SECRET_LENGTH,
  billRowInput,
  billRowToInput,
  deriveBillSalt,
  parseBillRow,
  saltBillRow,
} from "./bill-row";
export type { BillRow, SaltSecret, SaltedBillRow, UnsaltedBill } from "./bill-row";
export { MAX_AMOUNT, MAX_BATCH_SIZE, formatYuan, parseYuan, toFen } from "./amount";
export { LOCAL_CHAIN_IDS, MAX_TX_GAS, isLocalChain } from "./constants";
export {
  ConsortiumError,
  MEMBER_ROLES,
  checkConsortiumChain,
  findMember,
  lookupMember,
  memberAt,
  parseConsortium,
} from "./consortium";
export type { Consortium, ConsortiumMember, MemberRole } from "./consortium";
export type { ToFenOptions } from "./amount";
export { bytes32Text, toBytes32 } from "./bytes";
export { URI_SCHEME, decodeBillUri, encodeBillUri } from "./uri";
export type { BillUri } from "./uri";
export { billQr } from "./qr";
export type { BillQr, BillQrOptions } from "./qr";
export {
  AdminDelayNotPassedError,
  AdminRulesError,
  AlreadyReimbursedError,
  AmountTooLargeError,
  BadConfirmationError,
  BatchItemInvalidError,
  BatchTooLargeError,
  BILL_STATUSES,
  BillAlreadyIssuedError,
  BillNotFoundError,
  BillNotReimbursableError,
  BillNotVoidableError,
  CONTRACT_ERRORS,
  ContractError,
  EmptyBatchError,
  ExpectedPauseError,
  InvalidAmountError,
  InvalidArgumentError,
  InvalidBillError,
  InvalidClaimsError,
  InvalidDefaultAdminError,
  InvalidReplacementError,
  InvalidUriError,
  MedBillError,
  NoContractError,
  NodeUnreachableError,
  NotBillIssuerError,
  PausedError,
  ReadOnlyError,
  ReimbursementExceedsBalanceError,
  ROLES,
  SafeCastOverflowError,
  UnauthorizedError,
  UnknownRevertError,
  WrongChainError,
  WrongRegistryError,
  ZeroAmountError,
  ZeroBillNumberError,
  ZeroClaimRefError,
  ZeroContentHashError,
  ZeroPatientRefError,
  ZeroReasonError,
  decodeRevertData,
  toMedBillError,
} from "./errors";
export type { BillIssue, BillStatusName, RoleName } from "./errors";
export type { BillRegistry } from "../typechain-types/contracts/BillRegistry";
export { BillRegistry__factory } from "../typechain-types/factories/contracts/BillRegistry__factory";
export * from "./delivery";
