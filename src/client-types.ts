/**
 * The types of {@link MedBillClient}'s options, results, events and queries (re-exported by `./client` and the
 * package's main entry).
 */
import type { MedicalBill, BillInput } from "./bill";
import type { BillStatusName } from "./errors";

/**
 * Where the registry is: its address; a map from chain id (decimal string) to address; or a function that finds
 * the address for the chain the node serves (e.g. `ignitionResolver(projectDir)` from `medbill/node`).
 */
export type RegistryTarget =
  string | Readonly<Record<string, string>> | ((chainId: bigint) => string | undefined | Promise<string | undefined>);

/** Options of {@link MedBillClient.connect}. */
export interface ConnectOptions {
  /** The chain the node must serve; {@link WrongChainError} otherwise. */
  readonly chainId?: bigint | number;
  /** First block to search for events (the registry's deployment block); default 0. */
  readonly fromBlock?: number;
  /** Blocks per `eth_getLogs` request in event queries; default 10,000. */
  readonly blockRange?: number;
  /** How long to wait for the node when connecting, in milliseconds; default 15,000. */
  readonly timeoutMs?: number;
}

/** A bill as stored on chain, with what is left to reimburse. */
export interface BillView {
  /** The bill's id. */
  readonly billId: string;
  /** The issuing hospital. */
  readonly issuer: string;
  /** Lifecycle status. */
  readonly status: BillStatusName;
  /** Total, in fen. */
  readonly amount: bigint;
  /** Reimbursed so far by all claimers, in fen. */
  readonly reimbursed: bigint;
  /** `amount − reimbursed`, in fen (0 once voided). */
  readonly remaining: bigint;
  /** EIP-712 hash of the bill document. */
  readonly contentHash: string;
}

/** What every write resolves to, once its transaction is mined. */
export interface WriteResult {
  /** The transaction's hash. */
  readonly txHash: string;
  /** The block it was mined in. */
  readonly blockNumber: number;
  /** Gas it used. */
  readonly gasUsed: bigint;
}

/** Result of {@link MedBillClient.issue}. */
export interface IssueResult extends WriteResult {
  /** The new bill's id. */
  readonly billId: string;
  /** What was sent. */
  readonly input: BillInput;
  /** The bill's URI for its QR code ({@link encodeBillUri}). */
  readonly uri: string;
  /** The patient's own secret that made `patientRef`, when one was given; else undefined (the bill's salt made it). */
  readonly patientSalt: string | undefined;
}

/**
 * One bill to issue: a document (version 2, carrying its salt: `patientRef` is made with the bill's salt), a
 * document with the patient's own secret (`patientSalt`: all that patient's bills share one `patientRef`), or a
 * ready `BillInput` (already hashed).
 */
export type IssueRequest = MedicalBill | { readonly document: MedicalBill; readonly patientSalt?: string } | BillInput;

/** Progress of {@link MedBillClient.issueMany}. */
export interface IssueProgress {
  /** Bills settled so far (issued or skipped). */
  readonly done: number;
  /** Bills asked for. */
  readonly total: number;
  /** Bills issued by this call so far. */
  readonly issued: number;
  /** Bills skipped because they were already on chain (or repeated in the input). */
  readonly skipped: number;
  /** Bills issued per second since the call started. */
  readonly billsPerSecond: number;
}

/** Options of {@link MedBillClient.issueMany}. */
export interface IssueManyOptions {
  /** Bills per transaction, 1 to 300 (`MAX_BATCH_SIZE`, the default). */
  readonly batchSize?: number;
  /** Transactions in flight at once (default 8). */
  readonly inFlight?: number;
  /** Concurrent `getBill` reads when checking which bills exist (default 32). */
  readonly checkConcurrency?: number;
  /**
   * Read every bill with `getBill` before sending. By default only the first and last bill of each batch are read,
   * and the whole batch is looked up in the `BillIssued` logs when one of them is on chain; a bill missed that way
   * makes its batch revert, and the batch is then read bill by bill and resent, so the outcome is the same.
   */
  readonly checkAll?: boolean;
  /** Called after the existence check and after each mined batch. */
  readonly onProgress?: (progress: IssueProgress) => void;
}

/** One transaction sent by {@link MedBillClient.issueMany}. */
export interface BatchReceipt extends WriteResult {
  /** Bills it issued. */
  readonly count: number;
}

