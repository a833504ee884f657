import { z } from "zod";
import type { MedicalBill } from "../bill";
import { InvalidArgumentError } from "../errors";
import { type PatientCard, type PatientCardSecret } from "./card";
import { deliveryEnvelopeSchema, patientRefSchema, type DeliveryEnvelope } from "./envelope";
import { DeliveryExpiredError, DeliveryServiceError, InvalidEnvelopeError, UnknownDeliveryError } from "./errors";
import { decodePickupUrl, DELIVERY_ID_PATTERN, encodePickupUrl, normalizeServiceUrl } from "./pickup";
import { openBill, openCardDelivery, sealBill, type DeliveredBill } from "./seal";

/** A delivery as the service serves it. */
export interface StoredDelivery {
  /** The delivery's id. */
  readonly id: string;
  /** When it was stored. */
  readonly createdAt: Date;
  /** When the service deletes its ciphertext. */
  readonly expiresAt: Date;
  /** The encrypted bill. */
  readonly envelope: DeliveryEnvelope;
}

/** Options shared by the calls to a delivery service. */
export interface ServiceOptions {
  /** The `fetch` to use (default: the platform's). */
  readonly fetch?: typeof globalThis.fetch;
  /** How long to wait for an answer, in ms (default 10,000). */
  readonly timeoutMs?: number;
}

/** What {@link deliverBill} did. */
export interface Delivery {
  /** The delivery's id on the service. */
  readonly deliveryId: string;
  /** When the service will delete it. */
  readonly expiresAt: Date;
  /** The bill's key (never sent to the service). */
  readonly key: Uint8Array;
  /** The pickup link `https://<service>/pickup/<id>#<key>`, for a delivery by pickup code (no card). */
  readonly pickupUrl?: string;
  /** The card it was sent to, for a patient-card delivery. */
  readonly card?: PatientCard;
}

/** The service's answer to `POST /v1/deliveries` (201). */
export const createdDeliverySchema = z.object({
  id: z.string().regex(DELIVERY_ID_PATTERN),
  createdAt: z.string().datetime(),
  expiresAt: z.string().datetime(),
});

/** One delivery as `GET /v1/deliveries/{id}` and the inbox serve it. */
export const storedDeliverySchema = z.object({
  id: z.string().regex(DELIVERY_ID_PATTERN),
  createdAt: z.string().datetime(),
  expiresAt: z.string().datetime(),
  envelope: deliveryEnvelopeSchema,
});

/** The service's answer to `GET /v1/inbox/{patientRef}`. */
export const inboxSchema = z.object({
  patientRef: patientRefSchema,
  deliveries: z.array(storedDeliverySchema),
});

async function call(
  serviceUrl: string,
  path: string,
  init: RequestInit,
  options: ServiceOptions,
  notFound?: (status: number, body: unknown) => Error | undefined,
): Promise<unknown> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = `${normalizeServiceUrl(serviceUrl)}${path}`;
  let response: Response;
  try {
    response = await doFetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  } catch (error) {
    throw new DeliveryServiceError(
      0,
      `the delivery service at ${serviceUrl} could not be reached: ${String((error as Error).message ?? error)}`,
      { cause: error },
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body;
  const special = notFound?.(response.status, body);
  if (special) throw special;
  const retry = Number(response.headers.get("retry-after"));
  const message = messageOf(body) ?? response.statusText;
  throw new DeliveryServiceError(
    response.status,
    response.status === 429
      ? `the delivery service is rate-limiting this client: retry in ${retry || "a few"} seconds`
      : `the delivery service answered ${response.status}: ${message}`,
    { retryAfter: Number.isFinite(retry) && retry > 0 ? retry : undefined },
  );
}

function messageOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as { message?: unknown; error?: unknown };
  if (typeof record.message === "string") return record.message;
  if (typeof record.error === "string") return record.error;
  if (typeof record.error === "object" && record.error !== null) return messageOf(record.error);
  return undefined;
}

function toStored(value: z.infer<typeof storedDeliverySchema>): StoredDelivery {
  return {
    id: value.id,
    createdAt: new Date(value.createdAt),
    expiresAt: new Date(value.expiresAt),
    envelope: value.envelope as DeliveryEnvelope,
  };
}

function answer<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new InvalidEnvelopeError(`the service's answer to ${what} is malformed: ${result.error.issues[0].message}`);
  }
  return result.data;
}

/**
 * Encrypts a bill ({@link sealBill}) and uploads the ciphertext to a delivery service: the one function the CLI,
 * the demo and any billing system use to deliver a bill. Without a card it returns the pickup link to print as a
 * QR code; with a card the delivery waits in the card's inbox.
 *
 * @param request - The service's URL, the issuer's bearer token, the bill's URI and document, and optionally the
 * patient card to deliver to.
 * @param options - `fetch`, timeout.
 * @returns The delivery's id, expiry, key and (without a card) pickup link.
 * @throws What {@link sealBill} throws; {@link DeliveryServiceError} when the service refuses (401 wrong token, 400).
 */
