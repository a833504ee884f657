import fs from "node:fs";
import path from "node:path";
import { CliError } from "./errors";
import type { Sdk } from "./context";
import { checkReadableFile } from "./rows";

/** A bill named on the command line: by id, or by URI (which also names chain, registry and content hash). */
export interface BillRef {
  readonly billId: string;
  /** Present when the bill was given by URI. */
  readonly uri?: {
    readonly chainId: bigint;
    readonly registry: string;
    readonly contentHash: string;
    readonly text: string;
  };
}

const BILL_ID = /^0x[0-9a-fA-F]{64}$/;

/**
 * Reads a bill argument: a bill id (0x + 64 hex digits) or a bill URI (`medbill:<chainId>/<registry>/<billId>?h=...`).
 *
 * @param decodeBillUri - The SDK's URI decoder (tasks load the SDK lazily).
 * @throws {@link CliError} naming what is wrong.
 */
export function parseBillRef(
  value: string | undefined,
  option: string,
  decodeBillUri: (uri: string) => { chainId: bigint; registry: string; billId: string; contentHash: string },
): BillRef {
  if (value === undefined || value.trim() === "") throw new CliError(`${option} is required: a bill id or a bill URI`);
  const text = value.trim();
  if (BILL_ID.test(text)) {
    if (/^0x0{64}$/.test(text)) throw new CliError(`${option}: the bill id must not be zero`);
    return { billId: text.toLowerCase() };
  }
  if (text.toLowerCase().startsWith("medbill:")) {
    try {
      const uri = decodeBillUri(text);
      return {
        billId: uri.billId,
        uri: { chainId: uri.chainId, registry: uri.registry, contentHash: uri.contentHash, text },
      };
    } catch (error) {
      throw new CliError(`${option}: ${(error as Error).message}`);
    }
  }
  throw new CliError(
    `${option}: "${shorten(text)}" is neither a bill id (0x and 64 hex digits) nor a bill URI (medbill:<chainId>/<registry>/<billId>?h=<hash>)`,
  );
}

/**
 * Reads an amount in yuan (at most two decimals, more than zero, at most the registry's maximum) into fen, with the
 * SDK's `parseYuan` (the one yuan parser) and `MAX_AMOUNT`.
 *
 * @param sdk - The SDK (tasks load it lazily).
 */
export function parseAmountArg(
  sdk: Pick<Sdk, "parseYuan" | "MAX_AMOUNT">,
  value: string | undefined,
  option = "--amount",
): bigint {
  if (value === undefined || value.trim() === "")
    throw new CliError(`${option} is required: an amount in yuan, e.g. 120.50`);
  const text = value.trim();
  let fen: bigint;
  try {
    fen = sdk.parseYuan(text);
  } catch {
    if (/^-?\d+\.\d{3,}$/.test(text)) {
      throw new CliError(
        `${option} ${text} has more than two decimals: amounts are in yuan with at most 2 decimals (fen)`,
      );
    }
    throw new CliError(`${option} "${shorten(text)}" is not a number of yuan (e.g. 120 or 120.50)`);
  }
  if (fen <= 0n) throw new CliError(`${option} must be more than zero, got ${text}`);
  if (fen > sdk.MAX_AMOUNT)
    throw new CliError(`${option} ${text} is above the registry's maximum of ${sdk.MAX_AMOUNT / 100n} yuan`);
  return fen;
}

/** Reads an optional whole-number option within bounds. */
export function parseIntArg(
  value: string | undefined,
  option: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()))
    throw new CliError(`${option} must be a whole number from ${min} to ${max}, got "${value}"`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new CliError(`${option} must be from ${min} to ${max}, got ${n}`);
  return n;
}

/** Checks an optional registry address option. */
export function parseAddressArg(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^0x[0-9a-fA-F]{40}$/.test(value.trim()))
    throw new CliError(`${option} "${shorten(value)}" is not an address (0x and 40 hex digits)`);
  return value.trim();
}

/** Checks a required input file option. */
export function requireFile(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === "") throw new CliError(`${option} is required`);
  checkReadableFile(value, "file");
  return value;
}

/** Checks that an output file can be written (its directory exists). */
export function requireOutFile(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === "") throw new CliError(`${option} is required`);
  const dir = path.dirname(path.resolve(value));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new CliError(`${option}: directory not found: ${dir}`);
  if (!/\.png$/i.test(value)) throw new CliError(`${option} must name a .png file, got ${value}`);
  return value;
}

/** Reads a JSON file holding one object (a bill document). */
export function readJsonObject(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CliError(`${file} must hold one JSON object (a MedicalBill document)`);
  }
  return value as Record<string, unknown>;
}

function shorten(text: string): string {
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}
