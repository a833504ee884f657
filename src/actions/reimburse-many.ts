/**
 * @internal `MedBillClient.reimburseMany`: validate every claim, judge each against the chain (this payer's
 * record for the bill and its claim reference decide what a rerun must not pay again), send atomic
 * `reimburseBatch` transactions through the pipeline, and refuse a claim the registry would refuse with the typed
 * error it would raise, paying the rest.
 */
import { toFen } from "../amount";
import { MAX_BATCH_SIZE } from "../constants";
import { bytes32Arg, toBytes32 } from "../bytes";
import type { BatchReceipt, Claim, ClaimOutcome, ReimburseManyOptions, ReimburseManyResult } from "../client-types";
import {
  BatchItemInvalidError,
  InvalidArgumentError,
  InvalidClaimsError,
  MedBillError,
  NodeUnreachableError,
  toMedBillError,
  UnknownRevertError,
  type BillIssue,
} from "../errors";
import { encodeReimburseBatch, type ReimbursementInput } from "../pipeline/calldata";
import { nonceClash } from "../pipeline/nonces";
import { sleep } from "../pipeline/util";
import { writeResult, type ActionContext } from "./context";
import { judgeByLedger, judgeByReads, readPayerLedger } from "./reimburse-judge";
import { checkPipelineOptions } from "./issue-many";

const ZERO32 = "0x" + "0".repeat(64);

/**
 * Checks claims and turns them into what `reimburseBatch` takes. Every fault of every claim is listed in one
 * {@link InvalidClaimsError}; a bill claimed twice with another amount or reference is one (a payer reimburses a
 * bill once), the same claim repeated is not.
 */
export function parseClaims(claims: readonly Claim[]): ReimbursementInput[] {
  if (!Array.isArray(claims)) throw new InvalidArgumentError("claims", "expected an array");
  const issues: BillIssue[] = [];
  const items = claims.map((claim, i): ReimbursementInput => {
    if (claim === null || typeof claim !== "object") {
      issues.push({ path: String(i), message: "expected { billId, amount, claimRef }" });
      return { billId: ZERO32, amount: 0n, claimRef: ZERO32 };
    }
    const field = <T>(name: string, parse: () => T, fallback: T): T => {
      try {
        return parse();
      } catch (e) {
        issues.push({ path: `${i}.${name}`, message: e instanceof MedBillError ? e.message : String(e) });
        return fallback;
      }
    };
    const billId = field("billId", () => bytes32Arg("billId", claim.billId), ZERO32);
    const amount = field("amount", () => toFen(claim.amount, "amount"), 0n);
    const claimRef = field(
      "claimRef",
      () => {
        const ref = toBytes32(claim.claimRef);
        if (ref === ZERO32) throw new InvalidArgumentError("claimRef", "must not be empty or zero");
        return ref;
      },
      ZERO32,
    );
    return { billId, amount, claimRef };
  });
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.billId === ZERO32) return;
    const f = first.get(item.billId);
    if (f === undefined) first.set(item.billId, i);
    else if (items[f].amount !== item.amount || items[f].claimRef !== item.claimRef) {
      issues.push({
        path: `${i}.billId`,
        message: `same bill as claim ${f} with another amount or claim reference (a payer reimburses a bill once)`,
      });
    }
  });
  if (issues.length > 0) throw new InvalidClaimsError(issues);
  return items;
}

