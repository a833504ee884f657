/**
 * Sends what waits in the outbox as `reimburseBatch` transactions through the SDK's `reimburseMany`: as soon as a
 * full batch (`MEDBILL_BATCH_SIZE`, default 300) is waiting, or when the oldest waiting claim has waited
 * `MEDBILL_BATCH_WAIT_MS` (default 500 ms), as intake's batcher does.
 *
 * Exactly once across kill -9: a claim leaves the outbox's waiting states only after its transaction is mined, and
 * `reimburseMany` judges every claim against the chain first (this payer's `reimbursedBy` for the bill and its
 * `BillReimbursed` claim reference): a claim sent before a crash is found `alreadyPaid` and marked paid, never sent
 * again (the registry would refuse a second payment by this payer anyway). A claim the registry refuses (found by
 * the judgement, or named by a batch's `BatchItemInvalid`, after which `reimburseMany` sends the rest again) fails
 * with the contract error's name. A refusal of the payer itself (paused, role revoked) or an unreachable node
 * keeps the claims waiting, the error shown on each and in `/health`.
 */
import {
  BatchItemInvalidError,
  ContractError,
  NodeUnreachableError,
  type ClaimOutcome,
  type MedBillClient,
} from "../../src";
import type { PartContext, Worker } from "../part";
import type { SettlementTables } from "./schema";

/** What the batcher has done, for `/health` and the benchmark. */
export interface BatcherState {
  /** Claims paid by this process's transactions (not counting claims found paid on chain). */
  paid: number;
  /** Transactions mined, and the gas they used. */
  transactions: number;
  gasUsed: bigint;
  /** Why the last round failed, when it did. */
  lastError: string | null;
}

/** The batcher, with a way to tell it a claim arrived. */
export interface Batcher extends Worker {
  wake(): void;
}

/** The name a refusal is recorded under: the contract error's name when there is one. */
function errorName(error: unknown): string {
  if (error instanceof BatchItemInvalidError) return error.reasonName ?? error.reason;
  if (error instanceof ContractError) return error.errorName;
  return ((error as Error)?.message ?? String(error)).split("\n")[0];
}

/** Starts the batcher. */
export function startBatcher(ctx: PartContext, state: BatcherState): Batcher {
  const db = ctx.db.withTables<SettlementTables>();
  const { config, chain, log } = ctx;
  const take = config.batchSize * 4;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const update = async (
    refs: readonly string[],
    set: { state?: "sent" | "paid" | "failed"; error: string | null; tx_hash?: string | null },
  ): Promise<void> => {
    if (refs.length === 0) return;
    await db
      .updateTable("settlement_outbox")
      .set({ ...set, updated_at: String(Date.now()) })
      .where("claim_ref", "in", refs)
      .execute();
  };

  /** Records each claim's outcome: paid (with its transaction), or failed with the contract error's name. */
  const record = async (refs: readonly string[], outcomes: readonly ClaimOutcome[]): Promise<void> => {
    const paid = new Map<string | null, string[]>();
    const failed = new Map<string, string[]>();
    outcomes.forEach((outcome, i) => {
      if (outcome.status === "refused") {
        const name = errorName(outcome.error);
        failed.set(name, [...(failed.get(name) ?? []), refs[i]]);
      } else paid.set(outcome.txHash, [...(paid.get(outcome.txHash) ?? []), refs[i]]);
    });
    for (const [txHash, group] of paid) await update(group, { state: "paid", error: null, tx_hash: txHash });
    for (const [name, group] of failed) {
      log.warn(`${group.length} claim(s) refused: ${name}`);
      await update(group, { state: "failed", error: name });
    }
  };

  const round = async (writer: MedBillClient, rows: { claim_ref: string; bill_id: string; amount: string }[]) => {
    const refs = rows.map((r) => r.claim_ref);
    await update(refs, { state: "sent", error: null });
    try {
      const result = await writer.reimburseMany(
        rows.map((r) => ({ billId: r.bill_id, amount: r.amount, claimRef: r.claim_ref })),
        { batchSize: config.batchSize, inFlight: 4 },
      );
      state.paid += result.paid;
      state.transactions += result.transactions.length;
      state.gasUsed += result.gasUsed;
      await record(refs, result.outcomes);
      state.lastError = null;
      chain.markUp();
    } catch (e) {
      const name = errorName(e);
      if (e instanceof BatchItemInvalidError) {
        const bad = rows.find((r) => r.bill_id === e.billId.toLowerCase());
        if (bad !== undefined) {
          // One claim refused by the registry: fail it; the others are sent again next round.
          log.warn(`claim ${bad.claim_ref} on bill ${bad.bill_id} refused: ${name}`);
          await update([bad.claim_ref], { state: "failed", error: name });
          return;
        }
      }
      state.lastError = name;
      if (e instanceof NodeUnreachableError) chain.markDown(e);
      // The payer was refused as a whole (paused, role) or the node is away: the claims stay waiting, error shown.
      await update(refs, { error: name }).catch(() => undefined);
      throw e;
    }
  };

  const run = async (): Promise<void> => {
    let backoff = 250;
    while (!stopped) {
      try {
        const rows = await db
          .selectFrom("settlement_outbox")
          .select(["claim_ref", "bill_id", "amount", "accepted_at"])
          .where("state", "in", ["queued", "sent"])
          .orderBy("seq")
          .limit(take)
          .execute();
        if (rows.length === 0) {
          await wait(1_000);
          continue;
        }
        if (rows.length < config.batchSize) {
          const age = Date.now() - Number(rows[0].accepted_at);
          if (age < config.batchWaitMs) {
            await wait(config.batchWaitMs - age);
            continue;
          }
        }
        await chain.connect();
        const writer = chain.writer;
        if (writer === undefined) {
          await wait((backoff = Math.min(5_000, backoff * 2)));
          continue;
        }
        await round(writer, rows);
        backoff = 250;
      } catch (e) {
        if (stopped) break;
        log.warn(`claims not sent: ${errorName(e)}`);
        await wait((backoff = Math.min(5_000, backoff * 2)));
      }
    }
  };
  const done = run();
  return {
    wake: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await done;
    },
  };
}
