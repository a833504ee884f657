/**
 * Intake's outbox: one row per accepted bill, written before the 202 is answered, and the state the batcher moves
 * it through: queued → sent → issued, or failed (with the contract error's name).
 */
import { sql, type Generated, type Kysely, type Migration } from "kysely";

/** Row of `intake_outbox`. */
export type OutboxTable = {
  seq: Generated<string>;
  bill_id: string;
  bill_number: string;
  /** The row as stored (canonical JSON): a post of the same bill has the same text. */
  row_json: string;
  amount: string;
  state: "queued" | "sent" | "issued" | "failed";
  error: string | null;
  accepted_at: string;
  updated_at: string;
};

/** Intake's tables, for `db.withTables<IntakeTables>()`. */
export type IntakeTables = { intake_outbox: OutboxTable };

/** Intake's migrations. */
export const intakeMigrations: Record<string, Migration> = {
  "001_outbox": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("intake_outbox")
        .addColumn("seq", "bigserial", (c) => c.notNull().unique())
        .addColumn("bill_id", "text", (c) => c.primaryKey())
        .addColumn("bill_number", "text", (c) => c.notNull())
        .addColumn("row_json", "text", (c) => c.notNull())
        .addColumn("amount", sql.raw("numeric(78, 0)"), (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("error", "text")
        .addColumn("accepted_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await sql`create index intake_outbox_waiting on intake_outbox (seq) where state in ('queued', 'sent')`.execute(
        db,
      );
    },
  },
};
