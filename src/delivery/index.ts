/**
 * Delivery of bills to patients: encrypted documents (AES-256-GCM, a fresh key per bill), pickup links with the key
 * in the fragment, patient cards (ECDH P-256 key wrap) and the delivery service's HTTP calls. WebCrypto only: the
 * same code runs in the browser, the CLI and the service.
 *
 * @packageDocumentation
 */
export { cardOf, createPatientCard, decodePatientCard, encodePatientCard, CARD_SCHEME } from "./card";
export type { CardPrivateJwk, PatientCard, PatientCardSecret } from "./card";
export { collectPickup, deliverBill, fetchDelivery, fetchInbox, openInbox } from "./client";
export type { CollectedBill, Delivery, InboxEntry, ServiceOptions, StoredDelivery } from "./client";
export { ENVELOPE_VERSION, parseEnvelope } from "./envelope";
export type { CardRecipient, DeliveryEnvelope } from "./envelope";
export {
  DeliveryExpiredError,
  DeliveryServiceError,
  InvalidDeliveryContentError,
  InvalidEnvelopeError,
  InvalidPatientCardError,
  InvalidPickupKeyError,
  NotAPickupLinkError,
  TamperedCiphertextError,
  UnknownDeliveryError,
  WrongKeyError,
} from "./errors";
export type { PickupKeyProblem } from "./errors";
export { DELIVERY_ID_PATTERN, decodePickupKey, decodePickupUrl, encodePickupUrl } from "./pickup";
export type { PickupLink } from "./pickup";
export { encodeBillKey, openBill, openCardDelivery, sealBill } from "./seal";
export type { DeliveredBill, SealOptions, SealedBill } from "./seal";
