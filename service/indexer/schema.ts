/**
 * The indexer's tables: bills (one row per BillIssued, its status and total reimbursed kept current),
 * reimbursements (one row per BillReimbursed), voids (one row per BillVoided), and the cursor: the last block whose
 * events are all in those tables, written in the same transaction as the rows it covers.
 */
import { sql, type Kysely, type Migration } from "kysely";

/** Row of `bills`. Numbers that may exceed 2^53 (amounts, block numbers) are decimal strings. */
export type BillsTable = {
  bill_id: string;
  issuer: string;
  patient_ref: string;
  bill_number: string;
  amount: string;
  content_hash: string;
  status: string;
  reimbursed: string;
  issued_block: string;
  issued_log: number;
  issued_tx: string;
  issued_time: string;
};

/** Row of `reimbursements`. */
export type ReimbursementsTable = {
  block: string;
  log_index: number;
  tx_hash: string;
  block_time: string;
  bill_id: string;
  claimer: string;
  claim_ref: string;
  amount: string;
  total_reimbursed: string;
};

/** Row of `voids`. */
export type VoidsTable = {
  block: string;
  log_index: number;
  tx_hash: string;
  block_time: string;
  bill_id: string;
  issuer: string;
  reason: string;
  replacement_id: string;
};

/** Row of `indexer_cursor` (one row: the chain and registry indexed, and the last block done). */
export type CursorTable = {
  id: number;
  chain_id: string;
  registry: string;
  block: string;
};

/** The indexer's tables, for `db.withTables<IndexerTables>()`. */
export type IndexerTables = {
  bills: BillsTable;
  reimbursements: ReimbursementsTable;
  voids: VoidsTable;
  indexer_cursor: CursorTable;
};

const amount = "numeric(78, 0)";

/** The indexer's migrations. */
export const indexerMigrations: Record<string, Migration> = {
  "001_tables": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("indexer_cursor")
        .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn("chain_id", "text", (c) => c.notNull())
        .addColumn("registry", "text", (c) => c.notNull())
        .addColumn("block", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("bills")
        .addColumn("bill_id", "text", (c) => c.primaryKey())
        .addColumn("issuer", "text", (c) => c.notNull())
        .addColumn("patient_ref", "text", (c) => c.notNull())
        .addColumn("bill_number", "text", (c) => c.notNull())
        .addColumn("amount", sql.raw(amount), (c) => c.notNull())
        .addColumn("content_hash", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("reimbursed", sql.raw(amount), (c) => c.notNull().defaultTo(0))
        .addColumn("issued_block", "bigint", (c) => c.notNull())
        .addColumn("issued_log", "integer", (c) => c.notNull())
        .addColumn("issued_tx", "text", (c) => c.notNull())
        .addColumn("issued_time", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("bills_by_patient")
        .on("bills")
        .columns(["patient_ref", "issued_time", "issued_block", "issued_log"])
        .execute();
      await db.schema
        .createIndex("bills_by_issuer")
        .on("bills")
        .columns(["issuer", "issued_time", "issued_block", "issued_log"])
        .execute();
      for (const table of ["reimbursements", "voids"] as const) {
        let t = db.schema
          .createTable(table)
          .addColumn("block", "bigint", (c) => c.notNull())
          .addColumn("log_index", "integer", (c) => c.notNull())
          .addColumn("tx_hash", "text", (c) => c.notNull())
          .addColumn("block_time", "bigint", (c) => c.notNull())
          .addColumn("bill_id", "text", (c) => c.notNull());
        t =
          table === "reimbursements"
            ? t
                .addColumn("claimer", "text", (c) => c.notNull())
                .addColumn("claim_ref", "text", (c) => c.notNull())
                .addColumn("amount", sql.raw(amount), (c) => c.notNull())
                .addColumn("total_reimbursed", sql.raw(amount), (c) => c.notNull())
            : t
                .addColumn("issuer", "text", (c) => c.notNull())
                .addColumn("reason", "text", (c) => c.notNull())
                .addColumn("replacement_id", "text", (c) => c.notNull());
        await t.addPrimaryKeyConstraint(`${table}_pk`, ["block", "log_index"]).execute();
        await db.schema.createIndex(`${table}_by_bill`).on(table).column("bill_id").execute();
      }
      await db.schema
        .createIndex("reimbursements_by_claimer")
        .on("reimbursements")
        .columns(["claimer", "block_time", "block", "log_index"])
        .execute();
    },
  },
};
