import { MAX_AMOUNT } from "./constants";
import { InvalidAmountError } from "./errors";

export { MAX_AMOUNT, MAX_BATCH_SIZE } from "./constants";

/**
 * Formats an amount in fen as yuan with exactly two decimals, e.g. `formatYuan(12345n) === "123.45"`.
 *
 * @param fen - The amount in fen (1 yuan = 100 fen); a bigint, or a safe integer number.
 * @returns The amount in yuan, `-` prefixed when negative, no thousands separators.
 * @throws {@link InvalidAmountError} when `fen` is not an integer.
 */
export function formatYuan(fen: bigint | number): string {
  const value = toFen(fen, "amount", { allowNegative: true, allowZero: true, max: null });
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${yuan}.${cents}`;
}

/**
 * Parses an amount in yuan written in decimal (at most two decimals, no floats involved) into fen,
 * e.g. `parseYuan("123.45") === 12345n`, `parseYuan("8") === 800n`.
 *
 * Accepted: optional leading `-`, digits, optionally `.` and one or two digits. Rejected: exponents, thousands
 * separators, more than two decimals, empty or blank strings, and JavaScript numbers (pass a string).
 *
 * @param yuan - The amount in yuan, as a string.
 * @returns The amount in fen.
 * @throws {@link InvalidAmountError} on any other input.
 */
export function parseYuan(yuan: string): bigint {
  if (typeof yuan !== "string") {
    throw new InvalidAmountError(`expected the amount in yuan as a string, got ${describe(yuan)}`, yuan);
  }
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!match) {
    throw new InvalidAmountError(
      `"${yuan}" is not an amount in yuan (digits with at most two decimals, e.g. "123.45")`,
      yuan,
    );
  }
  const [, sign, whole, frac = ""] = match;
  const fen = BigInt(whole) * 100n + BigInt(frac.padEnd(2, "0"));
  return sign === "-" ? -fen : fen;
}

/** Options of {@link toFen}. */
export interface ToFenOptions {
  /** Accept zero (default false). */
  allowZero?: boolean;
  /** Accept negative values (default false). */
  allowNegative?: boolean;
  /** Largest accepted value (default {@link MAX_AMOUNT}); `null` for no bound. */
  max?: bigint | null;
}

/**
 * Checks and converts an amount in fen to a bigint: a bigint, a safe integer number or a string of decimal digits
 * is accepted; floats, NaN, unsafe integers, hex and anything else are refused. By default the amount must be
 * between 1 and {@link MAX_AMOUNT}.
 *
 * @param value - The amount in fen.
 * @param what - What the amount is, for the error message.
 * @param options - Bounds.
 * @returns The amount as a bigint.
 * @throws {@link InvalidAmountError} when the value is not an acceptable amount.
 */
export function toFen(value: unknown, what = "amount", options: ToFenOptions = {}): bigint {
  const { allowZero = false, allowNegative = false } = options;
  const max = options.max === undefined ? MAX_AMOUNT : options.max;
  let fen: bigint;
  if (typeof value === "bigint") {
    fen = value;
  } else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new InvalidAmountError(
        `${what} must be an integer number of fen, got ${value} (use a bigint or parseYuan for yuan)`,
        value,
      );
    }
    fen = BigInt(value);
  } else if (typeof value === "string" && /^-?\d+$/.test(value)) {
    fen = BigInt(value);
  } else {
    throw new InvalidAmountError(`${what} must be an integer number of fen, got ${describe(value)}`, value);
  }
  if (fen < 0n && !allowNegative) throw new InvalidAmountError(`${what} must not be negative, got ${fen}`, value);
  if (fen === 0n && !allowZero) throw new InvalidAmountError(`${what} must not be zero`, value);
  if (max !== null && fen > max) {
    throw new InvalidAmountError(`${what} ${fen} fen is above the registry's maximum of ${max} fen`, value);
  }
  return fen;
}

/** @internal A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 77) + "..." : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
