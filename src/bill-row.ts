/**
 * Bill rows: what a hospital's billing system sends, one bill at a time (`bill:import`'s JSONL lines, the
 * service's `POST /v1/bills` body, `bill:issue`'s file). A row is a {@link MedicalBill} document whose `salt` may be
 * left out (the issuer derives it, so a row sent again is the same bill), optionally with the patient's own secret
 * (`patientSalt`) or a ready `patientRef` (the commitment a patient card shows).
 *
 * @packageDocumentation
 */
import { computeHmac, getAddress, toUtf8Bytes } from "ethers";
import { z } from "zod";
import {
  billFields,
  billNumberOf,
  checkTotal,
  saltSchema,
  SALT_REQUIRED,
  toBillInput,
  type BillDomain,
  type BillInput,
  type MedicalBill,
} from "./bill";
import { InvalidArgumentError, InvalidBillError, type BillIssue } from "./errors";

/** A bill document as a row may give it: every field of {@link MedicalBill}, the `salt` optional. */
export type UnsaltedBill = Omit<MedicalBill, "salt"> & { readonly salt?: string };

/** A validated row ({@link parseBillRow}). */
export interface BillRow {
  /** The document; `salt` is absent when the row gave none ({@link saltBillRow} derives it). */
  readonly bill: UnsaltedBill;
  /** The patient's own 32-byte secret (hex), when the row gave one. */
  readonly patientSalt?: string;
  /** The patient's commitment, when the row gave it ready-made (a patient card shows it). */
  readonly patientRef?: string;
}

/** A row with its document complete ({@link saltBillRow}). */
export interface SaltedBillRow {
  /** The complete version-2 document: the row's salt, or the derived one. */
  readonly bill: MedicalBill;
  /** True when the salt was derived from the issuer's secret (the row gave none). */
  readonly saltDerived: boolean;
  /** The patient's own secret, when the row gave one. */
  readonly patientSalt?: string;
  /** The patient's commitment, when the row gave it ready-made. */
  readonly patientRef?: string;
}

/** Whose secret derives the salts of rows that come without one. */
export interface SaltSecret {
  /** The issuing hospital's address (each issuer's salts differ even under one secret). */
  readonly issuer: string;
  /** The issuer's salt secret, at least {@link MIN_SALT_SECRET_LENGTH} characters (e.g. MEDBILL_SALT_SECRET). */
  readonly secret: string;
}

/** The shortest salt secret accepted: a short secret would make derived salts guessable. */
export const MIN_SALT_SECRET_LENGTH = 16;

/**
 * The development salt secret, used by the CLI and the service when MEDBILL_SALT_SECRET is not set (with a warning).
 * Public: never use it for real patients.
 */
export const DEV_SALT_SECRET = "medbill-development-salt-secret";

/** The label that starts every HMAC message of {@link deriveBillSalt} (domain separation, and the version). */
export const BILL_SALT_LABEL = "medbill:bill-salt:v2";

/**
 * The salt of a bill whose row came without one: HMAC-SHA256 keyed by the issuer's secret, over the issuer and the
 * bill's code and number. Deterministic, so a row sent again (after a crash, or a rerun of an import) is the same
 * document with the same `contentHash`; unguessable without the secret.
 *
 * Exactly: `HMAC-SHA256(key = UTF-8(secret), message = UTF-8("medbill:bill-salt:v2:" + issuer + ":" + billCode +
 * "-" + billNumber))`, where `issuer` is the address in lower case with its `0x`; the 32-byte result as
 * `0x`-prefixed lower-case hex. Bill code and number hold only letters and digits, so the separators are unambiguous.
 *
 * @param secret - The issuer's salt secret (at least {@link MIN_SALT_SECRET_LENGTH} characters).
 * @param issuer - The issuing hospital's address.
 * @param bill - The bill's code and number.
 * @returns 32 bytes as 0x-prefixed hex.
 * @throws {@link InvalidArgumentError} for a short secret, a bad address, or a bad code or number.
 */
export function deriveBillSalt(
  secret: string,
  issuer: string,
  bill: Pick<MedicalBill, "billCode" | "billNumber">,
): string {
  if (typeof secret !== "string" || secret.length < MIN_SALT_SECRET_LENGTH) {
    throw new InvalidArgumentError("secret", `the salt secret must be at least ${MIN_SALT_SECRET_LENGTH} characters`);
  }
  let address: string;
  try {
    address = getAddress(issuer).toLowerCase();
  } catch {
    throw new InvalidArgumentError("issuer", `"${String(issuer)}" is not a valid address`);
  }
  billNumberOf(bill); // checks code and number: letters and digits only
  const message = `${BILL_SALT_LABEL}:${address}:${bill.billCode}-${bill.billNumber}`;
  return computeHmac("sha256", toUtf8Bytes(secret), toUtf8Bytes(message)).toLowerCase();
}

