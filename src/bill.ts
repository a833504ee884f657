import {
  getAddress,
  hexlify,
  keccak256,
  randomBytes,
  toUtf8Bytes,
  TypedDataEncoder,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { z } from "zod";
import { toFen } from "./amount";
import { addressArg, bytes32Arg, keccakHex, toBytes32 } from "./bytes";
import { InvalidArgumentError, InvalidBillError, MedBillError, type BillIssue } from "./errors";

/** One line of a bill: what was provided, how many, at what unit price. */
export interface BillItem {
  /** What was provided, e.g. "CT scan" or "阿莫西林胶囊". */
  readonly name: string;
  /** How many, a positive integer. */
  readonly quantity: number;
  /** Price of one, in fen. */
  readonly unitPrice: bigint;
}

/**
 * The canonical medical bill document, held off chain by the hospital and the patient. Its EIP-712 hash
 * ({@link hashBill}) is the `contentHash` recorded on chain. Build one from untrusted data with {@link parseBill}.
 */
export interface MedicalBill {
  /** The issuing hospital's name. */
  readonly hospital: string;
  /** The bill code (票据代码): letters and digits. */
  readonly billCode: string;
  /** The bill number (票据号码) within the code: letters and digits. */
  readonly billNumber: string;
  /** The patient's name. */
  readonly patientName: string;
  /** The patient's national id (upper-case letters and digits). */
  readonly patientId: string;
  /** The department, e.g. "Cardiology". */
  readonly department: string;
  /** The lines of the bill; `quantity × unitPrice` summed over them equals `total`. */
  readonly items: readonly BillItem[];
  /** The bill's total in fen, 1 to `MAX_AMOUNT` (2^40 − 1). */
  readonly total: bigint;
  /** ISO 4217 currency code; amounts are in its minor unit ("CNY": fen). */
  readonly currency: string;
  /** Date of issue, `YYYY-MM-DD`. */
  readonly issuedOn: string;
  /**
   * 32 random bytes chosen by the issuer for this bill (0x-prefixed hex, lower case, not zero): without them anyone
   * who knows a patient's name and id could confirm a guessed bill against its `contentHash`. Draw one with
   * {@link randomSalt}, or derive one from the issuer's secret with `deriveBillSalt` (import and intake rows).
   */
  readonly salt: string;
}

/** {@link MedicalBill} as JSON: amounts as decimal strings of fen (JSON has no bigint). */
export interface MedicalBillJson {
  /** See {@link MedicalBill.hospital}. */ hospital: string;
  /** See {@link MedicalBill.billCode}. */ billCode: string;
  /** See {@link MedicalBill.billNumber}. */ billNumber: string;
  /** See {@link MedicalBill.patientName}. */ patientName: string;
  /** See {@link MedicalBill.patientId}. */ patientId: string;
  /** See {@link MedicalBill.department}. */ department: string;
  /** See {@link MedicalBill.items}; `unitPrice` in fen as a decimal string. */
  items: { name: string; quantity: number; unitPrice: string }[];
  /** See {@link MedicalBill.total}; fen as a decimal string. */ total: string;
  /** See {@link MedicalBill.currency}. */ currency: string;
  /** See {@link MedicalBill.issuedOn}. */ issuedOn: string;
  /** See {@link MedicalBill.salt}. */ salt: string;
}

/** What the registry's `issue` takes for one bill (the contract's `BillInput`). */
export interface BillInput {
  /** The bill number packed into 32 bytes ({@link billNumberOf}). */
  readonly billNumber: string;
  /** The patient's salted commitment ({@link patientRef}). */
  readonly patientRef: string;
  /** The EIP-712 hash of the document ({@link hashBill}). */
  readonly contentHash: string;
  /** The bill's total in fen. */
  readonly amount: bigint;
}

/**
 * The registry a bill belongs to: the variable part of the EIP-712 domain. The full domain is
 * `{ name: "MedBill", version: "2", chainId, verifyingContract }` ({@link billDomain}).
 */
export interface BillDomain {
  /** The chain id. */
  readonly chainId: bigint | number;
  /** The registry's address. */
  readonly verifyingContract: string;
}

/** EIP-712 domain name. */
export const DOMAIN_NAME = "MedBill";
/**
 * EIP-712 domain version: "2" since the document carries its `salt` (so no version-1 hash can equal a version-2
 * one).
 */
export const DOMAIN_VERSION = "2";

/**
 * The EIP-712 types of the bill document (primary type `MedicalBill`):
 * `MedicalBill(string hospital,string billCode,string billNumber,string patientName,string patientId,
 * string department,BillItem[] items,uint256 total,string currency,string issuedOn,bytes32 salt)` and
 * `BillItem(string name,uint32 quantity,uint256 unitPrice)`. Fixed: outside verifiers recompute them, and the golden
 * vectors of docs/bill-document.md pin them.
 */
export const BILL_TYPES: Readonly<Record<string, readonly TypedDataField[]>> = {
  MedicalBill: [
    { name: "hospital", type: "string" },
    { name: "billCode", type: "string" },
    { name: "billNumber", type: "string" },
    { name: "patientName", type: "string" },
    { name: "patientId", type: "string" },
    { name: "department", type: "string" },
    { name: "items", type: "BillItem[]" },
    { name: "total", type: "uint256" },
    { name: "currency", type: "string" },
    { name: "issuedOn", type: "string" },
    { name: "salt", type: "bytes32" },
  ],
  BillItem: [
    { name: "name", type: "string" },
    { name: "quantity", type: "uint32" },
    { name: "unitPrice", type: "uint256" },
  ],
};

const MAX_TEXT = 200;
const MAX_ITEMS = 1000;
const MAX_QUANTITY = 0xffffffff;

const text = (what: string, max = MAX_TEXT) =>
  z
    .string({ invalid_type_error: `${what} must be a string`, required_error: `${what} is required` })
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .refine((s) => s.trim() === s, `${what} must not start or end with white space`)
    .refine((s) => ![...s].some(isControl), `${what} must not contain control characters`);

function isControl(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return c < 0x20 || c === 0x7f;
}

const code = (what: string) =>
  z
    .string({ invalid_type_error: `${what} must be a string`, required_error: `${what} is required` })
    .regex(/^[0-9A-Za-z]{1,32}$/, `${what} must be 1 to 32 letters or digits`);

const fen = (what: string, min: bigint) =>
  z.unknown().transform((value, ctx): bigint => {
    try {
      const amount = toFen(value, what, { allowZero: min === 0n });
      return amount;
    } catch (e) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
      return z.NEVER;
    }
  });

