/** zod schemas shared by the routes of several parts: ids, addresses, amounts, times, pages. */
import { getAddress } from "ethers";
import { z } from "zod";

/** A 32-byte value as 0x-prefixed hex, answered in lower case. */
export const bytes32 = (what: string) =>
  z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .regex(/^0x[0-9a-fA-F]{64}$/, `${what} must be 32 bytes as 0x-prefixed hex`)
    .transform((s) => s.toLowerCase());

/** An address, answered checksummed. */
export const address = (what: string) =>
  z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .regex(/^0x[0-9a-fA-F]{40}$/, `${what} must be a 20-byte 0x-prefixed address`)
    .transform((s) => getAddress(s.toLowerCase()));

/** An amount in fen as a decimal string (JSON numbers cannot hold every amount). */
export const fenString = z.string().regex(/^\d+$/).describe("amount in fen (1 yuan = 100 fen), decimal digits");

/** A time bound: seconds since the epoch, or an ISO 8601 date or date-time; becomes seconds. */
export const timeParam = (what: string) =>
  z
    .string()
    .transform((s, ctx) => {
      if (/^\d{1,12}$/.test(s)) return Number(s);
      const ms = Date.parse(s);
      if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(s)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${what} must be seconds since the epoch or ISO 8601` });
        return z.NEVER;
      }
      return Math.floor(ms / 1000);
    })
    .describe(`${what}: seconds since the epoch, or an ISO 8601 date or date-time`);

/** Page size: 1 to 1,000, default 100. */
export const limitParam = z
  .string()
  .regex(/^\d+$/, "limit must be a whole number")
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1000, "limit must be from 1 to 1000")
  .optional()
  .describe("page size, 1 to 1000 (default 100)");

/** An opaque page cursor, as returned in `nextCursor`. */
export const cursorParam = z
  .string()
  .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, "cursor must be a nextCursor value returned by the previous page")
  .optional()
  .describe("the nextCursor of the previous page");

/** A position in chain order (time, block, log index), the key of cursor pagination. */
export interface Position {
  readonly time: string;
  readonly block: string;
  readonly log: number;
}

/** Encodes a page cursor. */
export function encodeCursor(p: Position): string {
  return `${p.time}.${p.block}.${p.log}`;
}

/** Decodes a page cursor checked by {@link cursorParam}. */
export function decodeCursor(s: string): Position {
  const [time, block, log] = s.split(".");
  return { time, block, log: Number(log) };
}

/** The error body. */
export const errorSchema = z.object({
  error: z.string(),
  issues: z.array(z.object({ in: z.string(), field: z.string(), message: z.string() })).optional(),
});
