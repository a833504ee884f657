import { parseAmountArg } from "./args";
import type { Sdk } from "./context";
import type { RawRow } from "./rows";

/** The CSV columns of a claims file every header must have. */
export const CLAIM_REQUIRED_COLUMNS = ["amount", "claimRef"] as const;
/** The columns naming the bill: at least one of them, per row exactly one filled in. */
export const CLAIM_BILL_COLUMNS = ["billId", "uri"] as const;

/** A valid claims-file row. */
export interface ClaimRow {
  /** 1-based line in the file. */
  readonly line: number;
  /** The bill (lower-case hex). */
  readonly billId: string;
  /** When the row named the bill by URI: the chain and registry it names, to check against the node. */
  readonly uri?: { readonly chainId: bigint; readonly registry: string; readonly contentHash: string };
  /** Fen. */
  readonly amount: bigint;
  /** The claim reference as written (text; `toBytes32` packs or hashes it). */
  readonly claimRef: string;
}

/** One problem of one row. */
export interface ClaimIssue {
  readonly field: string;
  readonly message: string;
}

/** What the row rules need of the SDK (tasks load it lazily): the URI decoder and the one yuan parser. */
export type ClaimRules = Pick<Sdk, "decodeBillUri" | "parseYuan" | "MAX_AMOUNT">;

const BILL_ID = /^0x[0-9a-fA-F]{64}$/;

/**
 * Validates one row of a claims file: `billId` (0x + 64 hex digits) or `uri` (a bill URI), `amount` in yuan (at
 * most two decimals, more than zero), `claimRef` (the payer's claim number, not empty).
 */
export function validateClaimRow(raw: RawRow, sdk: ClaimRules): ClaimRow | { line: number; issues: ClaimIssue[] } {
  if (raw.fields === undefined) return { line: raw.line, issues: [{ field: "(row)", message: raw.error }] };
  const issues: ClaimIssue[] = [];
  const text = (name: string): string | undefined => {
    const v = raw.fields[name];
    if (v === undefined || v === null || v === "") return undefined;
    return typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : JSON.stringify(v);
  };
  const unknown = Object.keys(raw.fields).filter(
    (k) => !([...CLAIM_REQUIRED_COLUMNS, ...CLAIM_BILL_COLUMNS] as readonly string[]).includes(k),
  );
  for (const k of unknown)
    issues.push({ field: k, message: "unknown field (expected billId or uri, amount, claimRef)" });

  let billId = "";
  let uri: ClaimRow["uri"];
  const id = text("billId");
  const link = text("uri");
  if (id === undefined && link === undefined) issues.push({ field: "billId", message: "missing: give billId or uri" });
  else if (id !== undefined && link !== undefined) {
    issues.push({ field: "uri", message: "give billId or uri, not both" });
  } else if (id !== undefined) {
    if (!BILL_ID.test(id)) issues.push({ field: "billId", message: `"${id}" is not a bill id (0x and 64 hex digits)` });
    else if (/^0x0{64}$/.test(id)) issues.push({ field: "billId", message: "must not be zero" });
    else billId = id.toLowerCase();
  } else {
    try {
      const decoded = sdk.decodeBillUri(link!);
      billId = decoded.billId.toLowerCase();
      uri = { chainId: decoded.chainId, registry: decoded.registry, contentHash: decoded.contentHash };
    } catch (error) {
      issues.push({ field: "uri", message: (error as Error).message });
    }
  }

  let amount = 0n;
  const yuan = text("amount");
  if (yuan === undefined) issues.push({ field: "amount", message: "missing: the amount in yuan, e.g. 120.50" });
  else {
    try {
      amount = parseAmountArg(sdk, yuan, "amount");
    } catch (error) {
      issues.push({ field: "amount", message: (error as Error).message.replace(/^amount /, "") });
    }
  }

  const claimRef = text("claimRef");
  if (claimRef === undefined) issues.push({ field: "claimRef", message: "missing: the payer's claim number" });

  if (issues.length > 0) return { line: raw.line, issues };
  return { line: raw.line, billId, uri, amount, claimRef: claimRef! };
}

/** Whether {@link validateClaimRow} accepted the row. */
export function isClaimRow(row: ClaimRow | { line: number; issues: ClaimIssue[] }): row is ClaimRow {
  return !("issues" in row);
}