const itemSchema = z
  .object(
    {
      name: text("item name"),
      quantity: z
        .number({ invalid_type_error: "quantity must be a number", required_error: "quantity is required" })
        .int("quantity must be a whole number")
        .min(1, "quantity must be at least 1")
        .max(MAX_QUANTITY, `quantity must be at most ${MAX_QUANTITY}`),
      unitPrice: fen("unit price", 0n),
    },
    { invalid_type_error: "an item must be an object" },
  )
  .strict();

/** @internal A bill's salt: 32 bytes as 0x-prefixed hex, not zero; lower-cased. `what` names the field in messages. */
export const saltSchema = (what: string, required: string) =>
  z
    .string({ invalid_type_error: `${what} must be a string`, required_error: required })
    .regex(/^0x[0-9a-fA-F]{64}$/, `${what} must be 32 bytes as 0x-prefixed hex (66 characters)`)
    .refine((s) => !/^0x0{64}$/.test(s), `${what} must not be zero`)
    .transform((s) => s.toLowerCase());

/** @internal The message for a document without its salt. */
export const SALT_REQUIRED =
  "salt is required: a bill document (version 2) carries 32 random bytes chosen by its issuer, as 0x-prefixed hex";

/** @internal The fields of a bill document except its salt (the import and intake rows reuse them). */
export const billFields = {
  hospital: text("hospital"),
  billCode: code("bill code"),
  billNumber: code("bill number"),
  patientName: text("patient name"),
  patientId: z
    .string({ invalid_type_error: "patient id must be a string", required_error: "patient id is required" })
    .regex(/^[0-9A-Z]{6,32}$/, "patient id must be 6 to 32 upper-case letters or digits"),
  department: text("department"),
  items: z
    .array(itemSchema, { invalid_type_error: "items must be an array", required_error: "items are required" })
    .min(1, "a bill needs at least one item")
    .max(MAX_ITEMS, `a bill has at most ${MAX_ITEMS} items`),
  total: fen("total", 1n),
  currency: z
    .string({ invalid_type_error: "currency must be a string", required_error: "currency is required" })
    .regex(/^[A-Z]{3}$/, "currency must be an ISO 4217 code such as CNY"),
  issuedOn: z
    .string({ invalid_type_error: "date of issue must be a string", required_error: "date of issue is required" })
    .refine(isIsoDate, "date of issue must be a calendar date YYYY-MM-DD"),
};

