/**
 * Keyset pagination in chain order, shared by the list routes: rows after the cursor's (time, block, log index),
 * ordered by those three columns, one page of `limit` rows and the cursor of the next page (null on the last).
 */
import { sql, type SelectQueryBuilder } from "kysely";
import { decodeCursor, encodeCursor, type Position } from "../http/schemas";

/** The three columns of a table's chain order: block time, block number, log index. */
export type OrderColumns = readonly [time: string, block: string, log: string];

/**
 * Runs `query` for one page.
 *
 * @param query - The filtered query (no order, no limit).
 * @param columns - The table's chain-order columns.
 * @param position - A row's position in that order (read from the same three columns).
 * @param cursor - The previous page's `nextCursor`, if any.
 * @param limit - Rows per page.
 */
export async function keysetPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  columns: OrderColumns,
  position: (row: O) => Position,
  cursor: string | undefined,
  limit: number,
): Promise<{ page: O[]; nextCursor: string | null }> {
  const [time, block, log] = columns.map((c) => sql.ref(c));
  let q = query;
  if (cursor !== undefined) {
    const c = decodeCursor(cursor);
    q = q.where(sql<boolean>`(${time}, ${block}, ${log}) > (${c.time}::bigint, ${c.block}::bigint, ${c.log}::int)`);
  }
  const rows = (await q
    .orderBy(time)
    .orderBy(block)
    .orderBy(log)
    .limit(limit + 1)
    .execute()) as O[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null };
}
