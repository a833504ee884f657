/**
 * Group commit for intake's outbox: the bills of POSTs that arrive while a write is under way wait for the next
 * one, and each write stores its whole group (up to {@link MAX_GROUP} bills) in ONE transaction. Every POST is
 * still answered only after the transaction holding its bill has committed, so a 202 always means "durably stored",
 * but the database's per-transaction cost (several milliseconds on PGlite, which has one connection) is paid once
 * per group instead of once per bill. A burst of POSTs is then bounded by the database's row rate, not by its
 * commit rate.
 */
import type { Insertable } from "kysely";
import type { Db } from "../part";
import type { BillsTable } from "../indexer/schema";
import type { IntakeTables, OutboxTable } from "./schema";

/** Bills per group (one INSERT statement). */
const MAX_GROUP = 500;

/** A bill to store. */
export interface OutboxEntry {
  readonly billId: string;
  readonly billNumber: string;
  /** The row as stored (canonical JSON). */
  readonly canonical: string;
  readonly amount: bigint;
  /**
   * Whether a bill already on chain (and not in the outbox) is answered as such. False while the node is unknown:
   * the bill is then queued, and the batcher recognises it on chain and never sends it twice.
   */
  readonly checkChain: boolean;
}

/** What storing a bill found. */
export type OutboxWrite =
  /** Newly stored, in state queued. */
  | { readonly kind: "accepted" }
  /** This bill was in the outbox already (posted before, or earlier in the same group). */
  | {
      readonly kind: "known";
      readonly rowJson: string;
      readonly state: OutboxTable["state"];
      readonly error: string | null;
    }
  /** Not in the outbox, but already on chain (issued some other way): the content hash the chain holds. */
  | { readonly kind: "on-chain"; readonly contentHash: string };

interface Waiting {
  readonly entry: OutboxEntry;
  readonly resolve: (result: OutboxWrite) => void;
  readonly reject: (error: unknown) => void;
}

/** Stores bills in the outbox, grouped; `write` resolves once the bill's group has committed. */
export interface OutboxWriter {
  write(entry: OutboxEntry): Promise<OutboxWrite>;
}

/** A group-committing writer over `db`. */
export function outboxWriter(db: Db): OutboxWriter {
  const tables = db.withTables<IntakeTables & { bills: BillsTable }>();
  let waiting: Waiting[] = [];
  let writing = false;

  const writeGroup = async (group: readonly Waiting[]): Promise<OutboxWrite[]> => {
    const ids = [...new Set(group.map((w) => w.entry.billId))];
    return tables.transaction().execute(async (tx) => {
      const known = new Map(
        (
          await tx
            .selectFrom("intake_outbox")
            .select(["bill_id", "row_json", "state", "error"])
            .where("bill_id", "in", ids)
            .execute()
        ).map((r) => [r.bill_id, r]),
      );
      const fresh = [...new Set(group.filter((w) => w.entry.checkChain).map((w) => w.entry.billId))].filter(
        (id) => !known.has(id),
      );
      const onChain = new Map(
        fresh.length === 0
          ? []
          : (
              await tx.selectFrom("bills").select(["bill_id", "content_hash"]).where("bill_id", "in", fresh).execute()
            ).map((r) => [r.bill_id, r.content_hash]),
      );
      const results: OutboxWrite[] = [];
      const now = String(Date.now());
      const rows: Insertable<OutboxTable>[] = [];
      for (const { entry } of group) {
        const before = known.get(entry.billId);
        const hash = entry.checkChain ? onChain.get(entry.billId) : undefined;
        if (before !== undefined) {
          results.push({ kind: "known", rowJson: before.row_json, state: before.state, error: before.error });
        } else if (hash !== undefined) {
          results.push({ kind: "on-chain", contentHash: hash });
        } else {
          const row = {
            bill_id: entry.billId,
            bill_number: entry.billNumber,
            row_json: entry.canonical,
            amount: entry.amount.toString(),
            state: "queued" as const,
            error: null,
            accepted_at: now,
            updated_at: now,
          };
          rows.push(row);
          known.set(entry.billId, row);
          results.push({ kind: "accepted" });
        }
      }
      if (rows.length > 0) {
        // No other writer adds to the outbox (groups run one at a time), so every row is new: a conflict would be a
        // second service on the same database, and fails the whole group (its POSTs get a 500 and may be retried).
        await tx.insertInto("intake_outbox").values(rows).execute();
      }
      return results;
    });
  };

  const drain = async (): Promise<void> => {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.slice(0, MAX_GROUP);
      waiting = waiting.slice(group.length);
      try {
        const results = await writeGroup(group);
        group.forEach((w, i) => w.resolve(results[i]));
      } catch (e) {
        for (const w of group) w.reject(e);
      }
    }
    writing = false;
  };

  return {
    write(entry) {
      return new Promise<OutboxWrite>((resolve, reject) => {
        waiting.push({ entry, resolve, reject });
        if (!writing) void drain();
      });
    },
  };
}
