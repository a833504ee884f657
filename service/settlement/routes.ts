/**
 * `POST /v1/reimbursements`: a payer's claims system hands over one claim; 202 once it is durably in the outbox.
 * The claim reference is the claim's key: the same claim again answers 200 with its state, another claim under a
 * reference already used answers 409. Refusals known in advance name the contract error (see ./judge.ts).
 */
import { z } from "zod";
import { errorReply, type Api, type Reply } from "../http/api";
import { bytes32, errorSchema, fenString } from "../http/schemas";
import type { PartContext } from "../part";
import { parseClaimBody, type ParsedClaim } from "./claim";
import { ZERO_AMOUNT, alreadyReimbursed, judgeInAdvance, type Refusal } from "./judge";
import type { SettlementOutboxTable, SettlementTables } from "./schema";

const stateSchema = z.enum(["queued", "sent", "paid", "failed"]);

/** A claim as answered. */
const claimViewSchema = z.object({
  billId: z.string(),
  amount: fenString,
  claimRef: z.string().describe("the claim reference as sent on chain (32 bytes, hex)"),
  claimRefText: z.string().optional().describe("the reference as text, when it was packed from text"),
  state: stateSchema,
  txHash: z.string().optional().describe("the transaction that paid it"),
  error: z.string().optional().describe("failed: the contract error's name; waiting: why its last round failed"),
});

/** The body: one claim. */
const claimBodySchema = z
  .object({
    billId: bytes32("billId"),
    amount: fenString.describe("fen (1 yuan = 100 fen), decimal digits, at least 1"),
    claimRef: z
      .string()
      .describe("the payer's claim number: 32-byte hex, or text (up to 31 bytes packed, longer hashed)"),
  })
  .strict()
  .describe("one claim; checked by the SDK's claim rules, as bill:settle and reimburseMany check them");

/** A refusal: the contract error the claim would raise. */
const refusalSchema = errorSchema.extend({
  contractError: z.string().describe("the registry's error, e.g. BillNotFound"),
  details: z.record(z.string()).optional(),
});

type View = Pick<SettlementOutboxTable, "bill_id" | "amount" | "claim_ref" | "state" | "error" | "tx_hash">;

function view(row: View, claimRefText: string | null): z.infer<typeof claimViewSchema> {
  return {
    billId: row.bill_id,
    amount: row.amount,
    claimRef: row.claim_ref,
    ...(claimRefText !== null ? { claimRefText } : {}),
    state: row.state,
    ...(row.tx_hash !== null ? { txHash: row.tx_hash } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
  };
}

function refuse(refusal: Refusal): Reply {
  const { status, contractError, message, details } = refusal;
  return { status, body: { error: message, contractError, ...(details !== undefined ? { details } : {}) } };
}

/** Declares settlement's routes; `wake` tells the batcher a claim is waiting. */
export function settlementRoutes(api: Api, ctx: PartContext, wake: () => void): void {
  const db = ctx.db.withTables<SettlementTables>();
  const payer = ctx.chain.identity?.address as string;
  const columns = ["bill_id", "amount", "claim_ref", "state", "error", "tx_hash"] as const;
  const byRef = (claimRef: string) =>
    db.selectFrom("settlement_outbox").select(columns).where("claim_ref", "=", claimRef).executeTakeFirst();
  const liveOf = (billId: string) =>
    db
      .selectFrom("settlement_outbox")
      .select(columns)
      .where("bill_id", "=", billId)
      .where("state", "<>", "failed")
      .executeTakeFirst();

  /** The answer to a claim whose reference is in the outbox: its state, or 409 when it is another claim. */
  const known = (row: View, claim: ParsedClaim): Reply =>
    row.bill_id === claim.billId && row.amount === claim.amount.toString()
      ? { status: 200, body: view(row, claim.claimRefText) }
      : errorReply(
          409,
          `claimRef ${claim.claimRef} is already used by another claim (bill ${row.bill_id}, ${row.amount} fen)`,
        );

  ctx.hooks.billDetails.push(async (billId) => {
    const row =
      (await liveOf(billId)) ??
      (await db
        .selectFrom("settlement_outbox")
        .select(columns)
        .where("bill_id", "=", billId)
        .orderBy("seq", "desc")
        .executeTakeFirst());
    return row === undefined ? undefined : { settlement: view(row, null) };
  });

  api.route({
    method: "POST",
    path: "/v1/reimbursements",
    summary: "Queue one claim for reimbursement (durable outbox, sent in reimburseBatch transactions)",
    tags: ["settlement"],
    auth: true,
    bodyDoc: claimBodySchema,
    responses: {
      202: { description: "Accepted: durably queued", schema: claimViewSchema },
      200: {
        description: "The same claim was posted before (or is paid on chain): its state",
        schema: claimViewSchema,
      },
      400: { description: "Invalid claim: every bad field named", schema: errorSchema },
      401: { description: "No or wrong bearer token", schema: errorSchema },
      409: {
        description:
          "The claimRef is used by another claim; or AlreadyReimbursedBy: this payer claims or reimbursed the bill already",
        schema: refusalSchema,
      },
      413: { description: "Body too large", schema: errorSchema },
      422: {
        description:
          "Refused in advance, naming the contract error: BillNotFound, BillNotReimbursable, " +
          "ReimbursementExceedsBalance, ZeroAmount",
        schema: refusalSchema,
      },
    },
    handler: async ({ body }) => {
      const parsed = parseClaimBody(body);
      if (parsed.issues !== undefined) {
        const fields = [...new Set(parsed.issues.map((i) => i.field || "(body)"))].join(", ");
        return errorReply(400, `invalid claim: ${fields}`, parsed.issues);
      }
      const { claim } = parsed;
      if (parsed.zero) return refuse(ZERO_AMOUNT);
      const existing = await byRef(claim.claimRef);
      if (existing !== undefined) return known(existing, claim);
      const live = await liveOf(claim.billId);
      if (live !== undefined)
        return refuse(alreadyReimbursed(claim.billId, payer, "already claims (claimRef " + live.claim_ref + ")"));

      const verdict = await judgeInAdvance(ctx.chain, claim);
      if (verdict.kind === "refused") return refuse(verdict.refusal);
      if (verdict.kind === "paid") {
        const row = { bill_id: claim.billId, amount: claim.amount.toString(), claim_ref: claim.claimRef };
        return {
          status: 200,
          body: view({ ...row, state: "paid", error: null, tx_hash: verdict.txHash }, claim.claimRefText),
        };
      }

      const now = String(Date.now());
      const inserted = await db
        .insertInto("settlement_outbox")
        .values({
          claim_ref: claim.claimRef,
          bill_id: claim.billId,
          amount: claim.amount.toString(),
          state: "queued",
          error: null,
          tx_hash: null,
          accepted_at: now,
          updated_at: now,
        })
        // Either key taken meanwhile (the same reference, or a live claim on the bill): answered below.
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted !== undefined) {
        wake();
        return { status: 202, body: view(inserted, claim.claimRefText) };
      }
      const raced = await byRef(claim.claimRef);
      if (raced !== undefined) return known(raced, claim);
      return refuse(alreadyReimbursed(claim.billId, payer, "already claims"));
    },
  });
}
