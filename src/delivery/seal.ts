import { billToJson, hashBill, parseBill, type MedicalBill } from "../bill";
import { InvalidArgumentError, MedBillError } from "../errors";
import { decodeBillUri } from "../uri";
import { fromBase64Url, toBase64Url } from "./base64url";
import { unwrapBillKey, wrapBillKey, type PatientCard, type PatientCardSecret } from "./card";
import {
  BILL_KEY_BYTES,
  ENVELOPE_VERSION,
  IV_BYTES,
  KEY_CHECK_BYTES,
  parseEnvelope,
  type DeliveryEnvelope,
} from "./envelope";
import { InvalidDeliveryContentError, TamperedCiphertextError, WrongKeyError } from "./errors";
import { buffer, randomBytesOf, sameBytes, subtle, utf8 } from "./webcrypto";

/** What a delivery carries: the bill's URI (chain, registry, bill id, content hash) and its full document. */
export interface DeliveredBill {
  /** The bill URI, `medbill:<chainId>/<registry>/<billId>?h=<contentHash>`. */
  readonly uri: string;
  /** The bill document; its EIP-712 hash under the URI's registry is the URI's content hash. */
  readonly bill: MedicalBill;
}

/** A sealed bill: the envelope to upload, and the key that opens it (for the pickup link's fragment). */
export interface SealedBill {
  /** What the delivery service stores. */
  readonly envelope: DeliveryEnvelope;
  /** The bill's fresh AES-256-GCM key (32 bytes). Never sent to the service. */
  readonly key: Uint8Array;
}

/** Options of {@link sealBill}. */
export interface SealOptions {
  /** Also encrypt the key to this patient card (the delivery then waits in the card's inbox). */
  readonly card?: PatientCard;
  /** The key to use (32 bytes); a fresh random one when omitted. Only tests should pass one. */
  readonly key?: Uint8Array;
}

const KEY_CHECK_LABEL = "medbill/delivery/v1 key check";
const CONTENT_LABEL = "medbill/delivery/v1 content";
/** The plaintext is padded with spaces to a multiple of this many bytes, so its length says little about the bill. */
const PAD_TO = 512;

async function keyCheckOf(key: Uint8Array): Promise<Uint8Array> {
  const label = utf8(KEY_CHECK_LABEL);
  const input = new Uint8Array(label.length + key.length);
  input.set(label);
  input.set(key, label.length);
  return new Uint8Array(await subtle().digest("SHA-256", input)).slice(0, KEY_CHECK_BYTES);
}

async function aesKey(key: Uint8Array, usage: "encrypt" | "decrypt") {
  return subtle().importKey("raw", buffer(key), { name: "AES-GCM" }, false, [usage]);
}

/**
 * Encrypts a bill for delivery: AES-256-GCM under a fresh random key, with a key check, and, when a patient card is
 * given, the key encrypted to that card. The URI is checked against the document first: its content hash must be
 * the document's EIP-712 hash under the URI's registry.
 *
 * @param content - The bill's URI and document.
 * @param options - The patient card to deliver to, if any.
 * @returns The envelope to upload and the key.
 * @throws `InvalidUriError`, `InvalidBillError`, or {@link InvalidArgumentError} when the URI's hash is not the
 * document's.
 */
export async function sealBill(content: DeliveredBill, options: SealOptions = {}): Promise<SealedBill> {
  const parts = decodeBillUri(content.uri);
  const bill = parseBill(billToJson(content.bill));
  const contentHash = hashBill(bill, { chainId: parts.chainId, verifyingContract: parts.registry });
  if (contentHash !== parts.contentHash) {
    throw new InvalidArgumentError("uri", `its content hash ${parts.contentHash} is not the document's ${contentHash}`);
  }
  const key = options.key === undefined ? randomBytesOf(BILL_KEY_BYTES) : buffer(options.key);
  if (key.length !== BILL_KEY_BYTES) throw new InvalidArgumentError("key", `must be ${BILL_KEY_BYTES} bytes`);
  let json = JSON.stringify({ v: ENVELOPE_VERSION, uri: content.uri, bill: billToJson(bill) });
  const plainLength = utf8(json).length;
  json += " ".repeat((PAD_TO - (plainLength % PAD_TO)) % PAD_TO);
  const iv = randomBytesOf(IV_BYTES);
  const ciphertext = await subtle().encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(CONTENT_LABEL) },
    await aesKey(key, "encrypt"),
    utf8(json),
  );
  const envelope: DeliveryEnvelope = {
    v: ENVELOPE_VERSION,
    iv: toBase64Url(iv),
    ciphertext: toBase64Url(new Uint8Array(ciphertext)),
    keyCheck: toBase64Url(await keyCheckOf(key)),
    ...(options.card ? { recipient: await wrapBillKey(key, options.card) } : {}),
  };
  return { envelope, key };
}