/** @internal Checks that the items add up to the total (a refinement of the document and row schemas). */
export function checkTotal(
  bill: { readonly items: readonly BillItem[]; readonly total: bigint },
  ctx: z.RefinementCtx,
): void {
  const sum = bill.items.reduce((acc, item) => acc + BigInt(item.quantity) * item.unitPrice, 0n);
  if (sum !== bill.total) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ["total"],
      message: `items add up to ${sum} fen, not the total of ${bill.total} fen`,
    });
  }
}

/** @internal What an object-typed bill value is refused with when it is not an object. */
export const BILL_OBJECT = { invalid_type_error: "a bill must be an object", required_error: "a bill is required" };

const billSchema = z
  .object({ ...billFields, salt: saltSchema("salt", SALT_REQUIRED) }, BILL_OBJECT)
  .strict()
  .superRefine(checkTotal);

function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Validates an untrusted value (e.g. parsed JSON) as a {@link MedicalBill} and returns the canonical document.
 *
 * Amounts (`total`, `unitPrice`) may be bigints, safe integer numbers or decimal strings of fen; floats, negative or
 * out-of-range values are refused. Unknown fields are refused (the hash would not cover them). The items must add
 * up to the total. The `salt` is required (document version 2): a document without one is refused with a message
 * saying so.
 *
 * @param input - The candidate document.
 * @param context - Names the document in the error message, e.g. `"line 12"`.
 * @returns The validated document, amounts as bigint.
 * @throws {@link InvalidBillError} listing every field at fault.
 */
export function parseBill(input: unknown, context?: string): MedicalBill {
  const result = billSchema.safeParse(input);
  if (!result.success) {
    const issues: BillIssue[] = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new InvalidBillError(issues, context);
  }
  return result.data;
}

/**
 * Parses a bill document from JSON text (as written by {@link billToJson}) and validates it.
 *
 * @param json - JSON text.
 * @returns The validated document.
 * @throws {@link InvalidBillError} when the text is not JSON or the document is invalid.
 */
