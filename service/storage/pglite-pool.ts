/**
 * PGlite behind Kysely's own PostgreSQL dialect: a "pool" of PGlite's one connection, handed out to one caller at a
 * time (a transaction holds it until it commits), so Kysely's `PostgresDialect` (its query compiler, its migrator,
 * its transactions) runs unchanged on the embedded database. The adapter packages on npm do not declare support
 * for PGlite 0.5 yet; this is the whole of what they do.
 */
import type { PGlite } from "@electric-sql/pglite";
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";

/** Kysely's pool interface over one PGlite instance. */
export function pglitePool(pg: PGlite): PostgresPool {
  let busy: Promise<void> = Promise.resolve();
  const query = async <R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
    const result = await pg.query<R>(sql, parameters as unknown[], { rowMode: "object" });
    const command = (/^\s*(\w+)/.exec(sql)?.[1] ?? "SELECT").toUpperCase() as PostgresQueryResult<R>["command"];
    return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
  };
  // Kysely only streams through cursors, which the service does not use.
  const client = (release: () => void): PostgresPoolClient => ({ query, release }) as unknown as PostgresPoolClient;
  return {
    connect(): Promise<PostgresPoolClient> {
      const previous = busy;
      let release!: () => void;
      busy = new Promise<void>((resolve) => (release = resolve));
      return previous.then(() => {
        let released = false;
        return client(() => {
          if (released) return;
          released = true;
          release();
        });
      });
    },
    async end(): Promise<void> {
      await busy;
    },
  };
}
