/**
 * The delivery part: stores bills encrypted by their issuers for patients to collect by pickup code or in a
 * patient card's inbox. The service never sees a bill in the clear: it keeps ciphertext and, for a card, the card
 * holder's patientRef (already public on chain). Settings: `MEDBILL_DELIVERY` (on/off, default on),
 * `MEDBILL_DELIVERY_TTL` (seconds, default 30 days), `MEDBILL_PICKUP_RATE` (reads per client per minute, default
 * 30), `MEDBILL_WALLET_URL` (where `/pickup/{id}` forwards).
 */
import type { ServicePart } from "../part";
import { deliveryRoutes } from "./routes";
import { deliveryMigrations } from "./schema";
import { deliverySettings } from "./settings";
import { countWaiting, sweepExpired } from "./store";

/** The delivery part. */
export const deliveryPart: ServicePart = {
  name: "delivery",
  enabled: (config) => deliverySettings(config.env).enabled,
  migrations: deliveryMigrations,
  routes(api, ctx) {
    deliveryRoutes(api, ctx, deliverySettings(ctx.config.env));
  },
  async start(ctx) {
    const settings = deliverySettings(ctx.config.env);
    let running: Promise<void> = Promise.resolve();
    const sweep = (): void => {
      running = running
        .then(async () => {
          const { expired, forgotten } = await sweepExpired(ctx.db, settings.ttlSeconds);
          if (expired + forgotten > 0) ctx.log.info(`${expired} deliveries expired, ${forgotten} forgotten`);
        })
        .catch((error: unknown) => ctx.log.warn(`sweeping expired deliveries failed: ${(error as Error).message}`));
    };
    sweep();
    const timer = setInterval(sweep, settings.sweepMs);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await running;
      },
    };
  },
  async health(ctx) {
    return { delivery: { waiting: await countWaiting(ctx.db) } };
  },
};
