/**
 * Sends what waits in the outbox as `issueBatch` transactions through the SDK's `issueMany`: as soon as a full
 * batch (`MEDBILL_BATCH_SIZE`, default 300) is waiting, or when the oldest waiting bill has waited
 * `MEDBILL_BATCH_WAIT_MS` (default 500 ms: at the aimed 500 bills/s that fills most of a batch, near the lowest gas
 * per bill, while keeping a bill's wait far below the 3 s aimed for from 202 to chain).
 *
 * Exactly once across kill -9: a bill leaves the outbox's waiting states only after its transaction is mined, and
 * `issueMany` skips every bill already on chain (bill ids are deterministic, the registry refuses a second issue),
 * so a restart resends only what never made it. A refusal of one bill (`BatchItemInvalid`) fails that bill with
 * the contract error's name and the rest are sent again; a refusal of the whole batch (paused, role revoked) keeps
 * the bills waiting with the error shown; an unreachable node keeps them waiting (intake still accepts).
 */
import {
  BatchItemInvalidError,
  ContractError,
  NodeUnreachableError,
  type BillInput,
  type MedBillClient,
} from "../../src";
import type { PartContext, Worker } from "../part";
import { storedRowInput } from "./row";
import type { IntakeTables } from "./schema";

/** Refusals of the sender or the registry, not of a bill (paused, role revoked): its bills stay waiting. */
const WHOLE_CALL_REFUSALS = new Set(["EnforcedPause", "AccessControlUnauthorizedAccount"]);

/** What the batcher has done, for `/health` and the benchmark. */
export interface BatcherState {
  /** Bills issued by this process (not counting bills found on chain). */
  issued: number;
  /** Transactions mined, and the gas they used. */
  transactions: number;
  gasUsed: bigint;
  /** Why the last round failed, when it did. */
  lastError: string | null;
}

/** The batcher, with a way to tell it a bill arrived. */
export interface Batcher extends Worker {
  wake(): void;
}

/** Starts the batcher. */
export function startBatcher(ctx: PartContext, state: BatcherState): Batcher {
  const db = ctx.db.withTables<IntakeTables>();
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

  const setState = async (ids: string[], state: "sent" | "issued" | "failed", error: string | null): Promise<void> => {
    if (ids.length === 0) return;
    await db
      .updateTable("intake_outbox")
      .set({ state, error, updated_at: String(Date.now()) })
      .where("bill_id", "in", ids)
      .execute();
  };

  const round = async (writer: MedBillClient, rows: { bill_id: string; row_json: string }[]): Promise<void> => {
    const inputs: BillInput[] = [];
    const ids: string[] = [];
    for (const r of rows) {
      try {
        inputs.push(storedRowInput(r.row_json, writer.domain));
        ids.push(r.bill_id);
      } catch (e) {
        await setState([r.bill_id], "failed", `InvalidBill: ${(e as Error).message}`);
      }
    }
    if (ids.length === 0) return;
    await setState(ids, "sent", null);
    try {
      const result = await writer.issueMany(inputs, { batchSize: config.batchSize, inFlight: 4 });
      state.issued += result.issued;
      state.transactions += result.transactions.length;
      state.gasUsed += result.gasUsed;
      // Skipped bills were on chain already: ours from before a crash, or the same bill issued another way. One with
      // other content than ours cannot be issued by us: fail it.
      const skipped = ids.filter((_, i) => !result.issuedNow[i]);
      const foreign: string[] = [];
      for (const id of skipped) {
        const bill = await writer.getBill(id);
        if (bill !== null && bill.contentHash !== inputs[ids.indexOf(id)].contentHash) foreign.push(id);
      }
      await setState(foreign, "failed", "BillAlreadyIssued: on chain with another document");
      await setState(
        ids.filter((id) => !foreign.includes(id)),
        "issued",
        null,
      );
      state.lastError = null;
      chain.markUp();
    } catch (e) {
      if (e instanceof BatchItemInvalidError && ids.includes(e.billId)) {
        const name = e.reasonName ?? e.reason;
        log.warn(`bill ${e.billId} refused: ${name}`);
        await setState([e.billId], "failed", name);
        return; // the others are sent again next round
      }
      if (e instanceof ContractError && ids.length === 1 && !WHOLE_CALL_REFUSALS.has(e.errorName)) {
        await setState(ids, "failed", e.errorName);
        return;
      }
      const name = e instanceof ContractError ? e.errorName : ((e as Error).message ?? String(e)).split("\n")[0];
      state.lastError = name;
      if (e instanceof NodeUnreachableError) chain.markDown(e);
      // The whole batch was refused or the node is away: the bills stay waiting, the error shown on each.
      await db
        .updateTable("intake_outbox")
        .set({ error: name, updated_at: String(Date.now()) })
        .where("bill_id", "in", ids)
        .execute()
        .catch(() => undefined);
      throw e;
    }
  };

  const run = async (): Promise<void> => {
    let backoff = 250;
    while (!stopped) {
      try {
        const rows = await db
          .selectFrom("intake_outbox")
          .select(["bill_id", "row_json", "accepted_at"])
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
        log.warn(`batch not sent: ${((e as Error).message ?? String(e)).split("\n")[0]}`);
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
