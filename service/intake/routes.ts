/** `POST /v1/bills`: a hospital's billing system hands over one bill row; 202 once it is durably in the outbox. */
import { z } from "zod";
import { errorReply, type Api } from "../http/api";
import { errorSchema } from "../http/schemas";
import type { PartContext } from "../part";
import type { BillsTable } from "../indexer/schema";
import { outboxWriter } from "./outbox-writer";
import { parseIntakeRow, storedRowInput } from "./row";
import type { IntakeTables } from "./schema";

const stateSchema = z.enum(["queued", "sent", "issued", "failed"]);
const acceptedSchema = z.object({ billId: z.string(), state: stateSchema, error: z.string().optional() });

/** A bill row: a MedicalBill document (amounts in fen), optionally with `patientSalt` or `patientRef`. */
const rowSchema = z
  .object({
    hospital: z.string(),
    billCode: z.string(),
    billNumber: z.string(),
    patientName: z.string(),
    patientId: z.string(),
    department: z.string(),
    items: z.array(
      z.object({ name: z.string(), quantity: z.number().int(), unitPrice: z.union([z.string(), z.number()]) }),
    ),
    total: z.union([z.string(), z.number()]).describe("fen"),
    currency: z.string(),
    issuedOn: z.string().describe("YYYY-MM-DD"),
    patientSalt: z.string().optional().describe("the patient's own 32-byte secret (hex)"),
    patientRef: z.string().optional().describe("the patient's commitment, as a patient card shows it"),
  })
  .passthrough()
  .describe("one row in bill:import's JSONL format; checked in full by the SDK's row rules (400 names every field)");

/** Declares intake's routes; `wake` tells the batcher a bill is waiting. */
export function intakeRoutes(api: Api, ctx: PartContext, secret: string, wake: () => void): void {
  const db = ctx.db.withTables<IntakeTables & { bills: BillsTable }>();
  const issuer = ctx.chain.identity?.address as string;
  const writer = outboxWriter(ctx.db);

  ctx.hooks.billDetails.push(async (billId) => {
    const row = await db
      .selectFrom("intake_outbox")
      .select(["state", "error", "amount", "accepted_at", "updated_at"])
      .where("bill_id", "=", billId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const indexed = await db.selectFrom("bills").select("issued_tx").where("bill_id", "=", billId).executeTakeFirst();
    const intake = {
      state: row.state,
      ...(indexed !== undefined ? { txHash: indexed.issued_tx } : {}),
      ...(row.error !== null ? { error: row.error } : {}),
      acceptedAt: Number(row.accepted_at),
      updatedAt: Number(row.updated_at),
    };
    return indexed === undefined ? { issuer, amount: row.amount, reimbursed: "0", intake } : { intake };
  });

  api.route({
    method: "POST",
    path: "/v1/bills",
    summary: "Queue one bill for issue (durable outbox, sent in issueBatch transactions)",
    tags: ["intake"],
    auth: true,
    bodyDoc: rowSchema,
    responses: {
      202: { description: "Accepted: durably queued", schema: acceptedSchema },
      200: { description: "The same bill was posted before: its current state", schema: acceptedSchema },
      400: { description: "Invalid row: every bad field named", schema: errorSchema },
      401: { description: "No or wrong bearer token", schema: errorSchema },
      409: { description: "Another document under the same bill number", schema: errorSchema },
      413: { description: "Body too large", schema: errorSchema },
    },
    handler: async ({ body }) => {
      const parsed = parseIntakeRow(body, issuer, secret);
      if (parsed.issues !== undefined) {
        const fields = [...new Set(parsed.issues.map((i) => i.field || "(body)"))].join(", ");
        return errorReply(400, `invalid bill row: ${fields}`, parsed.issues);
      }
      const { row } = parsed;
      const client = ctx.chain.client;
      const stored = await writer.write({
        billId: row.billId,
        billNumber: row.billNumber,
        canonical: row.canonical,
        amount: row.amount,
        checkChain: client !== undefined,
      });
      switch (stored.kind) {
        case "accepted":
          wake();
          return { status: 202, body: { billId: row.billId, state: "queued" } };
        case "on-chain": {
          // Issued some other way (e.g. bill:import): the same content is that bill; other content is a conflict.
          const input = storedRowInput(row.canonical, client!.domain);
          if (input.contentHash !== stored.contentHash) return conflict(row.billId);
          return { status: 200, body: { billId: row.billId, state: "issued" } };
        }
        case "known":
          if (stored.rowJson !== row.canonical) return conflict(row.billId);
          return {
            status: 200,
            body: {
              billId: row.billId,
              state: stored.state,
              ...(stored.error !== null ? { error: stored.error } : {}),
            },
          };
      }
    },
  });
}

function conflict(billId: string): { status: number; body: { error: string; billId: string } } {
  return {
    status: 409,
    body: { error: `bill ${billId}: this hospital's bill number is already taken by another document`, billId },
  };
}