/**
 * Decrypts a delivery with its key and checks what it holds: a well-formed bill URI and a valid bill document. It
 * does not check the document's hash: recomputing it and comparing it with the chain is the verifier's next step
 * (`MedBillClient.verify`), so that a document that does not match is shown as such rather than hidden.
 *
 * @param envelope - The delivery as the service returned it (validated here).
 * @param key - The bill's key (32 bytes), e.g. from the pickup link's fragment.
 * @returns The bill's URI and document.
 * @throws {@link WrongKeyError} (the key's check differs), {@link TamperedCiphertextError} (the right key, but the
 * ciphertext fails authentication), `InvalidEnvelopeError`, {@link InvalidDeliveryContentError}.
 */
export async function openBill(envelope: unknown, key: Uint8Array): Promise<DeliveredBill> {
  const sealed = parseEnvelope(envelope);
  if (!(key instanceof Uint8Array) || key.length !== BILL_KEY_BYTES) {
    throw new WrongKeyError(`a bill key is ${BILL_KEY_BYTES} bytes, this one is not`);
  }
  if (!sameBytes(await keyCheckOf(key), fromBase64Url(sealed.keyCheck)!)) throw new WrongKeyError();
  let plain: ArrayBuffer;
  try {
    plain = await subtle().decrypt(
      { name: "AES-GCM", iv: buffer(fromBase64Url(sealed.iv)!), additionalData: utf8(CONTENT_LABEL) },
      await aesKey(key, "decrypt"),
      buffer(fromBase64Url(sealed.ciphertext)!),
    );
  } catch (error) {
    if (error instanceof MedBillError) throw error;
    throw new TamperedCiphertextError();
  }
  return readContent(new TextDecoder("utf-8", { fatal: true }).decode(plain));
}

/**
 * Decrypts a delivery sent to a patient card: the card's private key opens the bill's key, which opens the bill.
 *
 * @param envelope - The delivery as the service returned it.
 * @param card - The card's secret, kept on the patient's device.
 * @returns The bill's URI and document.
 * @throws {@link WrongKeyError} when the delivery was not sent to this card, and what {@link openBill} throws.
 */
export async function openCardDelivery(envelope: unknown, card: PatientCardSecret): Promise<DeliveredBill> {
  const sealed = parseEnvelope(envelope);
  if (sealed.recipient === undefined) throw new WrongKeyError("this delivery was not sent to a patient card");
  return openBill(sealed, await unwrapBillKey(sealed.recipient, card));
}

function readContent(json: string): DeliveredBill {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new InvalidDeliveryContentError("not JSON", error);
  }
  const record = value as { v?: unknown; uri?: unknown; bill?: unknown } | null;
  if (typeof record !== "object" || record === null || record.v !== ENVELOPE_VERSION) {
    throw new InvalidDeliveryContentError(`expected an object of version ${ENVELOPE_VERSION}`);
  }
  if (typeof record.uri !== "string") throw new InvalidDeliveryContentError("no bill URI");
  let uri: string;
  let bill: MedicalBill;
  try {
    uri = record.uri;
    decodeBillUri(uri);
    bill = parseBill(record.bill);
  } catch (error) {
    throw new InvalidDeliveryContentError((error as Error).message, error);
  }
  return { uri, bill };
}

/**
 * The key as the pickup link's fragment carries it: 43 base64url characters.
 *
 * @param key - 32 bytes.
 * @returns The text.
 */
export function encodeBillKey(key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.length !== BILL_KEY_BYTES) {
    throw new InvalidArgumentError("key", `must be ${BILL_KEY_BYTES} bytes`);
  }
  return toBase64Url(key);
}