/** See `MedBillClient.reimburseMany`. */
export async function reimburseMany(
  ctx: ActionContext,
  claims: readonly Claim[],
  options: ReimburseManyOptions = {},
): Promise<ReimburseManyResult> {
  const signer = ctx.sender.requireSigner("reimburseMany");
  const started = Date.now();
  const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
  const inFlight = options.inFlight ?? 8;
  const concurrency = options.checkConcurrency ?? 64;
  checkPipelineOptions(batchSize, inFlight, concurrency);
  const items = parseClaims(claims);
  const claimer = await signer.getAddress();

  const total = items.length;
  const outcomes = new Array<ClaimOutcome | undefined>(total);
  const transactions: BatchReceipt[] = [];
  const count = { paid: 0, alreadyPaid: 0, refused: 0 };
  const settle = (i: number, outcome: ClaimOutcome): void => {
    outcomes[i] = outcome;
    count[outcome.status]++;
  };
  const progress = (): void => {
    const seconds = (Date.now() - started) / 1000;
    options.onProgress?.({
      done: count.paid + count.alreadyPaid + count.refused,
      total,
      ...count,
      reimbursementsPerSecond: seconds > 0 ? count.paid / seconds : 0,
    });
  };

  // A claim repeated in the input shares its first occurrence's outcome.
  const firstOf = new Map<string, number>();
  const repeats: [number, number][] = [];
  let pending: number[] = [];
  items.forEach((item, i) => {
    const f = firstOf.get(item.billId);
    if (f === undefined) {
      firstOf.set(item.billId, i);
      pending.push(i);
    } else repeats.push([i, f]);
  });
  // Claims a batch's preflight named as invalid: the registry's own error is asked for if the reads find none.
  const blamed = new Set<number>();
  const fn = ctx.contract.getFunction("reimburseBatch");
  // This payer's ledger, read once: while no batch has reverted, the first round sends the claims it does not hold
  // without reading their bills (see ./reimburse-judge for why that is safe); null: every claim is read.
  let ledger = await readPayerLedger(ctx, claimer, pending.length);
  // Claims judged and sent at a time; the next window is read while this one is sent.
  const window = batchSize * inFlight * 4;

  for (let round = 0; pending.length > 0; round++) {
    if (round >= 8) {
      throw new MedBillError(
        `reimburseMany gave up after ${round} rounds with ${pending.length} claims left`,
        "REIMBURSE_MANY_STUCK",
      );
    }
    const judgeByChain = (part: readonly number[]): Promise<number[]> =>
      judgeByReads(ctx, items, part, claimer, blamed, concurrency, settle);
    let next: Promise<number[]> | null = null;
    for (let w = 0; w < pending.length; w += window) {
      // 1. Judge the window's claims: by the ledger, or against the chain bill by bill.
      const part = pending.slice(w, w + window);
      const todo =
        ledger !== null ? judgeByLedger(items, part, ledger, claimer, settle) : await (next ?? judgeByChain(part));
      next = null;
      progress();
      if (ledger === null && w + window < pending.length) {
        next = judgeByChain(pending.slice(w + window, w + 2 * window));
        next.catch(() => undefined); // awaited (and thrown) with the next window
      }
      if (todo.length === 0) continue;

      // 2. Send its batches, several in flight.
      const batches: number[][] = [];
      for (let k = 0; k < todo.length; k += batchSize) batches.push(todo.slice(k, k + batchSize));
      const sample = batches[0].slice(0, 2).map((i) => items[i]);
      const failures = await ctx.sender.sendBatches(
        batches.map((batch) => ({ count: batch.length, data: () => encodeReimburseBatch(batch.map((i) => items[i])) })),
        () =>
          ctx.sender.planBatches(
            () => fn.estimateGas(sample.slice(0, 1)),
            sample.length > 1 ? () => fn.estimateGas(sample) : null,
          ),
        inFlight,
        (b, receipt) => {
          for (const i of batches[b])
            settle(i, { status: "paid", txHash: receipt.hash, blockNumber: receipt.blockNumber });
          transactions.push({ ...writeResult(receipt), count: batches[b].length });
          progress();
        },
        isMendable,
      );
      for (const { batch, error } of failures) {
        if (error instanceof BatchItemInvalidError && error.index < batches[batch].length) {
          blamed.add(batches[batch][error.index]);
        }
      }
      // A batch reverted: the ledger no longer tells enough (or never did); read every claim from now on.
      if (failures.length > 0) ledger = null;
    }
    ledger = null; // claims left for another round are those of failed batches: judged bill by bill
    pending = pending.filter((i) => outcomes[i] === undefined);
    if (pending.length > 0) await sleep(300); // let ethers' 250 ms request cache expire before reading again
  }

  for (const [i, f] of repeats) {
    const first = outcomes[f]!;
    settle(
      i,
      first.status === "refused" ? first : { status: "alreadyPaid", txHash: "txHash" in first ? first.txHash : null },
    );
  }
  transactions.sort((a, b) => a.blockNumber - b.blockNumber);
  const seconds = (Date.now() - started) / 1000;
  return {
    outcomes: outcomes as ClaimOutcome[],
    claims: items,
    ...count,
    transactions,
    gasUsed: transactions.reduce((sum, t) => sum + t.gasUsed, 0n),
    seconds,
    reimbursementsPerSecond: seconds > 0 ? count.paid / seconds : 0,
  };
}

/**
 * A batch failure the next round mends: an item the registry refuses (named by its index), a revert without
 * data (the batch was mined and reverted: the reads find out why), a batch lost in transport, a nonce clash.
 */
function isMendable(error: unknown): boolean {
  const e = toMedBillError(error);
  return (
    e instanceof BatchItemInvalidError ||
    e instanceof UnknownRevertError ||
    e instanceof NodeUnreachableError ||
    nonceClash(error) !== null
  );
}
