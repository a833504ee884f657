/** `GET /v1/bills/{billId}` and `GET /v1/bills?patientRef|issuer`: bills as indexed, with their history. */
import { z } from "zod";
import type { Api } from "../http/api";
import { errorReply } from "../http/api";
import { address, bytes32, cursorParam, errorSchema, fenString, limitParam, timeParam } from "../http/schemas";
import type { PartContext } from "../part";
import { keysetPage } from "./paging";
import type { BillsTable, IndexerTables } from "./schema";

const billSchema = z.object({
  billId: z.string(),
  status: z.enum(["None", "Issued", "PartiallyReimbursed", "Reimbursed", "Voided"]),
  issuer: z.string(),
  patientRef: z.string(),
  billNumber: z.string(),
  amount: fenString,
  reimbursed: fenString,
  contentHash: z.string(),
  issuedBlock: z.number(),
  issuedTx: z.string(),
  issuedTime: z.number().describe("block time of the issue, seconds since the epoch"),
});

const historySchema = z.object({
  event: z.enum(["BillIssued", "BillReimbursed", "BillVoided"]),
  blockNumber: z.number(),
  logIndex: z.number(),
  txHash: z.string(),
  blockTime: z.number(),
  claimer: z.string().optional(),
  claimRef: z.string().optional(),
  amount: fenString.optional(),
  totalReimbursed: fenString.optional(),
  reason: z.string().optional(),
  replacementId: z.string().optional(),
});

const detailSchema = billSchema.partial().extend({
  billId: z.string(),
  status: billSchema.shape.status,
  history: z.array(historySchema),
  intake: z
    .object({
      state: z.enum(["queued", "sent", "issued", "failed"]),
      txHash: z.string().optional(),
      error: z.string().optional(),
      acceptedAt: z.number().describe("when the 202 was answered, ms since the epoch"),
      updatedAt: z.number().describe("when the state last changed, ms since the epoch"),
    })
    .optional(),
});

/** A bill row as the API shows it. */
export function billJson(row: BillsTable): z.infer<typeof billSchema> {
  return {
    billId: row.bill_id,
    status: row.status as z.infer<typeof billSchema>["status"],
    issuer: row.issuer,
    patientRef: row.patient_ref,
    billNumber: row.bill_number,
    amount: row.amount,
    reimbursed: row.reimbursed,
    contentHash: row.content_hash,
    issuedBlock: Number(row.issued_block),
    issuedTx: row.issued_tx,
    issuedTime: Number(row.issued_time),
  };
}

const listQuery = z
  .object({
    patientRef: bytes32("patientRef").optional(),
    issuer: address("issuer").optional(),
    fromTime: timeParam("fromTime").optional(),
    toTime: timeParam("toTime").optional(),
    limit: limitParam,
    cursor: cursorParam,
  })
  .strict()
  .refine((q) => (q.patientRef === undefined) !== (q.issuer === undefined), {
    message: "give exactly one of patientRef and issuer",
    path: ["patientRef"],
  });

/** Declares the bill routes. */
export function billRoutes(api: Api, ctx: PartContext): void {
  const db = ctx.db.withTables<IndexerTables>();

  api.route({
    method: "GET",
    path: "/v1/bills/{billId}",
    summary: "One bill: its status, amounts, history, and its intake state when this service queued it",
    tags: ["bills"],
    params: z.object({ billId: bytes32("billId") }),
    responses: {
      200: { description: "The bill", schema: detailSchema },
      400: { description: "Malformed bill id", schema: errorSchema },
      404: { description: "Neither on chain (as indexed) nor queued here", schema: errorSchema },
    },
    handler: async ({ params }) => {
      const { billId } = params;
      const row = await db.selectFrom("bills").selectAll().where("bill_id", "=", billId).executeTakeFirst();
      const extra: Record<string, unknown> = {};
      for (const hook of ctx.hooks.billDetails) Object.assign(extra, await hook(billId));
      if (row === undefined) {
        if (Object.keys(extra).length === 0) return errorReply(404, `bill ${billId} is not known`);
        return { status: 200, body: { billId, status: "None", history: [], ...extra } };
      }
      const [reimbursements, voids] = await Promise.all([
        db.selectFrom("reimbursements").selectAll().where("bill_id", "=", billId).execute(),
        db.selectFrom("voids").selectAll().where("bill_id", "=", billId).execute(),
      ]);
      const history: z.infer<typeof historySchema>[] = [
        {
          event: "BillIssued" as const,
          blockNumber: Number(row.issued_block),
          logIndex: row.issued_log,
          txHash: row.issued_tx,
          blockTime: Number(row.issued_time),
          amount: row.amount,
        },
        ...reimbursements.map((r) => ({
          event: "BillReimbursed" as const,
          blockNumber: Number(r.block),
          logIndex: r.log_index,
          txHash: r.tx_hash,
          blockTime: Number(r.block_time),
          claimer: r.claimer,
          claimRef: r.claim_ref,
          amount: r.amount,
          totalReimbursed: r.total_reimbursed,
        })),
        ...voids.map((v) => ({
          event: "BillVoided" as const,
          blockNumber: Number(v.block),
          logIndex: v.log_index,
          txHash: v.tx_hash,
          blockTime: Number(v.block_time),
          reason: v.reason,
          replacementId: v.replacement_id,
        })),
      ].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
      return { status: 200, body: { ...billJson(row), history, ...extra } };
    },
  });

  api.route({
    method: "GET",
    path: "/v1/bills",
    summary: "A patient's bills (by patientRef) or a hospital's (by issuer), oldest first, a page at a time",
    tags: ["bills"],
    query: listQuery,
    responses: {
      200: {
        description: "A page of bills; pass nextCursor as cursor for the next",
        schema: z.object({ bills: z.array(billSchema), nextCursor: z.string().nullable() }),
      },
      400: { description: "Bad query", schema: errorSchema },
    },
    handler: async ({ query }) => {
      const limit = query.limit ?? 100;
      let q = db.selectFrom("bills").selectAll();
      q =
        query.patientRef !== undefined
          ? q.where("patient_ref", "=", query.patientRef)
          : q.where("issuer", "=", query.issuer as string);
      if (query.fromTime !== undefined) q = q.where("issued_time", ">=", String(query.fromTime));
      if (query.toTime !== undefined) q = q.where("issued_time", "<=", String(query.toTime));
      const { page, nextCursor } = await keysetPage(
        q,
        ["issued_time", "issued_block", "issued_log"],
        (r) => ({ time: r.issued_time, block: r.issued_block, log: r.issued_log }),
        query.cursor,
        limit,
      );
      return { status: 200, body: { bills: page.map(billJson), nextCursor } };
    },
  });
}
