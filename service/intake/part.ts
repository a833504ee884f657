/**
 * The intake part (when `MEDBILL_AS` names a hospital): `POST /v1/bills` into a durable outbox, and the batcher that
 * issues what waits there. Salts of rows without one come from `MEDBILL_SALT_SECRET` (the hospital's secret).
 */
import { ConfigError } from "../config";
import type { Db, ServicePart } from "../part";
import { startBatcher, type Batcher, type BatcherState } from "./batcher";
import { DEV_SALT_SECRET } from "../../src";
import { intakeRoutes } from "./routes";
import { intakeMigrations, type IntakeTables } from "./schema";

interface Running {
  state: BatcherState;
  batcher?: Batcher;
}
const running = new WeakMap<Db, Running>();
const runningOf = (db: Db): Running => {
  let r = running.get(db);
  if (r === undefined) {
    r = { state: { issued: 0, transactions: 0, gasUsed: 0n, lastError: null } };
    running.set(db, r);
  }
  return r;
};

/** Intake. */
export const intakePart: ServicePart = {
  name: "intake",
  enabled: (config, identity) => {
    if (identity === undefined || identity.member.role !== "issuer") return false;
    const secret = config.env.MEDBILL_SALT_SECRET;
    if (secret !== undefined && secret !== "" && secret.length < 16) {
      throw new ConfigError("MEDBILL_SALT_SECRET must be at least 16 characters");
    }
    return true;
  },
  migrations: intakeMigrations,
  routes(api, ctx) {
    const secret = ctx.config.env.MEDBILL_SALT_SECRET || DEV_SALT_SECRET;
    if (secret === DEV_SALT_SECRET)
      ctx.log.warn("MEDBILL_SALT_SECRET is not set: salts come from the development secret");
    const r = runningOf(ctx.db);
    intakeRoutes(api, ctx, secret, () => r.batcher?.wake());
  },
  async start(ctx) {
    const r = runningOf(ctx.db);
    r.batcher = startBatcher(ctx, r.state);
    return r.batcher;
  },
  async health(ctx) {
    const { state } = runningOf(ctx.db);
    const waiting = await ctx.db
      .withTables<IntakeTables>()
      .selectFrom("intake_outbox")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("state", "in", ["queued", "sent"])
      .executeTakeFirstOrThrow();
    return {
      intake: {
        as: ctx.chain.identity?.member.id,
        waiting: Number(waiting.n),
        issued: state.issued,
        transactions: state.transactions,
        gasUsed: state.gasUsed.toString(),
        gasPerBill: state.issued > 0 ? Number(state.gasUsed / BigInt(state.issued)) : null,
        ...(state.lastError !== null ? { lastError: state.lastError } : {}),
      },
    };
  },
};
