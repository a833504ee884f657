/**
 * Applies every enabled part's migrations (Kysely's migrator: each once, in a transaction, recorded in
 * `kysely_migration`, serialised across processes by its lock table).
 */
import { Migrator, type Migration } from "kysely";
import type { Db, ServicePart } from "../part";

/** The migrations of `parts`, named `<part>/<migration>`. */
export function migrationsOf(parts: readonly ServicePart[]): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const part of parts) {
    for (const [name, migration] of Object.entries(part.migrations ?? {})) all[`${part.name}/${name}`] = migration;
  }
  return all;
}

/**
 * Brings the schema up to date.
 *
 * @returns The names of the migrations applied now.
 * @throws the first migration's error, naming it.
 */
export async function migrate(db: Db, parts: readonly ServicePart[]): Promise<string[]> {
  const migrations = migrationsOf(parts);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // A part enabled later (e.g. intake on a node that only indexed so far) adds migrations that sort before ones
    // already applied: allowed, each part's own migrations still run in their order.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${message}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
