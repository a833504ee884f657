/**
 * A `POST /v1/bills` body as intake sees it: validated like a `bill:import` row by the SDK, its salt derived from
 * the hospital's secret when the row has none (so the same row sent again is the same bill), and its canonical
 * form (the stored text two posts are compared by). Thin on purpose: the row rules live in the SDK.
 */
import { computeHmac, toUtf8Bytes } from "ethers";
import {
  InvalidBillError,
  billIdOf,
  billNumberOf,
  billToJson,
  parseBill,
  toBillInput,
  type BillDomain,
  type BillInput,
  type MedicalBill,
} from "../../src";
import type { FieldIssue } from "../http/api";

/** The development salt secret (as the CLI's), used when MEDBILL_SALT_SECRET is not set. */
export const DEV_SALT_SECRET = "medbill-development-salt-secret";

/** A valid row. */
export interface IntakeRow {
  /** The bill's id for this issuer. */
  readonly billId: string;
  /** The bill number as recorded on chain (bytes32). */
  readonly billNumber: string;
  /** The row in canonical JSON (document with amounts as strings, salt, patientRef): what is stored. */
  readonly canonical: string;
  /** The amount, in fen. */
  readonly amount: bigint;
}

/** What is stored of a row, read back to send it. */
interface StoredRow {
  readonly bill: ReturnType<typeof billToJson>;
  readonly salt: string;
  readonly patientRef?: string;
}

const SALT = /^0x[0-9a-fA-F]{64}$/;

function derivedSalt(secret: string, issuer: string, bill: MedicalBill): string {
  const message = `medbill-salt/v1/${issuer.toLowerCase()}/${bill.billCode}-${bill.billNumber}`;
  return computeHmac("sha256", toUtf8Bytes(secret), toUtf8Bytes(message)).toLowerCase();
}

/**
 * Validates a row and names every bad field.
 *
 * @param body - The parsed JSON body.
 * @param issuer - The hospital's address (MEDBILL_AS).
 * @param secret - The hospital's salt secret (MEDBILL_SALT_SECRET).
 */
export function parseIntakeRow(
  body: unknown,
  issuer: string,
  secret: string,
): { row: IntakeRow; issues?: undefined } | { row?: undefined; issues: FieldIssue[] } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { issues: [{ in: "body", field: "", message: "the body must be one bill row (a JSON object)" }] };
  }
  const { salt, patientSalt, patientRef, ...fields } = body as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const given = patientSalt ?? salt;
  const givenName = patientSalt !== undefined ? "patientSalt" : "salt";
  if (given !== undefined && (typeof given !== "string" || !SALT.test(given) || /^0x0{64}$/.test(given))) {
    issues.push({
      in: "body",
      field: givenName,
      message: `${givenName} must be 32 bytes as 0x-prefixed hex, not zero`,
    });
  }
  if (patientRef !== undefined && (typeof patientRef !== "string" || !SALT.test(patientRef))) {
    issues.push({ in: "body", field: "patientRef", message: "patientRef must be 32 bytes as 0x-prefixed hex" });
  }
  if (patientRef !== undefined && given !== undefined) {
    issues.push({ in: "body", field: "patientRef", message: "give patientSalt or patientRef, not both" });
  }
  let bill: MedicalBill | undefined;
  try {
    bill = parseBill(fields);
  } catch (e) {
    if (!(e instanceof InvalidBillError)) throw e;
    for (const i of e.issues) issues.push({ in: "body", field: i.path, message: i.message });
  }
  if (issues.length > 0 || bill === undefined) return { issues };
  const stored: StoredRow = {
    bill: billToJson(bill),
    salt: typeof given === "string" ? given.toLowerCase() : derivedSalt(secret, issuer, bill),
    ...(typeof patientRef === "string" ? { patientRef: patientRef.toLowerCase() } : {}),
  };
  const billNumber = billNumberOf(bill);
  return {
    row: { billId: billIdOf(issuer, billNumber), billNumber, canonical: JSON.stringify(stored), amount: bill.total },
  };
}

/** The registry input of a stored row, for a registry's domain. */
export function storedRowInput(canonical: string, domain: BillDomain): BillInput {
  const stored = JSON.parse(canonical) as StoredRow;
  const input = toBillInput(parseBill(stored.bill), stored.salt, domain);
  return stored.patientRef === undefined ? input : { ...input, patientRef: stored.patientRef };
}
