import type { BillRow } from "../../src/bill-row";
import type { Member } from "./members";
import type { RawRow, RowFormat } from "./rows";

/**
 * The columns of the CSV import format: one bill a row, the document's fields by name, amounts in fen as digits,
 * `items` as a JSON array of `{ "name", "quantity", "unitPrice" }` (unit price in fen); optional columns below.
 */
export const CSV_REQUIRED_COLUMNS = [
  "hospital",
  "billCode",
  "billNumber",
  "patientName",
  "patientId",
  "department",
  "items",
  "total",
  "currency",
  "issuedOn",
] as const;

/**
 * Columns the CSV import format may have besides {@link CSV_REQUIRED_COLUMNS}: the document's `salt` (derived from
 * the issuer's secret when absent or empty), and the patient's own secret `patientSalt` or their `patientRef`.
 */
export const CSV_OPTIONAL_COLUMNS = ["salt", "patientSalt", "patientRef"] as const;

/** A row of an import file that passed validation: the SDK's row (document, its salt if given, patient secret). */
export interface ValidRow extends BillRow {
  readonly line: number;
  /** The issuing member. */
  readonly issuer: Member;
}

/** A row of an import file that failed validation: every field at fault. */
export interface InvalidRow {
  readonly line: number;
  readonly issues: readonly { readonly field: string; readonly message: string }[];
}

/** The SDK's row validator (`parseBillRow`), passed in because tasks load the SDK lazily. */
export type RowParser = (input: unknown, context?: string) => BillRow;

/** How rows are checked against the consortium: `as` is the member importing, else rows name their hospital. */
export interface RowRules {
  readonly parseRow: RowParser;
  /** The file's format: in CSV an empty optional cell is an absent field. */
  readonly format: RowFormat;
  /** The importing member (`--as`); when set, every row's hospital must be this member. */
  readonly as?: Member;
  /** Finds the member whose name (English or Chinese) is a row's `hospital`. */
  readonly hospitalMember: (hospital: string) => Member | undefined;
}

/**
 * Validates one raw row of an import file (JSONL or CSV) with the SDK's `parseBillRow` (the document, its salt if
 * given, the patient's secret or commitment) and finds its issuer.
 */
export function validateRow(raw: RawRow, rules: RowRules): ValidRow | InvalidRow {
  if (raw.error !== undefined) return { line: raw.line, issues: [{ field: "(row)", message: raw.error }] };
  const issues: { field: string; message: string }[] = [];
  const fields = { ...raw.fields };
  if (rules.format === "csv") {
    // An empty optional cell is an absent field (a CSV row cannot leave a column out).
    for (const column of CSV_OPTIONAL_COLUMNS) if (fields[column] === "") delete fields[column];
  }
  if (typeof fields.items === "string") {
    // CSV: the items column holds a JSON array; the other cells are text.
    try {
      fields.items = JSON.parse(fields.items);
    } catch {
      issues.push({ field: "items", message: 'items must be a JSON array of {"name","quantity","unitPrice"}' });
    }
  }
  let row: BillRow | undefined;
  try {
    row = rules.parseRow(fields);
  } catch (error) {
    const list = (error as { issues?: readonly { path: string; message: string }[] }).issues;
    if (list === undefined) throw error;
    for (const issue of list) issues.push({ field: issue.path || "(document)", message: issue.message });
  }
  let issuer: Member | undefined;
  if (typeof fields.hospital === "string" && fields.hospital.length > 0) {
    const named = rules.hospitalMember(fields.hospital);
    if (rules.as !== undefined) {
      if (named?.id !== rules.as.id) {
        issues.push({
          field: "hospital",
          message: `"${fields.hospital}" is not ${rules.as.name} (${rules.as.id}), the member importing`,
        });
      } else issuer = rules.as;
    } else if (named === undefined) {
      issues.push({ field: "hospital", message: `"${fields.hospital}" is not a member of the consortium` });
    } else issuer = named;
  }
  if (issues.length > 0 || row === undefined || issuer === undefined) return { line: raw.line, issues };
  return { ...row, line: raw.line, issuer };
}

/** Tells a valid row from an invalid one. */
export function isValidRow(row: ValidRow | InvalidRow): row is ValidRow {
  return (row as ValidRow).bill !== undefined;
}

/** The key that must be unique across an import: issuer, bill code and number. */
export function rowKey(row: ValidRow): string {
  return `${row.issuer.id}/${row.bill.billCode}-${row.bill.billNumber}`;
}
