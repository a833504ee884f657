import { MedBillError } from "../errors";

/** A scanned or pasted link is not a pickup link `https://<service>/pickup/<deliveryId>#<key>`. */
export class NotAPickupLinkError extends MedBillError {
  /** The text as given. */
  readonly link: string;
  /** @param why - What is wrong. @param link - The text as given. */
  constructor(why: string, link: string) {
    super(`not a pickup link: ${why}`, "NOT_A_PICKUP_LINK");
    this.link = link;
  }
}

/** Why a pickup key is refused before any decryption: missing, cut short, or not a key at all. */
export type PickupKeyProblem = "missing" | "truncated" | "malformed";

/** The key in a pickup link's fragment is missing, truncated (cut short when copied) or malformed. */
export class InvalidPickupKeyError extends MedBillError {
  /** What is wrong with the key. */
  readonly problem: PickupKeyProblem;
  /** @param problem - What is wrong. @param why - Details. */
  constructor(problem: PickupKeyProblem, why: string) {
    super(`the pickup key is ${problem}: ${why}`, "INVALID_PICKUP_KEY");
    this.problem = problem;
  }
}

/** A well-formed key that does not open this delivery (its key check differs): a wrong or mixed-up key. */
export class WrongKeyError extends MedBillError {
  /** @param message - Details. */
  constructor(message = "this key does not open the delivery (wrong key)") {
    super(message, "WRONG_KEY");
  }
}

/**
 * The key is the right one but the ciphertext fails AES-GCM authentication: the stored delivery was altered
 * (or damaged) after the hospital encrypted it. Nothing of it is shown.
 */
export class TamperedCiphertextError extends MedBillError {
  /** @param message - Details. */
  constructor(message = "the delivery's ciphertext fails authentication: it was altered after encryption") {
    super(message, "TAMPERED_CIPHERTEXT");
  }
}

/** A delivery (as stored or as answered by a service) does not have the envelope's format. */
export class InvalidEnvelopeError extends MedBillError {
  /** @param why - What is wrong. */
  constructor(why: string) {
    super(`invalid delivery envelope: ${why}`, "INVALID_ENVELOPE");
  }
}

/** A decrypted delivery does not hold a bill URI and a valid bill document. */
export class InvalidDeliveryContentError extends MedBillError {
  /** @param why - What is wrong. @param cause - The underlying error. */
  constructor(why: string, cause?: unknown) {
    super(`the delivery does not hold a valid bill: ${why}`, "INVALID_DELIVERY_CONTENT", { cause });
  }
}

/** The service knows no delivery of this id (never created, or removed). */
export class UnknownDeliveryError extends MedBillError {
  /** The delivery's id. */
  readonly deliveryId: string;
  /** @param deliveryId - The id asked for. */
  constructor(deliveryId: string) {
    super(`no delivery ${deliveryId} on this service (unknown)`, "UNKNOWN_DELIVERY");
    this.deliveryId = deliveryId;
  }
}

/** The delivery existed but expired: its ciphertext was deleted; the hospital can deliver the bill again. */
export class DeliveryExpiredError extends MedBillError {
  /** The delivery's id. */
  readonly deliveryId: string;
  /** When it expired, if the service said. */
  readonly expiredAt?: Date;
  /** @param deliveryId - The id asked for. @param expiredAt - When it expired. */
  constructor(deliveryId: string, expiredAt?: Date) {
    super(
      `delivery ${deliveryId} has expired${expiredAt ? ` (at ${expiredAt.toISOString()})` : ""}: ask the hospital to send the bill again`,
      "DELIVERY_EXPIRED",
    );
    this.deliveryId = deliveryId;
    this.expiredAt = expiredAt;
  }
}

/** The delivery service refused a request or answered something unexpected (HTTP status and its message). */
export class DeliveryServiceError extends MedBillError {
  /** The HTTP status, or 0 when the service could not be reached. */
  readonly status: number;
  /** Seconds to wait before retrying, when the service rate-limited the request (429). */
  readonly retryAfter?: number;
  /** @param status - HTTP status (0: unreachable). @param message - Details. @param options - retryAfter, cause. */
  constructor(status: number, message: string, options: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, status === 0 ? "SERVICE_UNREACHABLE" : status === 429 ? "RATE_LIMITED" : "SERVICE_ERROR", {
      cause: options.cause,
    });
    this.status = status;
    this.retryAfter = options.retryAfter;
  }
}

/** A patient card (its QR payload, or its secret) is malformed. */
export class InvalidPatientCardError extends MedBillError {
  /** @param why - What is wrong. */
  constructor(why: string) {
    super(`invalid patient card: ${why}`, "INVALID_PATIENT_CARD");
  }
}