/** Result of {@link MedBillClient.issueMany}. */
export interface IssueManyResult {
  /** Each request's bill id, in input order (issued now or already on chain). */
  readonly billIds: readonly string[];
  /** For each request: true when issued by this call, false when skipped (already on chain or repeated). */
  readonly issuedNow: readonly boolean[];
  /** What was (or would have been) sent for each request. */
  readonly inputs: readonly BillInput[];
  /** The patient's own secret given with each request, if any; else undefined (the bill's salt made `patientRef`). */
  readonly patientSalts: readonly (string | undefined)[];
  /** Bills issued by this call. */
  readonly issued: number;
  /** Bills skipped. */
  readonly skipped: number;
  /** Each transaction, in nonce order. */
  readonly transactions: readonly BatchReceipt[];
  /** The hashes of those transactions. */
  readonly txHashes: readonly string[];
  /** The last block a batch was mined in (null when nothing was sent). */
  readonly blockNumber: number | null;
  /** Gas used by all of them. */
  readonly gasUsed: bigint;
  /** Wall-clock seconds the call took. */
  readonly seconds: number;
  /** Bills issued per second. */
  readonly billsPerSecond: number;
}

/** Result of {@link MedBillClient.reimburse}. */
export interface ReimburseResult extends WriteResult {
  /** The bill. */
  readonly billId: string;
  /** What this claimer paid, in fen. */
  readonly amount: bigint;
  /** The bill's total reimbursed after it, in fen. */
  readonly totalReimbursed: bigint;
  /** The claim reference as recorded (32 bytes). */
  readonly claimRef: string;
}

/** Result of {@link MedBillClient.voidBill}. */
export interface VoidResult extends WriteResult {
  /** The bill voided. */
  readonly billId: string;
  /** The reason as recorded (32 bytes). */
  readonly reason: string;
  /** The replacement, or the zero hash. */
  readonly replacementId: string;
}

/** The answer of {@link MedBillClient.verify}. */
export type Verdict = "genuine" | "tampered" | "unknown" | "voided";

/** Result of {@link MedBillClient.verify}. */
export interface Verification {
  /**
   * `genuine`: issued, not voided, and its hash matches; `tampered`: issued but the document (or the URI's hash)
   * does not match what was recorded; `unknown`: never issued on this registry; `voided`: voided by its issuer.
   */
  readonly verdict: Verdict;
  /** The bill's id. */
  readonly billId: string;
  /** The hash checked (recomputed from the document, or taken from the URI). */
  readonly contentHash: string;
  /** The bill on chain, or null when unknown. */
  readonly bill: BillView | null;
}

/** Where and when an event happened. */
export interface EventMeta {
  /** Block number. */
  readonly blockNumber: number;
  /** Position of the log in the block. */
  readonly logIndex: number;
  /** Transaction hash. */
  readonly txHash: string;
}

/** A `BillIssued` event. */
export interface BillIssuedEvent extends EventMeta {
  /** Discriminant. */
  readonly kind: "issued";
  /** The bill. */
  readonly billId: string;
  /** Its issuer. */
  readonly issuer: string;
  /** The patient's commitment. */
  readonly patientRef: string;
  /** The on-chain bill number. */
  readonly billNumber: string;
  /** Total, in fen. */
  readonly amount: bigint;
  /** Document hash. */
  readonly contentHash: string;
}

/** A `BillReimbursed` event. */
export interface BillReimbursedEvent extends EventMeta {
  /** Discriminant. */
  readonly kind: "reimbursed";
  /** The bill. */
  readonly billId: string;
  /** The payer. */
  readonly claimer: string;
  /** The payer's claim reference. */
  readonly claimRef: string;
  /** Paid now, in fen. */
  readonly amount: bigint;
  /** The bill's total reimbursed after it, in fen. */
  readonly totalReimbursed: bigint;
}

/** A `BillVoided` event. */
export interface BillVoidedEvent extends EventMeta {
  /** Discriminant. */
  readonly kind: "voided";
  /** The bill. */
  readonly billId: string;
  /** Its issuer. */
  readonly issuer: string;
  /** The reason code. */
  readonly reason: string;
  /** The replacement, or the zero hash. */
  readonly replacementId: string;
}

/** Any event of a bill's life. */
export type BillEvent = BillIssuedEvent | BillReimbursedEvent | BillVoidedEvent;

/** An event of a bill's history with its block time. */
export type HistoryEntry = BillEvent & {
  /** The block's timestamp, seconds since the epoch. */
  readonly blockTime: number;
};

/** Block range of an event query. */
export interface BlockRange {
  /** First block (default: the client's `fromBlock`, 0 unless set at connect). */
  readonly fromBlock?: number;
  /** Last block (default: the latest block when the query starts). */
  readonly toBlock?: number;
}

