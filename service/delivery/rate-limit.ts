/**
 * Per-client rate limit of pickups: a token bucket per client address, refilled continuously, held in memory (a
 * restart forgets it, which only ever lets a client through). Bounded: at most {@link MAX_CLIENTS} buckets, the
 * least recently used dropped first.
 */

/** Buckets kept at most. */
export const MAX_CLIENTS = 10_000;

/** What {@link RateLimiter.take} decided. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** A token bucket per client: `perMinute` requests a minute, in bursts of at most `perMinute`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request's token for `client`, or says how long it must wait. */
  take(client: string): RateDecision {
    const now = this.now();
    const rate = this.perMinute / 60_000; // tokens per ms
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, at: now };
    this.buckets.delete(client); // re-inserted below: Map order is recency order
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    let decision: RateDecision;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      decision = { allowed: true };
    } else {
      decision = { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)) };
    }
    this.buckets.set(client, bucket);
    if (this.buckets.size > MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value as string);
    return decision;
  }
}
