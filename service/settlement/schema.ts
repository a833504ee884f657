/**
 * Settlement's outbox: one row per accepted claim, written before the 202 is answered, keyed by the payer's claim
 * reference (the 32 bytes sent on chain), and the state the batcher moves it through: queued → sent → paid, or
 * failed (with the contract error's name). At most one claim per bill is live (not failed): a payer reimburses a
 * bill once.
 */
import { sql, type Generated, type Kysely, type Migration } from "kysely";

/** A claim's state in the outbox. */
export type ClaimState = "queued" | "sent" | "paid" | "failed";

/** Row of `settlement_outbox`. */
export type SettlementOutboxTable = {
  seq: Generated<string>;
  /** The claim reference as sent on chain (32 bytes, lower-case hex): the claim's key. */
  claim_ref: string;
  bill_id: string;
  /** Fen. */
  amount: string;
  state: ClaimState;
  /** Why it failed (the contract error's name), or why its last round was not sent. */
  error: string | null;
  /** The transaction that paid it. */
  tx_hash: string | null;
  accepted_at: string;
  updated_at: string;
};

/** Settlement's tables, for `db.withTables<SettlementTables>()`. */
export type SettlementTables = { settlement_outbox: SettlementOutboxTable };

/** Settlement's migrations. */
export const settlementMigrations: Record<string, Migration> = {
  "001_outbox": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("settlement_outbox")
        .addColumn("seq", "bigserial", (c) => c.notNull().unique())
        .addColumn("claim_ref", "text", (c) => c.primaryKey())
        .addColumn("bill_id", "text", (c) => c.notNull())
        .addColumn("amount", sql.raw("numeric(78, 0)"), (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("error", "text")
        .addColumn("tx_hash", "text")
        .addColumn("accepted_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      // One live claim per bill: a second claim on a bill this payer already claims conflicts here, even in a race.
      await sql`create unique index settlement_outbox_live_bill on settlement_outbox (bill_id) where state <> 'failed'`.execute(
        db,
      );
      await sql`create index settlement_outbox_waiting on settlement_outbox (seq) where state in ('queued', 'sent')`.execute(
        db,
      );
    },
  },
};
