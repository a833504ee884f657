/**
 * Opens the service's database: a PostgreSQL server when `DATABASE_URL` is set, else embedded PGlite in
 * `MEDBILL_DATA_DIR`. Both speak PostgreSQL's dialect through Kysely; numbers come back the same way from both
 * (`bigint` and `numeric` columns as decimal strings), so no query knows which store it runs on.
 */
import fs from "node:fs";
import { Kysely, PostgresDialect } from "kysely";
import type { Db } from "../part";
import { pglitePool } from "./pglite-pool";

/** An open database. */
export interface Storage {
  readonly db: Db;
  readonly store: "pglite" | "postgres";
  /** Where it is, for logs (a URL without its password, or the PGlite directory). */
  readonly where: string;
  close(): Promise<void>;
}

/** The database cannot be opened; the message is one line naming the setting at fault. */
export class StorageError extends Error {
  override readonly name = "StorageError";
}

/** PostgreSQL type ids whose text form is kept as is: int8 and numeric (amounts in fen exceed 2^53). */
const INT8 = 20;
const NUMERIC = 1700;

/** `postgres://user:***@host:port/db`: a connection URL without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * Opens the store the settings name and checks it answers.
 *
 * @throws {@link StorageError} when PostgreSQL cannot be reached (naming `DATABASE_URL`) or PGlite's directory
 * cannot be used (naming `MEDBILL_DATA_DIR`).
 */
export async function openStorage(settings: { databaseUrl?: string; dataDir: string }): Promise<Storage> {
  if (settings.databaseUrl !== undefined) return openPostgres(settings.databaseUrl);
  return openPglite(settings.dataDir);
}

async function openPostgres(url: string): Promise<Storage> {
  const pg = await import("pg");
  const Pool = pg.default?.Pool ?? pg.Pool;
  // The check at start gives up after 5 s; a request waits longer for one of the pool's connections under a burst
  // (pg-pool's connectionTimeoutMillis also bounds that wait: at 5 s, a burst on a loaded machine answered 500).
  const Client = pg.default?.Client ?? pg.Client;
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 60_000 });
  pool.on("error", () => undefined); // an idle client's error surfaces on its next query instead
  try {
    await probe.connect();
    await probe.end();
  } catch (e) {
    await probe.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    const reason = ((e as Error).message || String(e)).split("\n")[0];
    throw new StorageError(`cannot reach the PostgreSQL server named by DATABASE_URL (${redactUrl(url)}): ${reason}`);
  }
  const db = new Kysely<Record<never, never>>({ dialect: new PostgresDialect({ pool }) });
  return { db, store: "postgres", where: redactUrl(url), close: () => db.destroy() };
}

async function openPglite(dataDir: string): Promise<Storage> {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new StorageError(`cannot create MEDBILL_DATA_DIR ${dataDir}: ${(e as Error).message}`);
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const keep = (text: string): string => text;
  let pg;
  try {
    pg = await PGlite.create(dataDir, { parsers: { [INT8]: keep, [NUMERIC]: keep } });
  } catch (e) {
    throw new StorageError(`cannot open the PGlite database in MEDBILL_DATA_DIR ${dataDir}: ${(e as Error).message}`);
  }
  const db = new Kysely<Record<never, never>>({ dialect: new PostgresDialect({ pool: pglitePool(pg) }) });
  return {
    db,
    store: "pglite",
    where: dataDir,
    close: async () => {
      await db.destroy();
      await pg.close();
    },
  };
}
