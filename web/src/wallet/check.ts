import {
  DeliveryExpiredError,
  DeliveryServiceError,
  InvalidDeliveryContentError,
  InvalidEnvelopeError,
  InvalidPatientCardError,
  InvalidPickupKeyError,
  MedBillError,
  NotAPickupLinkError,
  TamperedCiphertextError,
  UnknownDeliveryError,
  WrongKeyError,
  billIdOf,
  billNumberOf,
  decodeBillUri,
  hashBill,
  type DeliveredBill,
} from "../../../src";
import type { Outcome } from "../outcome";
import { checkUri, type Ledger } from "../verify";
import type { WalletLabelKey } from "./labels";

/** Why a bill could not be collected, each with its own message in the page. */
export type WalletProblem =
  | "not-pickup"
  | "bad-key"
  | "wrong-key"
  | "unknown-delivery"
  | "expired"
  | "tampered-ciphertext"
  | "service"
  | "rate-limited"
  | "bad-content"
  | "no-qr"
  | "no-crypto"
  | "card"
  | "storage"
  | "other";

/** The heading of each problem. */
export const WALLET_PROBLEM_LABELS: Record<WalletProblem, WalletLabelKey> = {
  "not-pickup": "errorNotPickup",
  "bad-key": "errorBadKey",
  "wrong-key": "errorWrongKey",
  "unknown-delivery": "errorUnknown",
  expired: "errorExpired",
  "tampered-ciphertext": "errorTampered",
  service: "errorService",
  "rate-limited": "errorRateLimited",
  "bad-content": "errorBadContent",
  "no-qr": "errorNoQr",
  "no-crypto": "errorNoCrypto",
  card: "errorCard",
  storage: "errorStorage",
  other: "errorOther",
};

/** A problem and its detail, as the page shows it. */
export interface WalletFailure {
  readonly problem: WalletProblem;
  readonly detail: string;
}

/** Names what went wrong while collecting or opening a delivery (the SDK's error classes, one message each). */
export function failureOf(error: unknown): WalletFailure {
  const detail = error instanceof Error ? error.message : String(error);
  const problem: WalletProblem =
    error instanceof NotAPickupLinkError
      ? "not-pickup"
      : error instanceof InvalidPickupKeyError
        ? "bad-key"
        : error instanceof WrongKeyError
          ? "wrong-key"
          : error instanceof UnknownDeliveryError
            ? "unknown-delivery"
            : error instanceof DeliveryExpiredError
              ? "expired"
              : error instanceof TamperedCiphertextError
                ? "tampered-ciphertext"
                : error instanceof DeliveryServiceError
                  ? error.status === 429
                    ? "rate-limited"
                    : "service"
                  : error instanceof InvalidDeliveryContentError || error instanceof InvalidEnvelopeError
                    ? "bad-content"
                    : error instanceof InvalidPatientCardError
                      ? "card"
                      : error instanceof MedBillError && error.code === "NO_WEBCRYPTO"
                        ? "no-crypto"
                        : "other";
  return { problem, detail };
}

/** A delivered bill checked against the chain. */
export interface CheckedBill {
  /** The bill's URI and document. */
  readonly content: DeliveredBill;
  /** What the ledger says about the URI (verdict with facts, or a problem reaching it). */
  readonly outcome: Outcome;
  /** The document's EIP-712 hash, recomputed in the page. */
  readonly recomputedHash: string;
  /** True when the recomputed hash and bill id are what the chain recorded (genuine or voided bill). */
  readonly matchesChain: boolean;
}

/**
 * Verifies a decrypted bill: reads the bill its URI names from the chain (consortium registry only), recomputes the
 * document's EIP-712 hash and bill id in the page, and compares them with what the chain recorded.
 *
 * @param content - The decrypted URI and document.
 * @param ledger - Where to check.
 * @returns The check.
 */
export async function checkDelivered(content: DeliveredBill, ledger: Ledger): Promise<CheckedBill> {
  const parts = decodeBillUri(content.uri);
  const recomputedHash = hashBill(content.bill, { chainId: parts.chainId, verifyingContract: parts.registry });
  const outcome = await checkUri(content.uri, ledger);
  let matchesChain = false;
  if (outcome.kind === "verdict" && outcome.bill && (outcome.verdict === "genuine" || outcome.verdict === "voided")) {
    // verdict genuine/voided: the chain's content hash is the URI's; the document must hash to it too.
    const sameId = billIdOf(outcome.bill.issuer, billNumberOf(content.bill)) === parts.billId;
    matchesChain = sameId && recomputedHash === parts.contentHash;
  }
  return { content, outcome, recomputedHash, matchesChain };
}
