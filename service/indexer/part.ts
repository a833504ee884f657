/**
 * The indexer part (always on): the registry's events into `bills`, `reimbursements` and `voids`, and the read
 * API over them.
 */
import type { Db, ServicePart } from "../part";
import { billRoutes } from "./bill-routes";
import { ledgerRoutes } from "./ledger-routes";
import { indexerMigrations } from "./schema";
import { startIndexer, type IndexerState } from "./worker";

/** Each running service's indexer state, by its database handle. */
const states = new WeakMap<Db, IndexerState>();
const stateOf = (db: Db): IndexerState => {
  let state = states.get(db);
  if (state === undefined) states.set(db, (state = { indexedBlock: null, error: null, events: 0 }));
  return state;
};

/** The indexer. */
export const indexerPart: ServicePart = {
  name: "indexer",
  enabled: () => true,
  migrations: indexerMigrations,
  routes(api, ctx) {
    billRoutes(api, ctx);
    ledgerRoutes(api, ctx);
  },
  async start(ctx) {
    return startIndexer(ctx, stateOf(ctx.db));
  },
  async health(ctx) {
    const state = stateOf(ctx.db);
    return { indexedBlock: state.indexedBlock, ...(state.error !== null ? { indexerError: state.error } : {}) };
  },
};
