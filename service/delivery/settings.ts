/**
 * The delivery part's settings (read from the service's environment, each checked up front; a bad one is a
 * `ConfigError` naming the variable).
 */
import { ConfigError } from "../config";

/** Settings of the delivery part. */
export interface DeliverySettings {
  /** Whether the part runs (`MEDBILL_DELIVERY`: `on`, the default, or `off`). */
  readonly enabled: boolean;
  /** Seconds a delivery is kept before its ciphertext is deleted (`MEDBILL_DELIVERY_TTL`, default 30 days). */
  readonly ttlSeconds: number;
  /** Reads (`GET /v1/deliveries/{id}`, `GET /v1/inbox/{patientRef}`) per client per minute (`MEDBILL_PICKUP_RATE`, default 30). */
  readonly pickupsPerMinute: number;
  /** The wallet page `/pickup/{id}` forwards to, the pickup link in its fragment (`MEDBILL_WALLET_URL`). */
  readonly walletUrl: string | undefined;
  /** How often expired deliveries are swept, in ms (`MEDBILL_DELIVERY_SWEEP_MS`, default 60,000). */
  readonly sweepMs: number;
}

/** Default {@link DeliverySettings.ttlSeconds}: 30 days. */
export const DEFAULT_TTL_SECONDS = 30 * 24 * 3600;
/** Default {@link DeliverySettings.pickupsPerMinute}. */
export const DEFAULT_PICKUPS_PER_MINUTE = 30;

function whole(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/**
 * Reads the delivery settings.
 *
 * @throws {@link ConfigError} naming the first bad variable.
 */
export function deliverySettings(env: Readonly<Record<string, string | undefined>>): DeliverySettings {
  const switchValue = (env.MEDBILL_DELIVERY ?? "on").trim().toLowerCase();
  if (switchValue !== "on" && switchValue !== "off") {
    throw new ConfigError(`MEDBILL_DELIVERY must be "on" or "off", got "${env.MEDBILL_DELIVERY}"`);
  }
  const walletUrl = env.MEDBILL_WALLET_URL?.trim() || undefined;
  if (walletUrl !== undefined && !/^(https?:\/\/|\/)/.test(walletUrl)) {
    throw new ConfigError(`MEDBILL_WALLET_URL must be an http(s) URL or a path starting with /, got "${walletUrl}"`);
  }
  return {
    enabled: switchValue === "on",
    ttlSeconds: whole(env, "MEDBILL_DELIVERY_TTL", DEFAULT_TTL_SECONDS, 1, 10 * 365 * 24 * 3600),
    pickupsPerMinute: whole(env, "MEDBILL_PICKUP_RATE", DEFAULT_PICKUPS_PER_MINUTE, 1, 100_000),
    walletUrl,
    sweepMs: whole(env, "MEDBILL_DELIVERY_SWEEP_MS", 60_000, 100, 3_600_000),
  };
}