/** A query of {@link MedBillClient.bills}: exactly one of `issuer`, `patientRef` or `claimer`. */
export type BillsQuery =
  | (BlockRange & { readonly issuer: string; readonly patientRef?: never; readonly claimer?: never })
  | (BlockRange & { readonly patientRef: string; readonly issuer?: never; readonly claimer?: never })
  | (BlockRange & { readonly claimer: string; readonly issuer?: never; readonly patientRef?: never });

/** The admin state of the registry (OpenZeppelin AccessControlDefaultAdminRules). */
export interface AdminState {
  /** The current admin. */
  readonly admin: string;
  /** The admin proposed by `beginAdminTransfer`, or the zero address. */
  readonly pendingAdmin: string;
  /** When the pending admin may accept, seconds since the epoch (0 when none). */
  readonly schedule: bigint;
  /** The hand-over delay in seconds. */
  readonly delay: bigint;
}

/** One claim for {@link MedBillClient.reimburseMany}: what the payer pays on one bill. */
export interface Claim {
  /** The bill (32-byte hex). */
  readonly billId: string;
  /** Fen: a bigint, a safe integer or a decimal string of digits; 1 to `MAX_AMOUNT`. */
  readonly amount: bigint | number | string;
  /** The payer's claim number: 32-byte hex, or text (packed or hashed by `toBytes32`). */
  readonly claimRef: string;
}

/** Progress of {@link MedBillClient.reimburseMany}. */
export interface ReimburseProgress {
  /** Claims settled so far (paid, found already paid, or refused). */
  readonly done: number;
  /** Claims asked for. */
  readonly total: number;
  /** Paid by this call so far. */
  readonly paid: number;
  /** Found paid by this payer with the same claim before (a rerun), or repeated in the input. */
  readonly alreadyPaid: number;
  /** Refused (see {@link ClaimOutcome}). */
  readonly refused: number;
  /** Reimbursements per second since the call started. */
  readonly reimbursementsPerSecond: number;
}

/** Options of {@link MedBillClient.reimburseMany}. */
export interface ReimburseManyOptions {
  /** Claims per transaction, 1 to 300 (`MAX_BATCH_SIZE`, the default). */
  readonly batchSize?: number;
  /** Transactions in flight at once (default 8). */
  readonly inFlight?: number;
  /** Concurrent reads when checking the bills before sending (default 64). */
  readonly checkConcurrency?: number;
  /** Called after each check and after each mined batch. */
  readonly onProgress?: (progress: ReimburseProgress) => void;
}

/** What became of one claim of {@link MedBillClient.reimburseMany}. */
export type ClaimOutcome =
  | {
      /** Paid by this call. */
      readonly status: "paid";
      /** The transaction that paid it. */
      readonly txHash: string;
      /** Its block. */
      readonly blockNumber: number;
    }
  | {
      /**
       * This payer had already paid this bill with this claim reference and amount (a rerun after a crash), or the
       * claim repeats an earlier one of the input; nothing was sent for it.
       */
      readonly status: "alreadyPaid";
      /** The transaction that paid it, when it was found in the logs. */
      readonly txHash: string | null;
    }
  | {
      /** Refused, with the registry's typed error (e.g. `BillNotFoundError`, `AlreadyReimbursedError`). */
      readonly status: "refused";
      /** Why: the error `reimburse` of this claim alone would raise. */
      readonly error: Error;
    };

/** Result of {@link MedBillClient.reimburseMany}. */
export interface ReimburseManyResult {
  /** Each claim's outcome, in input order. */
  readonly outcomes: readonly ClaimOutcome[];
  /** The claims as sent: bill id, fen and the 32-byte claim reference, in input order. */
  readonly claims: readonly { readonly billId: string; readonly amount: bigint; readonly claimRef: string }[];
  /** Paid by this call. */
  readonly paid: number;
  /** Found already paid (or repeated). */
  readonly alreadyPaid: number;
  /** Refused. */
  readonly refused: number;
  /** Each transaction, in block order. */
  readonly transactions: readonly BatchReceipt[];
  /** Gas used by all of them. */
  readonly gasUsed: bigint;
  /** Wall-clock seconds the call took. */
  readonly seconds: number;
  /** Reimbursements per second. */
  readonly reimbursementsPerSecond: number;
}

/** Result of {@link MedBillClient.reimburseBatch}. */
export interface ReimburseBatchResult extends WriteResult {
  /** Claims it paid. */
  readonly count: number;
}
