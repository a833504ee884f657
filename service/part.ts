/**
 * The one interface through which each part of the service (indexer, intake, and later settlement and delivery)
 * contributes its tables, its HTTP routes, its background worker and its lines of `/health`. See
 * `service/README.md` for how to add a part.
 */
import type { Kysely, Migration } from "kysely";
import type { ServiceConfig } from "./config";
import type { Identity } from "./chain/identity";
import type { ChainLink } from "./chain/link";
import type { Api } from "./http/api";
import type { Logger } from "./log";

/** A database handle whose tables each part declares for itself with `db.withTables<MyTables>()`. */
export type Db = Kysely<Record<never, never>>;

/**
 * Adds fields to `GET /v1/bills/{billId}` (e.g. intake's `{ intake: { state } }`). Returning fields for a bill the
 * indexer has not seen makes the route answer 200 with status `None` and those fields instead of 404.
 */
export type BillDetailHook = (billId: string) => Promise<Record<string, unknown> | undefined>;

/** Extension points one part offers the others. */
export interface Hooks {
  /** Called by `GET /v1/bills/{billId}`, in part order. */
  readonly billDetails: BillDetailHook[];
}

/** What a part is handed when the service starts. */
export interface PartContext {
  /** The settings. */
  readonly config: ServiceConfig;
  /** The database (PGlite or PostgreSQL, PostgreSQL's dialect either way), migrated. */
  readonly db: Db;
  /** Which store backs {@link db}. */
  readonly store: "pglite" | "postgres";
  /** The node and the registry, reached through the SDK only. */
  readonly chain: ChainLink;
  /** One-line log messages on stderr. */
  readonly log: Logger;
  /** Extension points between parts. */
  readonly hooks: Hooks;
}

/** A running background worker; `stop` resolves once it has finished what it was doing. */
export interface Worker {
  stop(): Promise<void>;
}

/** One part of the service. */
export interface ServicePart {
  /** Short name: prefixes its migrations (`<name>/<migration>`) and names it in logs and `/health`. */
  readonly name: string;
  /**
   * Whether the part runs with these settings and this identity (the member `MEDBILL_AS` names, if any). Called
   * before anything starts; may throw a `ConfigError` (one line naming the setting).
   */
  enabled(config: ServiceConfig, identity: Identity | undefined): boolean;
  /**
   * The part's schema, as Kysely migrations keyed by a name that sorts in order (`001_bills`, `002_...`). They are
   * applied once each, in a transaction, before any route or worker starts; never edit one that has landed: add
   * the next.
   */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /** Declares the part's HTTP routes (validated by zod and listed in `/openapi.json`). */
  routes?(api: Api, ctx: PartContext): void;
  /** Starts the part's background worker (after the routes are listening). */
  start?(ctx: PartContext): Promise<Worker>;
  /** The part's fields of `GET /health` (e.g. `{ intake: { queued: 3 } }`). */
  health?(ctx: PartContext): Promise<Record<string, unknown>>;
}