const bytes32 = (what: string) =>
  z
    .string({ invalid_type_error: `${what} must be a string` })
    .regex(/^0x[0-9a-fA-F]{64}$/, `${what} must be 32 bytes as 0x-prefixed hex (66 characters)`)
    .refine((s) => !/^0x0{64}$/.test(s), `${what} must not be zero`)
    .transform((s) => s.toLowerCase());

const rowSchema = z
  .object(
    {
      ...billFields,
      salt: saltSchema("salt", SALT_REQUIRED).optional(),
      patientSalt: saltSchema("patientSalt", "patientSalt is required").optional(),
      patientRef: bytes32("patientRef").optional(),
    },
    { invalid_type_error: "a bill row must be an object", required_error: "a bill row is required" },
  )
  .strict()
  .superRefine((row, ctx) => {
    checkTotal(row, ctx);
    if (row.patientSalt !== undefined && row.patientRef !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["patientRef"],
        message: "give patientSalt or patientRef, not both (patientRef is computed from patientSalt)",
      });
    }
  });

/**
 * Validates a row: a bill document (its `salt` optional), optionally with `patientSalt` (the patient's own 32-byte
 * secret) or `patientRef` (their commitment, as a patient card shows it), never both. Amounts as for
 * {@link parseBill}; unknown fields are refused.
 *
 * @param input - The candidate row (e.g. parsed JSON).
 * @param context - Names the row in the error message, e.g. `"line 12"`.
 * @returns The validated row.
 * @throws {@link InvalidBillError} listing every field at fault.
 */
export function parseBillRow(input: unknown, context?: string): BillRow {
  const result = rowSchema.safeParse(input);
  if (!result.success) {
    const issues: BillIssue[] = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new InvalidBillError(issues, context);
  }
  const { patientSalt, patientRef, salt, ...fields } = result.data;
  const bill: UnsaltedBill = salt === undefined ? fields : { ...fields, salt };
  return {
    bill,
    ...(patientSalt !== undefined ? { patientSalt } : {}),
    ...(patientRef !== undefined ? { patientRef } : {}),
  };
}

/**
 * Completes a row's document: its own salt, or the one {@link deriveBillSalt} gives for the issuer.
 *
 * @param row - A validated row.
 * @param secret - The issuer and its salt secret.
 * @returns The complete document, and the row's patient secret or commitment.
 */
export function saltBillRow(row: BillRow, secret: SaltSecret): SaltedBillRow {
  const given = row.bill.salt;
  const salt = given ?? deriveBillSalt(secret.secret, secret.issuer, row.bill);
  return {
    bill: { ...row.bill, salt },
    saltDerived: given === undefined,
    ...(row.patientSalt !== undefined ? { patientSalt: row.patientSalt } : {}),
    ...(row.patientRef !== undefined ? { patientRef: row.patientRef } : {}),
  };
}

/**
 * What to send to the registry for a row: the document's `contentHash`, and as `patientRef` the one the row gave,
 * else `keccak256(abi.encode(patientSalt, patientIdDigest))` with the row's `patientSalt`, else with the bill's salt
 * (see {@link toBillInput}).
 *
 * @param row - A row with its document complete.
 * @param domain - The registry.
 * @returns The contract's `BillInput`.
 */
export function billRowInput(row: SaltedBillRow, domain: BillDomain): BillInput {
  const input = toBillInput(row.bill, row.patientSalt, domain);
  return row.patientRef === undefined ? input : { ...input, patientRef: row.patientRef };
}

/**
 * One row, all the way: validated ({@link parseBillRow}), salted ({@link saltBillRow}) and turned into the registry's
 * input ({@link billRowInput}). What the service's intake and `bill:issue` do with a row.
 *
 * @param input - The candidate row (e.g. parsed JSON).
 * @param options - The issuer and its secret, the registry, and a name for the row in error messages.
 * @returns The complete document, whether its salt was derived, and the `BillInput`.
 * @throws {@link InvalidBillError} listing every field at fault.
 */
export function billRowToInput(
  input: unknown,
  options: SaltSecret & { readonly domain: BillDomain; readonly context?: string },
): SaltedBillRow & { readonly input: BillInput } {
  const salted = saltBillRow(parseBillRow(input, options.context), options);
  return { ...salted, input: billRowInput(salted, options.domain) };
}