export function parseBillJson(json: string): MedicalBill {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new InvalidBillError([{ path: "", message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return parseBill(value);
}

/**
 * The JSON form of a bill document: amounts as decimal strings of fen. `JSON.stringify` it to store or send it;
 * {@link parseBill} reads it back.
 *
 * @param bill - A bill document.
 * @returns Its JSON form.
 */
export function billToJson(bill: MedicalBill): MedicalBillJson {
  return {
    hospital: bill.hospital,
    billCode: bill.billCode,
    billNumber: bill.billNumber,
    patientName: bill.patientName,
    patientId: bill.patientId,
    department: bill.department,
    items: bill.items.map((i) => ({ name: i.name, quantity: i.quantity, unitPrice: i.unitPrice.toString() })),
    total: bill.total.toString(),
    currency: bill.currency,
    issuedOn: bill.issuedOn,
    salt: bill.salt,
  };
}

/**
 * The full EIP-712 domain of a registry: `{ name: "MedBill", version: "2", chainId, verifyingContract }`.
 *
 * @param domain - Chain id and registry address.
 * @returns The domain, ready for ethers' `TypedDataEncoder` or a wallet's `eth_signTypedData_v4`.
 */
export function billDomain(domain: BillDomain): TypedDataDomain {
  if (typeof domain !== "object" || domain === null) throw new InvalidArgumentError("domain", "expected an object");
  const chainId = BigInt(domain.chainId);
  if (chainId <= 0n) throw new InvalidArgumentError("domain.chainId", "must be a positive integer");
  return {
    name: DOMAIN_NAME,
    version: DOMAIN_VERSION,
    chainId,
    verifyingContract: addressArg("domain.verifyingContract", domain.verifyingContract),
  };
}

/** Everything a wallet needs to display and sign a bill (`eth_signTypedData_v4`). */
export interface BillTypedData {
  /** The EIP-712 domain. */
  readonly domain: TypedDataDomain;
  /** The EIP-712 types, without `EIP712Domain`. */
  readonly types: Record<string, TypedDataField[]>;
  /** `"MedicalBill"`. */
  readonly primaryType: "MedicalBill";
  /** The document as the EIP-712 message. */
  readonly message: Record<string, unknown>;
}

/**
 * The EIP-712 typed data of a bill, e.g. for `signer.signTypedData(domain, types, message)`.
 *
 * @param bill - A bill document (validated here).
 * @param domain - The registry it belongs to.
 * @returns Domain, types, primary type and message.
 */
export function billTypedData(bill: MedicalBill, domain: BillDomain): BillTypedData {
  const valid = parseBill(bill);
  return {
    domain: billDomain(domain),
    types: Object.fromEntries(Object.entries(BILL_TYPES).map(([k, v]) => [k, [...v]])),
    primaryType: "MedicalBill",
    message: { ...valid, items: valid.items.map((i) => ({ ...i })) },
  };
}

const separators = new Map<string, string>();

function domainSeparator(domain: BillDomain): string {
  const full = billDomain(domain);
  const key = `${full.chainId}/${full.verifyingContract}`;
  let separator = separators.get(key);
  if (separator === undefined) {
    separator = TypedDataEncoder.hashDomain(full);
    if (separators.size > 64) separators.clear();
    separators.set(key, separator);
  }
  return separator;
}

let typeHashes: { bill: string; item: string } | undefined;

/** The EIP-712 type hashes of `MedicalBill` and `BillItem`, from ethers' own `encodeType` of {@link BILL_TYPES}. */
function billTypeHashes(): { bill: string; item: string } {
  if (typeHashes === undefined) {
    const types = Object.fromEntries(Object.entries(BILL_TYPES).map(([k, v]) => [k, [...v]]));
    const encoder = TypedDataEncoder.from(types as Record<string, TypedDataField[]>);
    typeHashes = {
      bill: keccak256(toUtf8Bytes(encoder.encodeType("MedicalBill"))).slice(2),
      item: keccak256(toUtf8Bytes(encoder.encodeType("BillItem"))).slice(2),
    };
  }
  return typeHashes;
}

const word = (value: bigint | number): string => BigInt(value).toString(16).padStart(64, "0");

/**
 * A small memo: bills of one hospital repeat most of their strings and items (hospital, department, currency,
 * date, item lines), and keccak256 in JavaScript is the cost of hashing a bill.
 */
function memo<T>(fn: (key: string) => T, size = 4096): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = fn(key);
      if (cache.size >= size) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}

const stringWord = memo((value: string): string => keccak256(toUtf8Bytes(value)).slice(2));
const itemWord = memo((key: string): string => {
  const [name, quantity, unitPrice] = key.split("\u0000");
  const { item } = billTypeHashes();
  return keccakHex("0x" + item + stringWord(name) + word(Number(quantity)) + word(BigInt(unitPrice))).slice(2);
});

/**
 * EIP-712 `hashStruct` of a validated bill, written out for its two fixed types (what `TypedDataEncoder.hash`
 * computes, several times faster: `issueMany` hashes thousands of bills).
 */
function hashValidBill(bill: MedicalBill, domain: BillDomain): string {
  const billType = billTypeHashes().bill;
  const items = bill.items.map((item) => itemWord(`${item.name}\u0000${item.quantity}\u0000${item.unitPrice}`));
  const struct = keccakHex(
    "0x" +
      billType +
      stringWord(bill.hospital) +
      stringWord(bill.billCode) +
      stringWord(bill.billNumber) +
      stringWord(bill.patientName) +
      stringWord(bill.patientId) +
      stringWord(bill.department) +
      keccakHex("0x" + items.join("")).slice(2) +
      word(bill.total) +
      stringWord(bill.currency) +
      stringWord(bill.issuedOn) +
      bill.salt.slice(2),
  );
  return keccakHex("0x1901" + domainSeparator(domain).slice(2) + struct.slice(2));
}

/**
 * The EIP-712 typed-data hash of a bill document: the `contentHash` recorded on chain, and exactly the digest a
 * wallet signs for `eth_signTypedData_v4` of {@link billTypedData} (ethers `TypedDataEncoder.hash`).
 *
 * @param bill - A bill document (validated here).
 * @param domain - The registry it belongs to: `{ chainId, verifyingContract }`.
 * @returns The 32-byte hash as hex.
 * @throws {@link InvalidBillError} when the document is invalid.
 */
export function hashBill(bill: MedicalBill, domain: BillDomain): string {
  return hashValidBill(parseBill(bill), domain);
}

/**
 * The digest of a patient's national id that the patient commitment is built from:
 * `keccak256(utf8(id.trim().toUpperCase()))`.
 *
 * @param nationalId - The patient's national id.
 * @returns 32-byte hex.
 */
export function patientIdDigest(nationalId: string): string {
  if (typeof nationalId !== "string" || nationalId.trim() === "") {
    throw new InvalidArgumentError("nationalId", "expected a non-empty string");
  }
  return keccak256(toUtf8Bytes(nationalId.trim().toUpperCase()));
}

/**
 * The patient's salted commitment recorded on chain: `keccak256(abi.encode(salt, patientIdDigest(nationalId)))`.
 * Unlinkable without the salt. The salt is the patient's own secret when the patient shows a patient card (they
 * then find all their bills by it), else the bill's own salt ({@link toBillInput} chooses).
 *
 * @param nationalId - The patient's national id.
 * @param salt - 32 random bytes: the patient's secret or the bill's salt ({@link randomSalt}), as hex.
 * @returns 32-byte hex.
 */
export function patientRef(nationalId: string, salt: string): string {
  const s = bytes32Arg("salt", salt);
  // abi.encode of two bytes32 is their concatenation.
  return keccakHex(s + patientIdDigest(nationalId).slice(2));
}

/**
 * Tells whether a value is a usable salt (a bill's salt or a patient's secret): 32 bytes as 0x-prefixed hex, not zero.
 *
 * @param value - The candidate.
 */
export function isSalt(value: unknown): value is string {
  return typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value) && !/^0x0{64}$/.test(value);
}

/** 32 cryptographically random bytes as hex: a bill's {@link MedicalBill.salt}, or a patient's own secret. */
export function randomSalt(): string {
  return hexlify(randomBytes(32));
}

/**
 * The on-chain bill number of a document: `billCode + "-" + billNumber` packed readably with
 * `encodeBytes32String` when it fits in 31 bytes (read it back with `decodeBytes32String`), else its keccak256.
 * Bill code and number hold only letters and digits, so the dash is unambiguous.
 *
 * @param bill - The bill's code and number.
 * @returns 32-byte hex.
 */
export function billNumberOf(bill: Pick<MedicalBill, "billCode" | "billNumber">): string {
  for (const key of ["billCode", "billNumber"] as const) {
    if (typeof bill?.[key] !== "string" || !/^[0-9A-Za-z]{1,32}$/.test(bill[key])) {
      throw new InvalidArgumentError(key, "must be 1 to 32 letters or digits");
    }
  }
  return toBytes32(`${bill.billCode}-${bill.billNumber}`);
}

/**
 * A bill's id, as the registry computes it: `keccak256(abi.encode(issuer, billNumber))`.
 *
 * @param issuer - The issuing hospital's address.
 * @param billNumber - The on-chain bill number (32 bytes, see {@link billNumberOf}).
 * @returns 32-byte hex.
 */
export function billIdOf(issuer: string, billNumber: string): string {
  return keccakHex("0x" + paddedAddress(issuer) + bytes32Arg("billNumber", billNumber).slice(2));
}

const paddedAddresses = new Map<string, string>();

/** An address as 32 bytes of ABI-encoded hex (no 0x), cached: `issueMany` computes thousands of ids per issuer. */
function paddedAddress(address: string): string {
  let padded = paddedAddresses.get(address);
  if (padded === undefined) {
    padded = getAddress(address).slice(2).toLowerCase().padStart(64, "0");
    if (paddedAddresses.size > 256) paddedAddresses.clear();
    paddedAddresses.set(address, padded);
  }
  return padded;
}

/**
 * What to send to the registry for a document: `{ billNumber, patientRef, contentHash, amount }`.
 * The domain is needed because the content hash is EIP-712 (bound to the chain and registry);
 * `MedBillClient#toBillInput(document, patientSalt)` fills it in.
 *
 * `patientRef` is `keccak256(abi.encode(patientSalt, patientIdDigest))` where `patientSalt` is the patient's own
 * secret when given (a patient-card holder: all their bills share one indexed topic), else the bill's own salt
 * (the bill is then linked to no other).
 *
 * @param bill - The document (validated here).
 * @param patientSalt - The patient's own 32-byte secret (hex), or `undefined` to use the bill's salt.
 * @param domain - The registry: `{ chainId, verifyingContract }`.
 * @returns The contract's `BillInput`.
 * @throws {@link InvalidBillError} when the document is invalid.
 */
export function toBillInput(bill: MedicalBill, patientSalt: string | undefined, domain: BillDomain): BillInput {
  const valid = parseBill(bill);
  return {
    billNumber: billNumberOf(valid),
    patientRef: patientRef(valid.patientId, patientSalt ?? valid.salt),
    contentHash: hashValidBill(valid, domain),
    amount: valid.total,
  };
}

/**
 * Checks a `BillInput` given by hand (all four fields present, 32-byte values non-zero, amount 1 to MAX_AMOUNT).
 *
 * @param input - The candidate.
 * @param context - Names it in the error message.
 * @returns The input with normalised hex and a bigint amount.
 * @throws {@link InvalidBillError} listing every field at fault.
 */
export function parseBillInput(input: unknown, context?: string): BillInput {
  const issues: BillIssue[] = [];
  if (typeof input !== "object" || input === null) {
    throw new InvalidBillError([{ path: "", message: "a bill input must be an object" }], context);
  }
  const record = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ["billNumber", "patientRef", "contentHash"] as const) {
    const v = record[key];
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) {
      issues.push({ path: key, message: `${key} must be 32 bytes as 0x-prefixed hex` });
    } else if (/^0x0{64}$/.test(v)) {
      issues.push({ path: key, message: `${key} must not be zero` });
    } else out[key] = v.toLowerCase();
  }
  try {
    out.amount = toFen(record.amount, "amount");
  } catch (e) {
    issues.push({ path: "amount", message: (e as MedBillError).message });
  }
  if (issues.length > 0) throw new InvalidBillError(issues, context);
  return out as unknown as BillInput;
}
