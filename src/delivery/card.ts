import { patientRef as commitPatient, randomSalt } from "../bill";
import { bytes32Arg } from "../bytes";
import { fromBase64Url, toBase64Url } from "./base64url";
import { BILL_KEY_BYTES, IV_BYTES, P256_PUBLIC_KEY_BYTES, patientRefSchema, type CardRecipient } from "./envelope";
import { InvalidPatientCardError, WrongKeyError } from "./errors";
import { buffer, randomBytesOf, subtle, utf8, type WebKey } from "./webcrypto";

/**
 * What a patient card's QR code shows the cashier: the patient's `patientRef` (the hospital records it on chain, so
 * that the patient finds all their bills by one indexed topic) and an ECDH P-256 public key the hospital encrypts
 * each bill's key to. No name, no id.
 */
export interface PatientCard {
  /** `keccak256(abi.encode(patientSalt, patientIdDigest))`, 32 bytes as lower-case hex. */
  readonly patientRef: string;
  /** The card's ECDH P-256 public key, uncompressed (65 bytes), base64url. */
  readonly publicKey: string;
}

/** The private half of a P-256 key as a JSON Web Key (what WebCrypto exports and imports). */
export interface CardPrivateJwk {
  /** Key type. */
  readonly kty: "EC";
  /** Curve. */
  readonly crv: "P-256";
  /** Public x coordinate, base64url. */
  readonly x: string;
  /** Public y coordinate, base64url. */
  readonly y: string;
  /** Private scalar, base64url. */
  readonly d: string;
}

/** A patient card with its secrets, kept on the patient's device only (e.g. in IndexedDB). */
export interface PatientCardSecret extends PatientCard {
  /** The patient's own salt (32 bytes hex): `patientRef` commits to it and the patient's id. */
  readonly patientSalt: string;
  /** The card's ECDH private key. */
  readonly privateKey: CardPrivateJwk;
}

/** The URI scheme of a patient card's QR payload. */
export const CARD_SCHEME = "medbill-card";

const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;
const WRAP_LABEL = "medbill/delivery/v1 card key wrap ";

/**
 * Creates a patient card on the patient's device: a fresh ECDH P-256 key pair and the patient's commitment
 * `patientRef` from their national id and their own salt (fresh unless given, e.g. to keep an existing one).
 *
 * @param options - The patient's national id; optionally their existing salt.
 * @returns The card with its secrets; show {@link encodePatientCard} of it as a QR code.
 */
export async function createPatientCard(options: {
  patientId: string;
  patientSalt?: string;
}): Promise<PatientCardSecret> {
  const patientSalt = options.patientSalt === undefined ? randomSalt() : bytes32Arg("patientSalt", options.patientSalt);
  const ref = commitPatient(options.patientId, patientSalt);
  const pair = (await subtle().generateKey(ECDH, true, ["deriveBits"])) as { publicKey: WebKey; privateKey: WebKey };
  const publicKey = toBase64Url(new Uint8Array(await subtle().exportKey("raw", pair.publicKey)));
  const jwk = await subtle().exportKey("jwk", pair.privateKey);
  if (typeof jwk.x !== "string" || typeof jwk.y !== "string" || typeof jwk.d !== "string") {
    throw new InvalidPatientCardError("the platform exported an incomplete P-256 key");
  }
  return {
    patientRef: ref,
    publicKey,
    patientSalt,
    privateKey: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, d: jwk.d },
  };
}

/**
 * The QR payload of a card: `medbill-card:<patientRef>?k=<publicKey>`.
 *
 * @param card - The card (its public part).
 * @returns The payload.
 */
export function encodePatientCard(card: PatientCard): string {
  const checked = checkCard(card.patientRef, card.publicKey);
  return `${CARD_SCHEME}:${checked.patientRef}?k=${checked.publicKey}`;
}

/**
 * Reads a card's QR payload strictly: `medbill-card:<patientRef>?k=<publicKey>`, nothing else.
 *
 * @param text - The scanned text.
 * @returns The card.
 * @throws {@link InvalidPatientCardError} saying what is wrong.
 */
export function decodePatientCard(text: string): PatientCard {
  if (typeof text !== "string") throw new InvalidPatientCardError("a card payload must be a string");
  const match = /^medbill-card:([^?]*)\?k=(.*)$/.exec(text);
  if (match === null) throw new InvalidPatientCardError(`expected "${CARD_SCHEME}:<patientRef>?k=<publicKey>"`);
  return checkCard(match[1], match[2]);
}

