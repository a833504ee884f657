/**
 * A `POST /v1/reimbursements` body as settlement sees it: `{billId, amount, claimRef}` checked by the SDK's claim
 * rules (`parseClaims`, the ones `reimburseMany` and `bill:settle` apply: bill id as 32-byte hex, amount in fen from
 * 1 to `MAX_AMOUNT`, claimRef as 32-byte hex or text packed or hashed by `toBytes32`). Thin on purpose: the rules
 * live in the SDK. Two HTTP rules are added: the amount comes as a decimal string (JSON numbers cannot hold every
 * amount), and a zero amount is a refusal named after the contract's `ZeroAmount`, not a malformed field.
 */
import { InvalidClaimsError, claimRefText } from "../../src";
import { parseClaims } from "../../src/actions/reimburse-many";
import type { FieldIssue } from "../http/api";

/** A valid claim. */
export interface ParsedClaim {
  /** The bill (lower-case hex). */
  readonly billId: string;
  /** Fen. */
  readonly amount: bigint;
  /** The claim reference as sent on chain (32 bytes, lower-case hex). */
  readonly claimRef: string;
  /** The reference as text, when it was packed from text. */
  readonly claimRefText: string | null;
}

/** What a body turned out to be. */
export type ClaimBody =
  | { readonly claim: ParsedClaim; readonly zero: boolean; readonly issues?: undefined }
  | { readonly claim?: undefined; readonly issues: FieldIssue[] };

const FIELDS = ["billId", "amount", "claimRef"] as const;
// Well-formed stand-ins for fields already found at fault, so that the SDK checks the others.
const STAND_IN: Record<(typeof FIELDS)[number], string> = { billId: "0x" + "1".repeat(64), amount: "1", claimRef: "x" };

/**
 * Validates a body and names every bad field.
 *
 * @param body - The parsed JSON body.
 * @returns The claim (with `zero` set when its amount is zero: a refusal, see the module's note), or the issues.
 */
export function parseClaimBody(body: unknown): ClaimBody {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { issues: [{ in: "body", field: "", message: "the body must be one claim: {billId, amount, claimRef}" }] };
  }
  const fields = body as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const bad = (field: string, message: string): void => void issues.push({ in: "body", field, message });
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(key)) bad(key, "unknown field (expected billId, amount, claimRef)");
  }
  const given: Record<string, unknown> = {};
  for (const name of FIELDS) {
    const value = fields[name];
    if (value === undefined || value === null) bad(name, `${name} is required`);
    else if (name === "amount" && typeof value !== "string") {
      bad(name, 'amount must be a string of decimal digits (fen), e.g. "12050"');
    } else {
      given[name] = value;
      continue;
    }
    given[name] = STAND_IN[name];
  }
  const zero = typeof given.amount === "string" && /^0+$/.test(given.amount);
  if (zero) given.amount = "1";
  let parsed;
  try {
    [parsed] = parseClaims([given as { billId: string; amount: string; claimRef: string }]);
  } catch (e) {
    if (!(e instanceof InvalidClaimsError)) throw e;
    for (const issue of e.issues) bad(issue.path.replace(/^0\./, ""), issue.message);
  }
  if (issues.length > 0 || parsed === undefined) return { issues };
  return {
    claim: {
      billId: parsed.billId,
      amount: zero ? 0n : parsed.amount,
      claimRef: parsed.claimRef,
      claimRefText: claimRefText(parsed.claimRef),
    },
    zero,
  };
}
