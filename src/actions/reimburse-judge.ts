/**
 * @internal How `reimburseMany` judges claims before sending them: against this payer's ledger (its
 * `BillReimbursed` events, read once per call) or bill by bill (`getBill`, `reimbursedBy` and the claim's event).
 *
 * Why the ledger is enough to send on: the registry itself refuses a second reimbursement of a bill by one payer
 * (`AlreadyReimbursedBy`), so no judgement can make a claim paid twice; the judgement only decides what a claim's
 * outcome is called and what is sent. A payer's ledger lists every bill it has reimbursed, each with its claim
 * reference and amount: a claim found there is `alreadyPaid` (same reference and amount) or refused
 * (`AlreadyReimbursedBy`), exactly as `reimbursedBy` and the event would judge it. A claim not found there is sent
 * without a read; if the registry refuses it (unknown, voided or settled bill, over-claim, a payment made since the
 * ledger was read), its batch reverts naming it and every claim of that batch is judged again bill by bill.
 */
import type { ClaimOutcome } from "../client-types";
import { decodeRevertData, NodeUnreachableError, registryInterface, toMedBillError } from "../errors";
import { topicOfAddress } from "../logs";
import type { ReimbursementInput } from "../pipeline/calldata";
import { mapLimit } from "../pipeline/util";
import type { ActionContext } from "./context";

/** This payer's record of one bill: the claim reference, amount and transaction of its `BillReimbursed`. */
export interface PaidRecord {
  readonly claimRef: string;
  readonly amount: bigint;
  readonly txHash: string;
}

/** Settles claim `i` with `outcome`. */
export type Settle = (i: number, outcome: ClaimOutcome) => void;

/** The typed error the registry raises for `name(args)`. */
export function refusal(name: string, args: unknown[]): Error {
  return decodeRevertData(registryInterface().encodeErrorResult(name, args));
}

/** A payer's ledger as read so far: its rows by bill, complete through block `toBlock` (whose hash is `hash`). */
export interface PayerLedger {
  toBlock: number;
  hash: string;
  readonly rows: Map<string, PaidRecord>;
}

/** Payers' ledgers by lower-case address; `tooLarge` for one whose history is more than a client keeps. */
export type PayerLedgers = Map<string, PayerLedger | "tooLarge">;

/** Most rows of one payer's ledger a client keeps (about 40 MB). */
export const LEDGER_CAP = 100_000;

/**
 * This payer's ledger: every bill it has reimbursed, from its `BillReimbursed` events in the client's block range.
 * Kept in the client: a later call reads only the blocks since, once it has checked that the last block read is
 * still on the chain (else, after a reorganisation or a restarted development node, it reads it all again). Null
 * when it is not worth reading: on a first read, more than one log page (`blockRange` blocks) per 10 claims (at
 * least 100 pages: a page without rows costs the node about what a few reads do, and a client that keeps the ledger
 * reads it once), or more than `2 × claims + 10,000` rows; or more than {@link LEDGER_CAP} rows in all. The claims
 * are then read bill by bill.
 */
export async function readPayerLedger(
  ctx: ActionContext,
  claimer: string,
  claims: number,
): Promise<Map<string, PaidRecord> | null> {
  const { logs, sender, ledgers } = ctx;
  const key = claimer.toLowerCase();
  const found = ledgers.get(key);
  if (found === "tooLarge") return null;
  let kept = found;
  const lastRead = found?.toBlock;
  const [head, last] = await Promise.all([
    sender.read(() => sender.provider.getBlock("latest")),
    lastRead === undefined ? null : sender.read(() => sender.provider.getBlock(lastRead)),
  ]);
  if (head === null || head.hash === null) return null;
  if (kept !== undefined && last?.hash !== kept.hash) {
    ledgers.delete(key);
    kept = undefined;
  }
  const toBlock = head.number;
  const fromBlock = kept === undefined ? logs.fromBlock : kept.toBlock + 1;
  const limit = kept === undefined ? Math.min(LEDGER_CAP, 2 * claims + 10_000) : LEDGER_CAP;
  if (kept === undefined && Math.ceil((toBlock - fromBlock + 1) / logs.blockRange) > Math.max(100, claims / 10)) {
    return null;
  }
  // Rows are only ever added (each is an event on chain): a call reading at the same time sees a true subset.
  const rows = kept?.rows ?? new Map<string, PaidRecord>();
  const topics = [logs.topic("BillReimbursed"), null, topicOfAddress(claimer)];
  for await (const page of logs.logs(topics, { fromBlock, toBlock })) {
    for (const log of page) {
      rows.set(log.topics[1].toLowerCase(), {
        claimRef: log.topics[3].toLowerCase(),
        amount: BigInt(log.data.slice(0, 66)),
        txHash: log.transactionHash,
      });
    }
    if (rows.size > limit) {
      if (limit === LEDGER_CAP) ledgers.set(key, "tooLarge");
      return null;
    }
  }
  if (kept === undefined) ledgers.set(key, { toBlock, hash: head.hash, rows });
  else if (toBlock > kept.toBlock) Object.assign(kept, { toBlock, hash: head.hash });
  return rows;
}

/**
 * Judges the `pending` claims by this payer's ledger: a claim on a bill the ledger holds is settled (`alreadyPaid`
 * with the same reference and amount, else refused with `AlreadyReimbursedBy`); the others are returned, to send.
 */
export function judgeByLedger(
  items: readonly ReimbursementInput[],
  pending: readonly number[],
  ledger: ReadonlyMap<string, PaidRecord>,
  claimer: string,
  settle: Settle,
): number[] {
  const todo: number[] = [];
  for (const i of pending) {
    const { billId, amount, claimRef } = items[i];
    const paid = ledger.get(billId.toLowerCase());
    if (paid === undefined) todo.push(i);
    else if (paid.amount === amount && paid.claimRef === claimRef.toLowerCase()) {
      settle(i, { status: "alreadyPaid", txHash: paid.txHash });
    } else settle(i, { status: "refused", error: refusal("AlreadyReimbursedBy", [billId, claimer]) });
  }
  return todo;
}

/**
 * Judges the `pending` claims by reading each bill (and, where the bill has any reimbursement, this payer's
 * record and its `BillReimbursed` event): a claim this payer already paid with the same reference and amount is
 * `alreadyPaid`; one the registry would refuse is `refused` with the error `reimburse` would raise; the rest are
 * returned, to send. A `blamed` claim (named by a reverted batch) that the reads find nothing against is asked of
 * the registry itself (`reimburse.staticCall`).
 */
export async function judgeByReads(
  ctx: ActionContext,
  items: readonly ReimbursementInput[],
  pending: readonly number[],
  claimer: string,
  blamed: ReadonlySet<number>,
  concurrency: number,
  settle: Settle,
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