function checkCard(ref: unknown, publicKey: unknown): PatientCard {
  const parsedRef = patientRefSchema.safeParse(ref);
  if (!parsedRef.success) throw new InvalidPatientCardError(parsedRef.error.issues[0].message);
  const bytes = typeof publicKey === "string" ? fromBase64Url(publicKey) : undefined;
  if (bytes === undefined || bytes.length !== P256_PUBLIC_KEY_BYTES || bytes[0] !== 4) {
    throw new InvalidPatientCardError(`the public key must be an uncompressed P-256 point (65 bytes) as base64url`);
  }
  return { patientRef: parsedRef.data, publicKey: publicKey as string };
}

/** The public part of a card with its secrets (what its QR code shows). */
export function cardOf(secret: PatientCardSecret): PatientCard {
  return { patientRef: secret.patientRef, publicKey: secret.publicKey };
}

async function importPublic(raw: Uint8Array, what: string): Promise<WebKey> {
  try {
    return await subtle().importKey("raw", buffer(raw), ECDH, true, []);
  } catch {
    throw new InvalidPatientCardError(`${what} is not a point on P-256`);
  }
}

/** HKDF-SHA-256 over the ECDH secret, bound to both public keys and the patientRef, to an AES-256-GCM key. */
async function wrappingKey(
  privateKey: WebKey,
  peer: WebKey,
  ephemeralRaw: Uint8Array,
  cardRaw: Uint8Array,
  ref: string,
  usage: "encrypt" | "decrypt",
): Promise<WebKey> {
  const shared = await subtle().deriveBits({ name: "ECDH", public: peer }, privateKey, 256);
  const hkdf = await subtle().importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const salt = new Uint8Array(ephemeralRaw.length + cardRaw.length);
  salt.set(ephemeralRaw);
  salt.set(cardRaw, ephemeralRaw.length);
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: utf8(WRAP_LABEL + ref) },
    hkdf,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  );
}

/** @internal Encrypts a bill's key to a patient card (ECDH with a fresh ephemeral key, HKDF, AES-GCM). */
export async function wrapBillKey(key: Uint8Array, card: PatientCard): Promise<CardRecipient> {
  const checked = checkCard(card.patientRef, card.publicKey);
  const cardRaw = fromBase64Url(checked.publicKey)!;
  const cardKey = await importPublic(cardRaw, "the card's public key");
  const ephemeral = (await subtle().generateKey(ECDH, true, ["deriveBits"])) as {
    publicKey: WebKey;
    privateKey: WebKey;
  };
  const ephemeralRaw = new Uint8Array(await subtle().exportKey("raw", ephemeral.publicKey));
  const wrapKey = await wrappingKey(
    ephemeral.privateKey,
    cardKey,
    ephemeralRaw,
    cardRaw,
    checked.patientRef,
    "encrypt",
  );
  const iv = randomBytesOf(IV_BYTES);
  const wrapped = await subtle().encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(checked.patientRef) },
    wrapKey,
    buffer(key),
  );
  return {
    patientRef: checked.patientRef,
    ephemeralKey: toBase64Url(ephemeralRaw),
    iv: toBase64Url(iv),
    wrappedKey: toBase64Url(new Uint8Array(wrapped)),
  };
}

/** @internal Opens a bill's key encrypted to this card; {@link WrongKeyError} when it was sent to another card. */
export async function unwrapBillKey(recipient: CardRecipient, card: PatientCardSecret): Promise<Uint8Array> {
  if (recipient.patientRef !== card.patientRef) {
    throw new WrongKeyError(`this delivery was sent to patientRef ${recipient.patientRef}, not to this card`);
  }
  const cardRaw = fromBase64Url(card.publicKey);
  if (cardRaw === undefined) throw new InvalidPatientCardError("the card's public key is not base64url");
  let privateKey: WebKey;
  try {
    privateKey = await subtle().importKey("jwk", { ...card.privateKey, ext: true }, ECDH, false, ["deriveBits"]);
  } catch {
    throw new InvalidPatientCardError("the card's private key is not a P-256 key");
  }
  const ephemeralRaw = fromBase64Url(recipient.ephemeralKey)!;
  const ephemeral = await importPublic(ephemeralRaw, "the delivery's ephemeral key");
  const unwrapKey = await wrappingKey(privateKey, ephemeral, ephemeralRaw, cardRaw, card.patientRef, "decrypt");
  try {
    const key = await subtle().decrypt(
      { name: "AES-GCM", iv: buffer(fromBase64Url(recipient.iv)!), additionalData: utf8(card.patientRef) },
      unwrapKey,
      buffer(fromBase64Url(recipient.wrappedKey)!),
    );
    const bytes = new Uint8Array(key);
    if (bytes.length !== BILL_KEY_BYTES) throw new WrongKeyError("the unwrapped key has the wrong length");
    return bytes;
  } catch (error) {
    if (error instanceof WrongKeyError) throw error;
    throw new WrongKeyError("this card's key does not open the delivery: it was sent to another card");
  }
}
