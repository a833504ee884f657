/**
 * What can be known of a claim before it is accepted, read from the chain through the SDK with the registry's own
 * rules in the registry's own order (`_reimburse`: bill unknown, not reimbursable, already reimbursed by this
 * payer, over the remaining amount): a refusal named after the contract error the claim would raise, or "this very
 * claim is paid already" (paid by this payer with the same claim reference and amount, e.g. through `bill:settle`).
 * While the node is away nothing can be known: the claim is accepted and the batcher judges it when it sends.
 */
import { NodeUnreachableError, toMedBillError, type BillEvent, type MedBillClient } from "../../src";
import type { ChainLink } from "../chain/link";
import type { ParsedClaim } from "./claim";

/** A refusal known in advance: its HTTP status and the contract error it names. */
export interface Refusal {
  readonly status: 409 | 422;
  /** The contract error's name, e.g. `BillNotFound`. */
  readonly contractError: string;
  readonly message: string;
  /** The error's arguments worth showing (amounts in fen as strings). */
  readonly details?: Readonly<Record<string, string>>;
}

/** The verdict on a claim before it is accepted. */
export type Verdict =
  | { readonly kind: "send" }
  | { readonly kind: "unknown" }
  | { readonly kind: "paid"; readonly txHash: string }
  | { readonly kind: "refused"; readonly refusal: Refusal };

/** The refusal of a claim with a zero amount (the contract's first check). */
export const ZERO_AMOUNT: Refusal = {
  status: 422,
  contractError: "ZeroAmount",
  message: "ZeroAmount: the amount must be at least 1 fen",
};

/** The refusal of a second claim on a bill this payer reimburses (or claims) already. */
export function alreadyReimbursed(billId: string, payer: string, by: string): Refusal {
  return {
    status: 409,
    contractError: "AlreadyReimbursedBy",
    message: `AlreadyReimbursedBy: ${payer} ${by} bill ${billId} (a payer reimburses a bill once)`,
    details: { billId, claimer: payer },
  };
}

const refused = (refusal: Refusal): Verdict => ({ kind: "refused", refusal });

/**
 * This payer's `BillReimbursed` of a bill it has reimbursed. Asked again while not found: the payment was just
 * mined and the provider's latest block (which bounds the log search) may still be the one before, for a moment.
 */
async function paymentOf(client: MedBillClient, billId: string, payer: string): Promise<BillEvent | undefined> {
  for (let attempt = 1; ; attempt++) {
    const found = (await client.history(billId)).find(
      (e) => e.kind === "reimbursed" && e.claimer.toLowerCase() === payer.toLowerCase(),
    );
    if (found !== undefined || attempt >= 4) return found;
    await new Promise((resolve) => setTimeout(resolve, 300)); // past ethers' 250 ms cache of the block number
  }
}

/**
 * Judges a claim against the chain.
 *
 * @param chain - The node link (its read client, and the payer it acts as).
 * @param claim - The claim.
 */
export async function judgeInAdvance(chain: ChainLink, claim: ParsedClaim): Promise<Verdict> {
  const client = chain.client;
  const payer = chain.identity?.address;
  if (client === undefined || payer === undefined || !chain.status().nodeUp) return { kind: "unknown" };
  const { billId, amount, claimRef } = claim;
  try {
    const bill = await client.getBill(billId);
    if (bill === null) {
      return refused({
        status: 422,
        contractError: "BillNotFound",
        message: `BillNotFound: bill ${billId} is not on chain`,
        details: { billId },
      });
    }
    const reimbursable = bill.status === "Issued" || bill.status === "PartiallyReimbursed";
    if (bill.reimbursed > 0n && (await client.reimbursedBy(billId, payer)) > 0n) {
      const mine = await paymentOf(client, billId, payer);
      if (mine?.kind === "reimbursed" && mine.claimRef.toLowerCase() === claimRef && mine.amount === amount) {
        return { kind: "paid", txHash: mine.txHash };
      }
      if (reimbursable) return refused(alreadyReimbursed(billId, payer, "has already reimbursed"));
    }
    if (!reimbursable) {
      return refused({
        status: 422,
        contractError: "BillNotReimbursable",
        message: `BillNotReimbursable: bill ${billId} is ${bill.status}`,
        details: { billId, status: bill.status },
      });
    }
    if (amount > bill.remaining) {
      return refused({
        status: 422,
        contractError: "ReimbursementExceedsBalance",
        message: `ReimbursementExceedsBalance: ${amount} fen requested, ${bill.remaining} fen remaining on bill ${billId}`,
        details: { billId, requested: amount.toString(), remaining: bill.remaining.toString() },
      });
    }
    return { kind: "send" };
  } catch (e) {
    const error = toMedBillError(e);
    if (!(error instanceof NodeUnreachableError)) throw error;
    chain.markDown(error);
    return { kind: "unknown" };
  }
}
