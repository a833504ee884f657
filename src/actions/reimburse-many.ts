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
  decodeRevertData,
  InvalidArgumentError,
  InvalidClaimsError,
  MedBillError,
  NodeUnreachableError,
  registryInterface,
  toMedBillError,
  UnknownRevertError,
  type BillIssue,
} from "../errors";
import { topicOfAddress } from "../logs";
import { encodeReimburseBatch, type ReimbursementInput } from "../pipeline/calldata";
import { nonceClash } from "../pipeline/nonces";
import { mapLimit, sleep } from "../pipeline/util";
import { writeResult, type ActionContext } from "./context";
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

  for (let round = 0; pending.length > 0; round++) {
    if (round >= 8) {
      throw new MedBillError(
        `reimburseMany gave up after ${round} rounds with ${pending.length} claims left`,
        "REIMBURSE_MANY_STUCK",
      );
    }
    // 1. Judge every pending claim against the chain: paid before by this payer, refused, or to send.
    const todo = await judge(ctx, items, pending, claimer, blamed, concurrency, settle);
    progress();
    if (todo.length === 0) break;

    // 2. Send the batches, several in flight.
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
    pending = todo.filter((i) => outcomes[i] === undefined);
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

/** The typed error the registry raises for `name(args)`. */
function refusal(name: string, args: unknown[]): Error {
  return decodeRevertData(registryInterface().encodeErrorResult(name, args));
}

/**
 * Judges the `pending` claims by reading each bill (and, where the bill has any reimbursement, this payer's
 * record and its `BillReimbursed` event): a claim this payer already paid with the same reference and amount is
 * `alreadyPaid`; one the registry would refuse is `refused` with the error `reimburse` would raise; the rest are
 * returned, to send.
 */
async function judge(
  ctx: ActionContext,
  items: readonly ReimbursementInput[],
  pending: readonly number[],
  claimer: string,
  blamed: ReadonlySet<number>,
  concurrency: number,
  settle: (i: number, outcome: ClaimOutcome) => void,
): Promise<number[]> {
  const { contract, sender } = ctx;
  const bills = await mapLimit(pending, concurrency, (i) => sender.read(() => contract.getBill(items[i].billId)));
  const touched = pending.filter((_, k) => bills[k].reimbursed > 0n);
  const mine = new Map<number, bigint>();
  const paid = await mapLimit(touched, concurrency, (i) =>
    sender.read(() => contract.reimbursedBy(items[i].billId, claimer)),
  );
  touched.forEach((i, k) => paid[k] > 0n && mine.set(i, paid[k]));
  const events = await paidEvents(
    ctx,
    [...mine.keys()].map((i) => items[i].billId),
    claimer,
  );

  const todo: number[] = [];
  for (const [k, i] of pending.entries()) {
    const { billId, amount, claimRef } = items[i];
    const bill = bills[k];
    const status = Number(bill.status);
    const remaining = bill.amount - bill.reimbursed;
    const already = mine.get(i);
    if (status === 0) settle(i, { status: "refused", error: refusal("BillNotFound", [billId]) });
    else if (already !== undefined) {
      const event = events.get(billId);
      if (already === amount && event?.claimRef === claimRef)
        settle(i, { status: "alreadyPaid", txHash: event.txHash });
      else settle(i, { status: "refused", error: refusal("AlreadyReimbursedBy", [billId, claimer]) });
    } else if (status !== 1 && status !== 2) {
      settle(i, { status: "refused", error: refusal("BillNotReimbursable", [billId, status]) });
    } else if (amount > remaining) {
      settle(i, { status: "refused", error: refusal("ReimbursementExceedsBalance", [billId, amount, remaining]) });
    } else if (blamed.has(i)) {
      try {
        await contract.reimburse.staticCall(billId, amount, claimRef);
        todo.push(i);
      } catch (e) {
        const error = toMedBillError(e);
        if (error instanceof NodeUnreachableError) throw error;
        settle(i, { status: "refused", error: error instanceof Error ? error : new Error(String(error)) });
      }
    } else todo.push(i);
  }
  return todo;
}

/** This payer's `BillReimbursed` event of each bill: its claim reference and transaction. */
async function paidEvents(
  ctx: ActionContext,
  billIds: readonly string[],
  claimer: string,
): Promise<Map<string, { claimRef: string; txHash: string }>> {
  const found = new Map<string, { claimRef: string; txHash: string }>();
  if (billIds.length === 0) return found;
  const topic = ctx.logs.topic("BillReimbursed");
  const toBlock = await ctx.sender.read(() => ctx.sender.provider.getBlockNumber());
  const chunks: string[][] = [];
  for (let k = 0; k < billIds.length; k += 100) chunks.push(billIds.slice(k, k + 100));
  await mapLimit(chunks, 4, async (chunk) => {
    for await (const logs of ctx.logs.logs([topic, chunk, topicOfAddress(claimer)], { toBlock })) {
      for (const log of logs) {
        found.set(log.topics[1].toLowerCase(), { claimRef: log.topics[3].toLowerCase(), txHash: log.transactionHash });
      }
    }
  });
  return found;
}
