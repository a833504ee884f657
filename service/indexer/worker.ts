/**
 * Follows the registry's events into the database: from the block after the cursor to the node's head (less
 * `MEDBILL_CONFIRMATIONS`), one range at a time (at most `MEDBILL_INDEX_BLOCK_RANGE` blocks, fewer where blocks are
 * full: about 10,000 events a read), the next range read from the node while the previous one is written. When the node goes away it backs off and resumes where the cursor
 * says, so nothing is skipped or written twice.
 */
import { NodeUnreachableError, type BillEvent, type MedBillClient } from "../../src";
import { mapLimit } from "../../src/client";
import type { PartContext, Worker } from "../part";
import { applyRange, readCursor, type IndexedChain } from "./apply";

/** Where the indexer stands, for `/health`. */
export interface IndexerState {
  /** The last block fully indexed (null before the first range). */
  indexedBlock: number | null;
  /** Why it is not indexing, when it is stopped on an error it cannot get past by waiting (e.g. another chain). */
  error: string | null;
  /** Events written since start. */
  events: number;
}

interface Range {
  readonly from: number;
  readonly to: number;
  readonly events: BillEvent[];
  readonly times: Map<number, number>;
}

async function readRange(client: MedBillClient, from: number, to: number): Promise<Range> {
  const events: BillEvent[] = [];
  for await (const page of client.events({ fromBlock: from, toBlock: to })) events.push(...page);
  const times = new Map<number, number>();
  const blocks = [...new Set(events.map((e) => e.blockNumber))];
  await mapLimit(blocks, 16, async (n) => {
    const block = await client.provider.getBlock(n);
    if (block === null) throw new Error(`the node has no block ${n}`);
    times.set(n, block.timestamp);
  });
  return { from, to, events, times };
}

/** Events aimed at per `eth_getLogs` request: large enough to amortise a request, small enough to hold. */
const EVENTS_PER_READ = 10_000;
/** Blocks of the first read; each read with few events doubles the span, up to `MEDBILL_INDEX_BLOCK_RANGE`. */
const FIRST_SPAN = 64;

/**
 * The span of the next read, from what the last one found: a dense chain (a consortium issues batches of hundreds
 * of bills per block) would otherwise put hundreds of thousands of events in one answer of `MEDBILL_INDEX_BLOCK_RANGE`
 * blocks; a sparse one grows back to that range.
 */
function nextSpan(span: number, range: Range, max: number): number {
  const blocks = range.to - range.from + 1;
  if (range.events.length > EVENTS_PER_READ) {
    return Math.max(1, Math.floor((blocks * EVENTS_PER_READ) / range.events.length));
  }
  return range.events.length < EVENTS_PER_READ / 2 ? Math.min(max, span * 2) : span;
}

/** Starts following the chain; `state` is updated as it goes. */
export function startIndexer(ctx: PartContext, state: IndexerState): Worker {
  const { db, chain, config, log } = ctx;
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    let backoff = config.pollMs;
    let target: IndexedChain | undefined;
    let cursor = -1;
    let span = Math.min(FIRST_SPAN, config.indexBlockRange);
    while (!stopped) {
      try {
        const client = await chain.connect();
        if (client === undefined) {
          await pause(Math.min(2_000, (backoff *= 2)));
          continue;
        }
        if (target === undefined) {
          const stored = await readCursor(db);
          const here = { chainId: client.chainId.toString(), registry: client.address };
          if (stored !== undefined && (stored.chainId !== here.chainId || stored.registry !== here.registry)) {
            state.error =
              `the database holds chain ${stored.chainId} registry ${stored.registry}, but the node serves chain ` +
              `${here.chainId} registry ${here.registry}: use another MEDBILL_DATA_DIR or DATABASE_URL`;
            log.error(state.error);
            return;
          }
          target = here;
          cursor = stored?.block ?? client.fromBlock - 1;
          state.indexedBlock = stored?.block ?? null;
        }
        const head = await chain.headBlock();
        const last = head - config.confirmations;
        if (last < cursor) {
          state.error = `the node's head ${head} is behind the indexed block ${cursor}: was the chain reset?`;
        }
        if (cursor >= last) {
          await pause(config.pollMs);
          continue;
        }
        state.error = null;
        backoff = config.pollMs;
        // Read range n+1 while range n is written.
        let next: Promise<Range> | undefined;
        let from = cursor + 1;
        const read = (start: number): Promise<Range> => readRange(client, start, Math.min(last, start + span - 1));
        next = read(from);
        while (next !== undefined && !stopped) {
          const range = await next;
          span = nextSpan(span, range, config.indexBlockRange);
          from = range.to + 1;
          next = from <= last ? read(from) : undefined;
          next?.catch(() => undefined);
          await applyRange(db, target, range.from, range.to, range.events, range.times);
          cursor = range.to;
          state.indexedBlock = cursor;
          state.events += range.events.length;
        }
      } catch (e) {
        if (stopped) break;
        if (e instanceof NodeUnreachableError) chain.markDown(e);
        log.warn(`indexing paused: ${((e as Error).message ?? String(e)).split("\n")[0]}`);
        await pause(Math.min(5_000, (backoff *= 2)));
      }
    }
  };
  const done = run().catch((e: unknown) => {
    state.error = (e as Error).message;
    log.error(`indexer stopped: ${state.error}`);
  });
  return {
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
