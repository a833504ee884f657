import { z } from "zod";
import { fromBase64Url } from "./base64url";
import { InvalidEnvelopeError } from "./errors";

/** Version of the delivery envelope format. */
export const ENVELOPE_VERSION = 1;

/** Bytes of a bill's AES-256-GCM key. */
export const BILL_KEY_BYTES = 32;
/** Bytes of an AES-GCM nonce. */
export const IV_BYTES = 12;
/** Bytes of a key check ({@link DeliveryEnvelope.keyCheck}). */
export const KEY_CHECK_BYTES = 16;
/** Bytes of an uncompressed P-256 public key (`0x04 || x || y`). */
export const P256_PUBLIC_KEY_BYTES = 65;
/** Longest ciphertext accepted, in base64url characters (about 1 MB of bill document). */
export const MAX_CIPHERTEXT_CHARS = 1_400_000;

/**
 * The key of a bill encrypted to a patient card: ECDH P-256 between a fresh ephemeral key and the card's key,
 * HKDF-SHA-256, then AES-256-GCM over the bill's key. Only the card's private key (on the patient's device) opens it.
 */
export interface CardRecipient {
  /** The card holder's `patientRef` (32 bytes, lower-case hex): the delivery waits in that inbox. */
  readonly patientRef: string;
  /** The issuer's ephemeral P-256 public key, uncompressed, base64url. */
  readonly ephemeralKey: string;
  /** The key wrap's AES-GCM nonce, base64url. */
  readonly iv: string;
  /** The bill's key encrypted to the card (32 bytes and the 16-byte tag), base64url. */
  readonly wrappedKey: string;
}

/**
 * What the delivery service stores and serves: a bill encrypted with AES-256-GCM under a fresh key, and nothing in
 * the clear but, for a patient-card delivery, the card holder's `patientRef` (already public on chain).
 */
export interface DeliveryEnvelope {
  /** Format version, {@link ENVELOPE_VERSION}. */
  readonly v: 1;
  /** AES-GCM nonce (12 bytes), base64url. */
  readonly iv: string;
  /** The encrypted content with its 16-byte tag, base64url (the plaintext is padded to hide its exact length). */
  readonly ciphertext: string;
  /**
   * First 16 bytes of SHA-256 over a fixed label and the key: tells a wrong key (check differs) from an altered
   * ciphertext (check matches, authentication fails), and commits the envelope to one key.
   */
  readonly keyCheck: string;
  /** Present when the bill's key is encrypted to a patient card. */
  readonly recipient?: CardRecipient;
}

const b64 = (what: string, bytes: number) =>
  z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .refine((s) => fromBase64Url(s)?.length === bytes, `${what} must be ${bytes} bytes as base64url`);

/** The patientRef of a card: 32 bytes as lower-case hex, not zero. */
export const patientRefSchema = z
  .string({ required_error: "patientRef is required", invalid_type_error: "patientRef must be a string" })
  .regex(/^0x[0-9a-f]{64}$/, "patientRef must be 32 bytes as 0x-prefixed lower-case hex")
  .refine((s) => !/^0x0+$/.test(s), "patientRef must not be zero");

/** Schema of {@link CardRecipient}. */
export const cardRecipientSchema = z
  .object({
    patientRef: patientRefSchema,
    ephemeralKey: b64("recipient.ephemeralKey", P256_PUBLIC_KEY_BYTES),
    iv: b64("recipient.iv", IV_BYTES),
    wrappedKey: b64("recipient.wrappedKey", BILL_KEY_BYTES + 16),
  })
  .strict();

/** Schema of {@link DeliveryEnvelope}: what `POST /v1/deliveries` accepts and the service stores. */
export const deliveryEnvelopeSchema = z
  .object({
    v: z.literal(ENVELOPE_VERSION, { errorMap: () => ({ message: `v must be ${ENVELOPE_VERSION}` }) }),
    iv: b64("iv", IV_BYTES),
    ciphertext: z
      .string({ required_error: "ciphertext is required", invalid_type_error: "ciphertext must be a string" })
      .min(24, "ciphertext is too short to hold a tag")
      .max(MAX_CIPHERTEXT_CHARS, `ciphertext must be at most ${MAX_CIPHERTEXT_CHARS} characters`)
      .refine((s) => fromBase64Url(s) !== undefined, "ciphertext must be base64url"),
    keyCheck: b64("keyCheck", KEY_CHECK_BYTES),
    recipient: cardRecipientSchema.optional(),
  })
  .strict();

/**
 * Validates a delivery envelope (from a service's answer or a file).
 *
 * @param value - The parsed JSON.
 * @returns The envelope.
 * @throws {@link InvalidEnvelopeError} naming every bad field.
 */
export function parseEnvelope(value: unknown): DeliveryEnvelope {
  const result = deliveryEnvelopeSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidEnvelopeError(
      result.error.issues.map((i) => `${i.path.join(".") || "(envelope)"}: ${i.message}`).join("; "),
    );
  }
  return result.data as DeliveryEnvelope;
}
