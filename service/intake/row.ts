/**
 * A `POST /v1/bills` body as intake sees it: validated, salted and turned into the registry's input by the SDK's row
 * functions (`parseBillRow`, `saltBillRow`, `billRowInput`: the same rules as `bill:import`), so a row without a salt
 * gets the one derived from the hospital's secret and the same row sent again is the same bill. Intake keeps the
 * row's canonical form (the stored text two posts are compared by). Thin on purpose: the row rules live in the SDK.
 */
import {
  InvalidBillError,
  billIdOf,
  billNumberOf,
  billRowInput,
  billToJson,
  parseBill,
  parseBillRow,
  saltBillRow,
  type BillDomain,
  type BillInput,
} from "../../src";
import type { FieldIssue } from "../http/api";

/** A valid row. */
export interface IntakeRow {
  /** The bill's id for this issuer. */
  readonly billId: string;
  /** The bill number as recorded on chain (bytes32). */
  readonly billNumber: string;
  /** The row in canonical JSON (the complete document with amounts as strings, patientSalt or patientRef). */
  readonly canonical: string;
  /** The amount, in fen. */
  readonly amount: bigint;
}

/** What is stored of a row, read back to send it. */
interface StoredRow {
  readonly bill: ReturnType<typeof billToJson>;
  readonly patientSalt?: string;
  readonly patientRef?: string;
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
  let row;
  try {
    row = saltBillRow(parseBillRow(body), { issuer, secret });
  } catch (e) {
    if (!(e instanceof InvalidBillError)) throw e;
    return { issues: e.issues.map((i) => ({ in: "body", field: i.path, message: i.message })) };
  }
  const stored: StoredRow = {
    bill: billToJson(row.bill),
    ...(row.patientSalt !== undefined ? { patientSalt: row.patientSalt } : {}),
    ...(row.patientRef !== undefined ? { patientRef: row.patientRef } : {}),
  };
  const billNumber = billNumberOf(row.bill);
  return {
    row: {
      billId: billIdOf(issuer, billNumber),
      billNumber,
      canonical: JSON.stringify(stored),
      amount: row.bill.total,
    },
  };
}

/** The registry input of a stored row, for a registry's domain. */
export function storedRowInput(canonical: string, domain: BillDomain): BillInput {
  const stored = JSON.parse(canonical) as StoredRow;
  return billRowInput({ ...stored, bill: parseBill(stored.bill), saltDerived: false }, domain);
}
