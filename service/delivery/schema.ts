/**
 * The delivery part's table: one row per delivery, holding the envelope (ciphertext, nonce, key check and, for a
 * patient card, the wrapped key and the card's patientRef) and nothing else about the bill. Once a delivery
 * expires its envelope is deleted and the row stays as a tombstone (so a late pickup hears "expired", not
 * "unknown") until twice its time to live has passed.
 */
import { sql, type Kysely, type Migration } from "kysely";

/** Row of `deliveries`. */
export type DeliveriesTable = {
  id: string;
  /** The envelope as JSON text; null once expired. */
  envelope: string | null;
  /** The card holder's patientRef for a patient-card delivery (already public on chain); null for a pickup code. */
  patient_ref: string | null;
  created_at: Date;
  expires_at: Date;
};

/** The delivery part's tables, for `db.withTables<DeliveryTables>()`. */
export type DeliveryTables = { deliveries: DeliveriesTable };

/** Migrations of the delivery part. */
export const deliveryMigrations: Record<string, Migration> = {
  "001_deliveries": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("envelope", "text")
        .addColumn("patient_ref", "text")
        .addColumn("created_at", "timestamptz", (c) => c.notNull())
        .addColumn("expires_at", "timestamptz", (c) => c.notNull())
        .execute();
      await sql`create index deliveries_inbox on deliveries (patient_ref, created_at desc) where envelope is not null`.execute(
        db,
      );
      await sql`create index deliveries_expiry on deliveries (expires_at)`.execute(db);
    },
  },
};
