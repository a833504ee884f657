/**
 * The settlement part (when `MEDBILL_AS` names a payer: role claimer in the consortium file): `POST
 * /v1/reimbursements` into a durable outbox, and the batcher that pays what waits there in `reimburseBatch`
 * transactions through the SDK's `reimburseMany`. It shares intake's batch settings (`MEDBILL_BATCH_SIZE`,
 * `MEDBILL_BATCH_WAIT_MS`).
 */
import type { Db, ServicePart } from "../part";
import { startBatcher, type Batcher, type BatcherState } from "./batcher";
import { settlementRoutes } from "./routes";
import { settlementMigrations, type SettlementTables } from "./schema";

interface Running {
  state: BatcherState;
  batcher?: Batcher;
}
const running = new WeakMap<Db, Running>();
const runningOf = (db: Db): Running => {
  let r = running.get(db);
  if (r === undefined) {
    r = { state: { paid: 0, transactions: 0, gasUsed: 0n, lastError: null } };
    running.set(db, r);
  }
  return r;
};

/** Settlement. */
export const settlementPart: ServicePart = {
  name: "settlement",
  enabled: (_config, identity) => identity?.member.role === "claimer",
  migrations: settlementMigrations,
  routes(api, ctx) {
    const r = runningOf(ctx.db);
    settlementRoutes(api, ctx, () => r.batcher?.wake());
  },
  async start(ctx) {
    const r = runningOf(ctx.db);
    r.batcher = startBatcher(ctx, r.state);
    return r.batcher;
  },
  async health(ctx) {
    const { state } = runningOf(ctx.db);
    const counts = await ctx.db
      .withTables<SettlementTables>()
      .selectFrom("settlement_outbox")
      .select((eb) => ["state", eb.fn.countAll<string>().as("n")])
      .groupBy("state")
      .execute();
    const count = (...states: string[]): number =>
      counts.filter((c) => states.includes(c.state)).reduce((sum, c) => sum + Number(c.n), 0);
    return {
      settlement: {
        as: ctx.chain.identity?.member.id,
        waiting: count("queued", "sent"),
        paid: count("paid"),
        failed: count("failed"),
        paidNow: state.paid,
        transactions: state.transactions,
        gasUsed: state.gasUsed.toString(),
        gasPerItem: state.paid > 0 ? Number(state.gasUsed / BigInt(state.paid)) : null,
        ...(state.lastError !== null ? { lastError: state.lastError } : {}),
      },
    };
  },
};
