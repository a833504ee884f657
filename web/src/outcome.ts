import type { LabelKey } from "./i18n";

/** What the ledger says about a bill, as the page shows it. */
export type Verdict = "genuine" | "tampered" | "unknown" | "voided";

/** Why a bill could not be checked at all. */
export type Problem =
  | "malformed-uri"
  | "unreachable"
  | "wrong-chain"
  | "wrong-registry"
  | "no-contract"
  | "no-qr"
  | "bad-file"
  | "no-registry"
  | "camera"
  | "other";

/** One payer's reimbursement of a bill. */
export interface Payment {
  /** The payer's address. */
  readonly claimer: string;
  /** What it paid, in fen. */
  readonly amount: bigint;
  /** When (block time), if known. */
  readonly at?: Date;
}

/** One event in a bill's life. */
export interface HistoryEntry {
  /** What happened. */
  readonly kind: "issued" | "reimbursed" | "voided";
  /** When (block time), if known. */
  readonly at?: Date;
  /** Who did it (hospital or payer). */
  readonly actor: string;
  /** The amount involved, in fen (issue: the bill's amount; reimbursement: the payment). */
  readonly amount?: bigint;
  /** The transaction. */
  readonly txHash: string;
  /** For a void: the hospital's reason, when it is readable text. */
  readonly reason?: string;
}

/** A bill as read from the ledger. */
export interface BillFacts {
  /** The bill's id (32-byte hex). */
  readonly billId: string;
  /** The issuing hospital's address. */
  readonly issuer: string;
  /** On-chain status. */
  readonly status: "Issued" | "PartiallyReimbursed" | "Reimbursed" | "Voided";
  /** Amount in fen. */
  readonly amount: bigint;
  /** Reimbursed so far, in fen. */
  readonly reimbursed: bigint;
  /** Left to reimburse, in fen (0 once voided). */
  readonly remaining: bigint;
  /** Who reimbursed how much. */
  readonly payments: readonly Payment[];
  /** Every event, oldest first. */
  readonly history: readonly HistoryEntry[];
  /** For a voided bill: the replacement's id, when one was named. */
  readonly replacementId?: string;
  /** For a voided bill with a replacement: the replacement's URI, to verify it in turn. */
  readonly replacementUri?: string;
}

/** Where the bill was checked. */
export interface Source {
  /** Node URL. */
  readonly rpcUrl: string;
  /** Chain id, when known. */
  readonly chainId?: bigint;
  /** Registry address, when known. */
  readonly registry?: string;
}

/** The result of one check: a verdict on a bill, or a problem preventing one. */
export type Outcome =
  | {
      readonly kind: "verdict";
      readonly verdict: Verdict;
      readonly billId: string;
      readonly bill?: BillFacts;
      readonly source: Source;
      /** When a bill file was checked: the total it states, in fen (it may differ from the ledger's when tampered). */
      readonly fileTotal?: bigint;
    }
  | { readonly kind: "problem"; readonly problem: Problem; readonly detail: string; readonly source?: Source };

/** The label of each problem's heading. */
export const PROBLEM_LABELS: Record<Problem, LabelKey> = {
  "malformed-uri": "errorMalformedUri",
  unreachable: "errorUnreachable",
  "wrong-chain": "errorWrongChain",
  "wrong-registry": "errorWrongRegistry",
  "no-contract": "errorNoContract",
  "no-qr": "errorNoQr",
  "bad-file": "errorBadFile",
  "no-registry": "errorNoRegistry",
  camera: "errorCamera",
  other: "errorOther",
};
