/** The deliveries' storage: insert, read one, list an inbox, sweep the expired. PostgreSQL dialect, either store. */
import { randomBytes } from "node:crypto";
import type { DeliveryEnvelope } from "../../src/delivery/envelope";
import type { Db } from "../part";
import type { DeliveryTables } from "./schema";

/** A delivery as read back. */
export interface DeliveryRow {
  readonly id: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** The envelope; undefined once expired. */
  readonly envelope: DeliveryEnvelope | undefined;
}

/** A fresh delivery id: 16 random bytes as 22 base64url characters. */
export function newDeliveryId(): string {
  return randomBytes(16).toString("base64url");
}

const tables = (db: Db) => db.withTables<DeliveryTables>();

function toRow(row: {
  id: string;
  envelope: string | null;
  created_at: Date | string;
  expires_at: Date | string;
}): DeliveryRow {
  return {
    id: row.id,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    envelope: row.envelope === null ? undefined : (JSON.parse(row.envelope) as DeliveryEnvelope),
  };
}

/** Stores a delivery; it is durable when this resolves. */
export async function insertDelivery(
  db: Db,
  envelope: DeliveryEnvelope,
  ttlSeconds: number,
  now = new Date(),
): Promise<DeliveryRow> {
  const id = newDeliveryId();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await tables(db)
    .insertInto("deliveries")
    .values({
      id,
      envelope: JSON.stringify(envelope),
      patient_ref: envelope.recipient?.patientRef ?? null,
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return { id, createdAt: now, expiresAt, envelope };
}

/** One delivery (expired ones without their envelope), or undefined when unknown. */
export async function findDelivery(db: Db, id: string): Promise<DeliveryRow | undefined> {
  const row = await tables(db)
    .selectFrom("deliveries")
    .select(["id", "envelope", "created_at", "expires_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row === undefined ? undefined : toRow(row);
}

/** The deliveries waiting for a patient card, not expired, newest first (at most `limit`). */
export async function inboxOf(db: Db, patientRef: string, now = new Date(), limit = 200): Promise<DeliveryRow[]> {
  const rows = await tables(db)
    .selectFrom("deliveries")
    .select(["id", "envelope", "created_at", "expires_at"])
    .where("patient_ref", "=", patientRef)
    .where("envelope", "is not", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

/**
 * Deletes the envelopes of expired deliveries (their rows stay as tombstones), and the tombstones older than
 * `ttlSeconds` past their expiry.
 *
 * @returns How many envelopes and tombstones were deleted.
 */
export async function sweepExpired(
  db: Db,
  ttlSeconds: number,
  now = new Date(),
): Promise<{ expired: number; forgotten: number }> {
  const expired = await tables(db)
    .updateTable("deliveries")
    .set({ envelope: null, patient_ref: null })
    .where("expires_at", "<=", now)
    .where("envelope", "is not", null)
    .executeTakeFirst();
  const forgotten = await tables(db)
    .deleteFrom("deliveries")
    .where("expires_at", "<=", new Date(now.getTime() - ttlSeconds * 1000))
    .executeTakeFirst();
  return { expired: Number(expired.numUpdatedRows), forgotten: Number(forgotten.numDeletedRows) };
}

/** Deliveries stored and not expired (for `/health`). */
export async function countWaiting(db: Db, now = new Date()): Promise<number> {
  const row = await tables(db)
    .selectFrom("deliveries")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("envelope", "is not", null)
    .where("expires_at", ">", now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
