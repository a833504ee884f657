import { InvalidArgumentError } from "../errors";
import { fromBase64Url } from "./base64url";
import { BILL_KEY_BYTES } from "./envelope";
import { InvalidPickupKeyError, NotAPickupLinkError } from "./errors";
import { encodeBillKey } from "./seal";

/** A delivery id: 16 random bytes as 22 base64url characters (the service chooses it). */
export const DELIVERY_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** The path segment of pickup links: `…/pickup/<deliveryId>`. */
export const PICKUP_SEGMENT = "pickup";
/** Characters of a key in a pickup link's fragment (32 bytes in base64url without padding). */
export const PICKUP_KEY_CHARS = 43;

/** What a pickup link carries. */
export interface PickupLink {
  /** The delivery service's base URL, without a trailing slash, e.g. `https://pay.example.cn/medbill`. */
  readonly serviceUrl: string;
  /** The delivery's id. */
  readonly deliveryId: string;
  /** The bill's key (32 bytes), from the fragment. */
  readonly key: Uint8Array;
}

/** Checks a service base URL (http or https, no query or fragment) and returns it without a trailing slash. */
export function normalizeServiceUrl(serviceUrl: string): string {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    throw new InvalidArgumentError("serviceUrl", `"${serviceUrl}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidArgumentError("serviceUrl", `"${serviceUrl}" must be an http(s) URL`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new InvalidArgumentError("serviceUrl", `"${serviceUrl}" must have no query, fragment or credentials`);
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * Writes a pickup link `https://<service>/pickup/<deliveryId>#<key>`: the key only in the fragment, which browsers
 * never send to any server.
 *
 * @param link - The service's base URL, the delivery's id and the bill's key.
 * @returns The link, for the pickup QR code printed on the examination record.
 */
export function encodePickupUrl(link: { serviceUrl: string; deliveryId: string; key: Uint8Array }): string {
  const base = normalizeServiceUrl(link.serviceUrl);
  if (!DELIVERY_ID_PATTERN.test(link.deliveryId)) {
    throw new InvalidArgumentError("deliveryId", `"${link.deliveryId}" is not a delivery id (22 base64url characters)`);
  }
  return `${base}/${PICKUP_SEGMENT}/${link.deliveryId}#${encodeBillKey(link.key)}`;
}

/**
 * Reads a pickup link strictly: an http(s) URL whose path ends in `/pickup/<deliveryId>`, no query, and exactly
 * the 43-character key in the fragment.
 *
 * @param text - The scanned or pasted link.
 * @returns Its parts.
 * @throws {@link NotAPickupLinkError} when it is not a pickup link at all (a bill URI, another URL, text);
 * {@link InvalidPickupKeyError} when it is one but its key is missing, truncated or malformed.
 */
export function decodePickupUrl(text: string): PickupLink {
  if (typeof text !== "string") throw new NotAPickupLinkError("expected text", String(text));
  const link = text.trim();
  if (link.startsWith("medbill:")) {
    throw new NotAPickupLinkError("this is a bill URI (medbill:…) for verification, not a pickup link", link);
  }
  if (link.startsWith("medbill-card:")) {
    throw new NotAPickupLinkError("this is a patient card, not a pickup link", link);
  }
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new NotAPickupLinkError("it is not a URL", link);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new NotAPickupLinkError(`a pickup link is an http(s) URL, not ${url.protocol}`, link);
  }
  const segments = url.pathname.split("/");
  const deliveryId = segments.at(-1) ?? "";
  if (segments.length < 3 || segments.at(-2) !== PICKUP_SEGMENT) {
    throw new NotAPickupLinkError(`its path ${url.pathname} does not end in /${PICKUP_SEGMENT}/<deliveryId>`, link);
  }
  if (!DELIVERY_ID_PATTERN.test(deliveryId)) {
    throw new NotAPickupLinkError(`"${deliveryId}" is not a delivery id (22 base64url characters)`, link);
  }
  if (url.search) throw new NotAPickupLinkError("a pickup link has no query", link);
  if (url.username || url.password) throw new NotAPickupLinkError("a pickup link has no credentials", link);
  const serviceUrl = `${url.origin}${segments.slice(0, -2).join("/")}`;
  return { serviceUrl, deliveryId, key: decodePickupKey(url.hash.replace(/^#/, "")) };
}

/**
 * Reads the key of a pickup link's fragment (43 base64url characters).
 *
 * @param fragment - The fragment without `#`.
 * @returns The key (32 bytes).
 * @throws {@link InvalidPickupKeyError}: `missing`, `truncated` (a prefix of a key) or `malformed`.
 */
export function decodePickupKey(fragment: string): Uint8Array {
  if (fragment === "") throw new InvalidPickupKeyError("missing", "the link has no key after #");
  const wellFormedChars = /^[A-Za-z0-9_-]*$/.test(fragment);
  if (wellFormedChars && fragment.length < PICKUP_KEY_CHARS) {
    throw new InvalidPickupKeyError(
      "truncated",
      `it has ${fragment.length} of ${PICKUP_KEY_CHARS} characters: the link was cut short`,
    );
  }
  const key = wellFormedChars && fragment.length === PICKUP_KEY_CHARS ? fromBase64Url(fragment) : undefined;
  if (key === undefined || key.length !== BILL_KEY_BYTES) {
    throw new InvalidPickupKeyError(
      "malformed",
      `expected ${PICKUP_KEY_CHARS} base64url characters (A-Z a-z 0-9 - _), got ${fragment.length} characters`,
    );
  }
  return key;
}
