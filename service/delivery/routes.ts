/**
 * The delivery routes (names fixed by DESIGN.md): `POST /v1/deliveries` (the issuer's bearer token) stores an
 * encrypted bill; `GET /v1/deliveries/{id}` returns it (410 once expired, 404 unknown); `GET /v1/inbox/{patientRef}`
 * lists what waits for a patient card; `GET /pickup/{id}` is the page a pickup QR code opens. Reads are
 * rate-limited per client and answered to any origin (the wallet is a static page hosted anywhere).
 */
import { z } from "zod";
import { deliveryEnvelopeSchema, patientRefSchema, type DeliveryEnvelope } from "../../src/delivery/envelope";
import { DELIVERY_ID_PATTERN } from "../../src/delivery/pickup";
import type { Api, Reply } from "../http/api";
import { errorSchema } from "../http/schemas";
import type { PartContext } from "../part";
import { pickupPage } from "./pickup-page";
import { RateLimiter } from "./rate-limit";
import type { DeliverySettings } from "./settings";
import { findDelivery, inboxOf, insertDelivery, type DeliveryRow } from "./store";

const idParams = z.object({
  id: z.string().regex(DELIVERY_ID_PATTERN, "id must be a delivery id (22 base64url characters)"),
});
const inboxParams = z.object({ patientRef: patientRefSchema });

const createdSchema = z.object({ id: z.string(), createdAt: z.string(), expiresAt: z.string() });
const deliverySchema = createdSchema.extend({ envelope: deliveryEnvelopeSchema });
const inboxSchema = z.object({ patientRef: z.string(), deliveries: z.array(deliverySchema) });
const expiredSchema = errorSchema.extend({ expiredAt: z.string() });

/** Answers readable by a page of any origin (the wallet); nothing here needs credentials. */
const CORS = { "access-control-allow-origin": "*" } as const;

function served(row: DeliveryRow & { envelope: DeliveryEnvelope }) {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    envelope: row.envelope,
  };
}

/** Declares the delivery routes. */
export function deliveryRoutes(api: Api, ctx: PartContext, settings: DeliverySettings): void {
  const limiter = new RateLimiter(settings.pickupsPerMinute);
  /** The 429 for a client over its rate, or undefined when it may go on. */
  const limited = (ip: string): Reply | undefined => {
    const decision = limiter.take(ip);
    if (decision.allowed) return undefined;
    return {
      status: 429,
      body: {
        error: `too many pickups from this client: at most ${settings.pickupsPerMinute} a minute (MEDBILL_PICKUP_RATE); retry in ${decision.retryAfterSeconds} s`,
      },
      headers: { ...CORS, "retry-after": String(decision.retryAfterSeconds) },
    };
  };

  api.route({
    method: "POST",
    path: "/v1/deliveries",
    summary: "Stores a bill encrypted by its issuer (AES-256-GCM, a fresh key per bill) for its patient to collect",
    tags: ["delivery"],
    auth: true,
    body: z.object({ envelope: deliveryEnvelopeSchema }).strict(),
    responses: {
      201: { description: "Stored; the pickup link is https://<service>/pickup/<id>#<key>", schema: createdSchema },
      400: { description: "Invalid envelope (every bad field named)", schema: errorSchema },
      401: { description: "No or wrong bearer token", schema: errorSchema },
    },
    handler: async ({ body }) => {
      const row = await insertDelivery(ctx.db, body.envelope as DeliveryEnvelope, settings.ttlSeconds);
      ctx.log.info(
        `delivery ${row.id} stored (${body.envelope.recipient ? "patient card" : "pickup code"}), expires ${row.expiresAt.toISOString()}`,
      );
      return {
        status: 201,
        body: { id: row.id, createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt.toISOString() },
      };
    },
  });

  api.route({
    method: "GET",
    path: "/v1/deliveries/{id}",
    summary: "One encrypted bill, for the wallet to decrypt with the key from its pickup link",
    tags: ["delivery"],
    params: idParams,
    responses: {
      200: { description: "The envelope", schema: deliverySchema },
      404: { description: "No such delivery", schema: errorSchema },
      410: { description: "Expired: its ciphertext was deleted", schema: expiredSchema },
      429: { description: "Too many pickups from this client (Retry-After)", schema: errorSchema },
    },
    handler: async ({ params, ip }) => {
      const refused = limited(ip);
      if (refused) return refused;
      const row = await findDelivery(ctx.db, params.id);
      if (row === undefined) {
        return { status: 404, body: { error: `no delivery ${params.id} (unknown)` }, headers: CORS };
      }
      if (row.envelope === undefined || row.expiresAt.getTime() <= Date.now()) {
        return {
          status: 410,
          body: { error: `delivery ${params.id} expired`, expiredAt: row.expiresAt.toISOString() },
          headers: CORS,
        };
      }
      return { status: 200, body: served({ ...row, envelope: row.envelope }), headers: CORS };
    },
  });

  api.route({
    method: "GET",
    path: "/v1/inbox/{patientRef}",
    summary: "The encrypted bills waiting for a patient card (newest first); only the card's key opens them",
    tags: ["delivery"],
    params: inboxParams,
    responses: {
      200: { description: "The deliveries not yet expired", schema: inboxSchema },
      429: { description: "Too many pickups from this client (Retry-After)", schema: errorSchema },
    },
    handler: async ({ params, ip }) => {
      const refused = limited(ip);
      if (refused) return refused;
      const rows = await inboxOf(ctx.db, params.patientRef);
      return {
        status: 200,
        body: {
          patientRef: params.patientRef,
          deliveries: rows.flatMap((row) => (row.envelope ? [served({ ...row, envelope: row.envelope })] : [])),
        },
        headers: CORS,
      };
    },
  });

  api.route({
    method: "GET",
    path: "/pickup/{id}",
    summary: "The page a pickup QR code opens: forwards the link (key in the fragment) to the wallet page",
    tags: ["delivery"],
    params: idParams,
    responses: { 200: { description: "HTML", alsoAs: ["text/html"] } },
    handler: async () => ({
      status: 200,
      body: pickupPage(settings.walletUrl),
      contentType: "text/html; charset=utf-8",
      headers: { "referrer-policy": "no-referrer", "cache-control": "no-store" },
    }),
  });
}
