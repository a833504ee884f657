/**
 * Writes one block range's events and the cursor that covers them in ONE database transaction: after a kill -9 the
 * tables hold either all of a range or none of it, and the indexer resumes at the block after the cursor.
 */
import { sql, type Transaction } from "kysely";
import type { BillEvent } from "../../src";
import type { Db } from "../part";
import type { IndexerTables } from "./schema";

/** Rows per INSERT statement. */
const CHUNK = 500;

/** The chain and registry a database was indexed for. */
export interface IndexedChain {
  readonly chainId: string;
  readonly registry: string;
}

/** Reads the cursor: the last block fully indexed (-1 when nothing yet), and what it was indexed for. */
export async function readCursor(db: Db): Promise<(IndexedChain & { block: number }) | undefined> {
  const row = await db.withTables<IndexerTables>().selectFrom("indexer_cursor").selectAll().executeTakeFirst();
  return row === undefined ? undefined : { chainId: row.chain_id, registry: row.registry, block: Number(row.block) };
}

/**
 * Stores the events of blocks `from..to` and moves the cursor to `to`, in one transaction. Refuses (throws) if the
 * cursor is not at `from - 1`, so two writers can never interleave ranges.
 *
 * @param times - Block number → block timestamp (seconds) for every block holding an event.
 */
export async function applyRange(
  db: Db,
  chain: IndexedChain,
  from: number,
  to: number,
  events: readonly BillEvent[],
  times: ReadonlyMap<number, number>,
): Promise<void> {
  await db
    .withTables<IndexerTables>()
    .transaction()
    .execute(async (tx) => {
      const cursor = await tx
        .selectFrom("indexer_cursor")
        .select("block")
        .where("id", "=", 1)
        .forUpdate()
        .executeTakeFirst();
      const at = cursor === undefined ? -1 : Number(cursor.block);
      if (at !== from - 1) throw new Error(`indexer cursor is at block ${at}, not ${from - 1}: another writer?`);
      await writeEvents(tx, events, times);
      await tx
        .insertInto("indexer_cursor")
        .values({ id: 1, chain_id: chain.chainId, registry: chain.registry, block: String(to) })
        .onConflict((oc) => oc.column("id").doUpdateSet({ block: String(to) }))
        .execute();
    });
}

async function writeEvents(
  tx: Transaction<IndexerTables>,
  events: readonly BillEvent[],
  times: ReadonlyMap<number, number>,
): Promise<void> {
  const time = (block: number): string => String(times.get(block) ?? 0);
  const issued = [];
  const reimbursed = [];
  const voided = [];
  for (const e of events) {
    if (e.kind === "issued") {
      issued.push({
        bill_id: e.billId,
        issuer: e.issuer,
        patient_ref: e.patientRef,
        bill_number: e.billNumber,
        amount: e.amount.toString(),
        content_hash: e.contentHash,
        status: "Issued",
        reimbursed: "0",
        issued_block: String(e.blockNumber),
        issued_log: e.logIndex,
        issued_tx: e.txHash,
        issued_time: time(e.blockNumber),
      });
    } else if (e.kind === "reimbursed") {
      reimbursed.push({
        block: String(e.blockNumber),
        log_index: e.logIndex,
        tx_hash: e.txHash,
        block_time: time(e.blockNumber),
        bill_id: e.billId,
        claimer: e.claimer,
        claim_ref: e.claimRef,
        amount: e.amount.toString(),
        total_reimbursed: e.totalReimbursed.toString(),
      });
    } else {
      voided.push({
        block: String(e.blockNumber),
        log_index: e.logIndex,
        tx_hash: e.txHash,
        block_time: time(e.blockNumber),
        bill_id: e.billId,
        issuer: e.issuer,
        reason: e.reason,
        replacement_id: e.replacementId,
      });
    }
  }
  for (let i = 0; i < issued.length; i += CHUNK) {
    await tx
      .insertInto("bills")
      .values(issued.slice(i, i + CHUNK))
      .onConflict((oc) => oc.column("bill_id").doNothing())
      .execute();
  }
  for (let i = 0; i < reimbursed.length; i += CHUNK) {
    const rows = reimbursed.slice(i, i + CHUNK);
    await tx
      .insertInto("reimbursements")
      .values(rows)
      .onConflict((oc) => oc.columns(["block", "log_index"]).doNothing())
      .execute();
  }
  // A bill's reimbursed total and status follow its latest event (totals only grow, so the largest is the latest).
  const totals = new Map<string, bigint>();
  for (const r of reimbursed) {
    const t = BigInt(r.total_reimbursed);
    if ((totals.get(r.bill_id) ?? -1n) < t) totals.set(r.bill_id, t);
  }
  const entries = [...totals.entries()];
  for (let i = 0; i < entries.length; i += CHUNK) {
    const part = entries.slice(i, i + CHUNK);
    const ids = part.map(([id]) => id);
    const sums = part.map(([, total]) => total.toString());
    await sql`
      update bills set reimbursed = v.total,
        status = case when v.total >= bills.amount then 'Reimbursed' else 'PartiallyReimbursed' end
      from (select unnest(${ids}::text[]) as bill_id, unnest(${sums}::numeric[]) as total) as v
      where bills.bill_id = v.bill_id and bills.reimbursed < v.total`.execute(tx);
  }
  for (let i = 0; i < voided.length; i += CHUNK) {
    const rows = voided.slice(i, i + CHUNK);
    await tx
      .insertInto("voids")
      .values(rows)
      .onConflict((oc) => oc.columns(["block", "log_index"]).doNothing())
      .execute();
    await tx
      .updateTable("bills")
      .set({ status: "Voided" })
      .where(
        "bill_id",
        "in",
        rows.map((r) => r.bill_id),
      )
      .execute();
  }
}