export async function deliverBill(
  request: { serviceUrl: string; token: string; uri: string; bill: MedicalBill; card?: PatientCard },
  options: ServiceOptions = {},
): Promise<Delivery> {
  if (typeof request.token !== "string" || request.token === "") {
    throw new InvalidArgumentError("token", "the issuer's bearer token for the delivery service is required");
  }
  const serviceUrl = normalizeServiceUrl(request.serviceUrl);
  const sealed = await sealBill({ uri: request.uri, bill: request.bill }, { card: request.card });
  const body = await call(
    serviceUrl,
    "/v1/deliveries",
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${request.token}` },
      body: JSON.stringify({ envelope: sealed.envelope }),
    },
    options,
  );
  const created = answer(createdDeliverySchema, body, "POST /v1/deliveries");
  return {
    deliveryId: created.id,
    expiresAt: new Date(created.expiresAt),
    key: sealed.key,
    ...(request.card
      ? { card: request.card }
      : { pickupUrl: encodePickupUrl({ serviceUrl, deliveryId: created.id, key: sealed.key }) }),
  };
}

/**
 * Fetches one delivery's envelope.
 *
 * @param serviceUrl - The service's base URL.
 * @param deliveryId - The delivery's id.
 * @param options - `fetch`, timeout.
 * @returns The stored delivery.
 * @throws {@link UnknownDeliveryError} (404), {@link DeliveryExpiredError} (410), {@link DeliveryServiceError}.
 */
export async function fetchDelivery(
  serviceUrl: string,
  deliveryId: string,
  options: ServiceOptions = {},
): Promise<StoredDelivery> {
  if (!DELIVERY_ID_PATTERN.test(deliveryId)) throw new UnknownDeliveryError(deliveryId);
  const body = await call(
    serviceUrl,
    `/v1/deliveries/${deliveryId}`,
    { method: "GET" },
    options,
    (status, answerBody) => {
      if (status === 404) return new UnknownDeliveryError(deliveryId);
      if (status === 410) {
        const at = (answerBody as { expiredAt?: unknown } | undefined)?.expiredAt;
        return new DeliveryExpiredError(deliveryId, typeof at === "string" ? new Date(at) : undefined);
      }
      return undefined;
    },
  );
  return toStored(answer(storedDeliverySchema, body, `GET /v1/deliveries/${deliveryId}`));
}

/**
 * Lists the deliveries waiting for a patient card (not yet expired), newest first.
 *
 * @param serviceUrl - The service's base URL.
 * @param patientRef - The card's patientRef.
 * @param options - `fetch`, timeout.
 * @returns The deliveries.
 */
export async function fetchInbox(
  serviceUrl: string,
  patientRef: string,
  options: ServiceOptions = {},
): Promise<StoredDelivery[]> {
  const ref = patientRefSchema.safeParse(patientRef);
  if (!ref.success) throw new InvalidArgumentError("patientRef", ref.error.issues[0].message);
  const body = await call(serviceUrl, `/v1/inbox/${ref.data}`, { method: "GET" }, options);
  return answer(inboxSchema, body, `GET /v1/inbox/${ref.data}`).deliveries.map(toStored);
}

/** A bill collected from a delivery: where it came from, and its URI and document. */
export interface CollectedBill extends DeliveredBill {
  /** The service it was fetched from. */
  readonly serviceUrl: string;
  /** The delivery's id. */
  readonly deliveryId: string;
}

/**
 * Collects a bill by its pickup link: reads the link strictly, fetches the envelope, decrypts it with the key from
 * the fragment (which never leaves the caller).
 *
 * @param link - `https://<service>/pickup/<id>#<key>`.
 * @param options - `fetch`, timeout.
 * @returns The bill's URI and document (verify them on chain next).
 * @throws `NotAPickupLinkError`, `InvalidPickupKeyError`, {@link UnknownDeliveryError}, {@link DeliveryExpiredError},
 * `WrongKeyError`, `TamperedCiphertextError`, {@link DeliveryServiceError}.
 */
export async function collectPickup(link: string, options: ServiceOptions = {}): Promise<CollectedBill> {
  const parsed = decodePickupUrl(link);
  const stored = await fetchDelivery(parsed.serviceUrl, parsed.deliveryId, options);
  const content = await openBill(stored.envelope, parsed.key);
  return { ...content, serviceUrl: parsed.serviceUrl, deliveryId: parsed.deliveryId };
}

/** One entry of a card's inbox, opened on the device: the bill, or why it could not be opened. */
export type InboxEntry =
  | { readonly delivery: StoredDelivery; readonly bill: CollectedBill; readonly error?: undefined }
  | { readonly delivery: StoredDelivery; readonly bill?: undefined; readonly error: Error };

/**
 * Fetches a card's inbox and opens every delivery with the card's private key, on the device.
 *
 * @param serviceUrl - The service's base URL.
 * @param card - The card's secret.
 * @param options - `fetch`, timeout.
 * @returns Each delivery with its bill, or the error that kept it closed.
 */
export async function openInbox(
  serviceUrl: string,
  card: PatientCardSecret,
  options: ServiceOptions = {},
): Promise<InboxEntry[]> {
  const base = normalizeServiceUrl(serviceUrl);
  const deliveries = await fetchInbox(base, card.patientRef, options);
  return Promise.all(
    deliveries.map(async (delivery): Promise<InboxEntry> => {
      try {
        const content = await openCardDelivery(delivery.envelope, card);
        return { delivery, bill: { ...content, serviceUrl: base, deliveryId: delivery.id } };
      } catch (error) {
        return { delivery, error: error as Error };
      }
    }),
  );
}
