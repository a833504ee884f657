/**
 * `GET /v1/reimbursements?claimer=…` (a payer's ledger, JSON or CSV, to reconcile with its own books) and
 * `GET /v1/stats` (per issuer and per claimer: bills, amounts issued, reimbursed, voided).
 */
import { sql } from "kysely";
import { z } from "zod";
import type { Api } from "../http/api";
import { address, bytes32, cursorParam, errorSchema, fenString, limitParam, timeParam } from "../http/schemas";
import type { PartContext } from "../part";
import { LEDGER_CSV_COLUMNS, ledgerRowToJson, ledgerToCsv, type LedgerRow } from "../../src";
import { keysetPage } from "./paging";
import type { IndexerTables } from "./schema";

/** The SDK's ledger row in JSON (`ledgerRowToJson`): the one row format of the CLI and the service. */
const ledgerRowSchema = z.object({
  billId: z.string(),
  claimer: z.string(),
  claimRef: z.string(),
  claimRefText: z.string().nullable(),
  amount: fenString,
  totalReimbursed: fenString,
  blockNumber: z.number(),
  blockTime: z.number(),
  time: z.string(),
  txHash: z.string(),
  logIndex: z.number(),
});

const ledgerQuery = z
  .object({
    claimer: address("claimer"),
    claimRef: bytes32("claimRef").optional(),
    fromTime: timeParam("fromTime").optional(),
    toTime: timeParam("toTime").optional(),
    limit: limitParam,
    cursor: cursorParam,
  })
  .strict();

const statsSchema = z.object({
  issuers: z.array(
    z.object({
      issuer: z.string(),
      bills: z.number(),
      issued: fenString,
      reimbursed: fenString,
      voidedBills: z.number(),
      voided: fenString,
    }),
  ),
  claimers: z.array(z.object({ claimer: z.string(), reimbursements: z.number(), reimbursed: fenString })),
});

/** Declares the ledger and stats routes. */
export function ledgerRoutes(api: Api, ctx: PartContext): void {
  const db = ctx.db.withTables<IndexerTables>();

  api.route({
    method: "GET",
    path: "/v1/reimbursements",
    summary: "A payer's reimbursements in chain order (Accept: text/csv for CSV), a page at a time",
    tags: ["reimbursements"],
    query: ledgerQuery,
    responses: {
      200: {
        description: `A page of the ledger; CSV columns: ${LEDGER_CSV_COLUMNS.join(",")} (next page cursor in the Link header)`,
        schema: z.object({ reimbursements: z.array(ledgerRowSchema), nextCursor: z.string().nullable() }),
        alsoAs: ["text/csv"],
      },
      400: { description: "Bad query", schema: errorSchema },
    },
    handler: async ({ query, headers }) => {
      const limit = query.limit ?? 100;
      let q = db.selectFrom("reimbursements").selectAll().where("claimer", "=", query.claimer);
      if (query.claimRef !== undefined) q = q.where("claim_ref", "=", query.claimRef);
      if (query.fromTime !== undefined) q = q.where("block_time", ">=", String(query.fromTime));
      if (query.toTime !== undefined) q = q.where("block_time", "<=", String(query.toTime));
      const { page, nextCursor } = await keysetPage(
        q,
        ["block_time", "block", "log_index"],
        (r) => ({ time: r.block_time, block: r.block, log: r.log_index }),
        query.cursor,
        limit,
      );
      const ledger: LedgerRow[] = page.map((r) => ({
        billId: r.bill_id,
        claimer: r.claimer,
        claimRef: r.claim_ref,
        amount: BigInt(r.amount),
        totalReimbursed: BigInt(r.total_reimbursed),
        blockNumber: Number(r.block),
        logIndex: r.log_index,
        txHash: r.tx_hash,
        blockTime: Number(r.block_time),
      }));
      if (/\btext\/csv\b/.test(headers.accept ?? "")) {
        const headers = nextCursor !== null ? { link: `<?cursor=${nextCursor}>; rel="next"` } : undefined;
        return { status: 200, body: ledgerToCsv(ledger), contentType: "text/csv; charset=utf-8", headers };
      }
      return { status: 200, body: { reimbursements: ledger.map(ledgerRowToJson), nextCursor } };
    },
  });

  api.route({
    method: "GET",
    path: "/v1/stats",
    summary: "Per issuer and per claimer: bills, amounts issued, reimbursed and voided (fen)",
    tags: ["stats"],
    responses: { 200: { description: "Totals as indexed", schema: statsSchema } },
    handler: async () => {
      const issuers = await db
        .selectFrom("bills")
        .select([
          "issuer",
          sql<string>`count(*)`.as("bills"),
          sql<string>`coalesce(sum(amount), 0)::text`.as("issued"),
          sql<string>`coalesce(sum(reimbursed), 0)::text`.as("reimbursed"),
          sql<string>`count(*) filter (where status = 'Voided')`.as("voided_bills"),
          sql<string>`coalesce(sum(amount) filter (where status = 'Voided'), 0)::text`.as("voided"),
        ])
        .groupBy("issuer")
        .orderBy("issuer")
        .execute();
      const claimers = await db
        .selectFrom("reimbursements")
        .select([
          "claimer",
          sql<string>`count(*)`.as("reimbursements"),
          sql<string>`coalesce(sum(amount), 0)::text`.as("reimbursed"),
        ])
        .groupBy("claimer")
        .orderBy("claimer")
        .execute();
      return {
        status: 200,
        body: {
          issuers: issuers.map((r) => ({
            issuer: r.issuer,
            bills: Number(r.bills),
            issued: r.issued,
            reimbursed: r.reimbursed,
            voidedBills: Number(r.voided_bills),
            voided: r.voided,
          })),
          claimers: claimers.map((r) => ({
            claimer: r.claimer,
            reimbursements: Number(r.reimbursements),
            reimbursed: r.reimbursed,
          })),
        },
      };
    },
  });
}
