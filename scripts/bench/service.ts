/**
 * The benchmark's service section: the MedBill service as a real process against a `hardhat node`.
 * - intake burst: autocannon POSTs distinct bills as fast as the service answers: accepted bills/s, 202 p50/p99;
 * - intake at a steady 500 bills/s: 202 → on chain p50/p99 (the outbox's accepted and issued times), gas per bill;
 * - indexer catch-up from block 0: events/s;
 * - GET /v1/bills?patientRef= p99 over N indexed bills, on PGlite and on PostgreSQL (DATABASE_URL of
 *   MEDBILL_TEST_DATABASE_URL's server): the N rows are inserted straight into the indexer's tables (synthetic,
 *   as an indexer would write them), because issuing 1,000,000 bills on chain first would take most of an hour here.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { HDNodeWallet, JsonRpcProvider, Network } from "ethers";
import { MedBillClient, billToJson } from "../../src";
import { BillRegistry__factory } from "../../typechain-types/factories/contracts/BillRegistry__factory";
import { freePort, startHardhatNode } from "../lib/node";
import { makeBills } from "../make-bills";

const ROOT = path.resolve(__dirname, "..", "..");
const TS_NODE = require.resolve("ts-node/dist/bin", { paths: [ROOT] });
const MNEMONIC = "test test test test test test test test test test test junk";
const TOKEN = "bench-token-0123456789";

/** Options of the service benchmark. */
export interface ServiceBenchOptions {
  readonly full: boolean;
  readonly log: (line: string) => void;
  /** PostgreSQL server for the query measure (MEDBILL_TEST_DATABASE_URL); skipped when undefined. */
  readonly postgresUrl?: string;
}

/** What the service benchmark measured. */
export interface ServiceBenchResults {
  burst: { bills: number; acceptedPerSecond: number; p50Ms: number; p99Ms: number; non2xx: number };
  steady: {
    rate: number;
    bills: number;
    toChainP50Ms: number;
    toChainP99Ms: number;
    p99Ms: number;
    gasPerBill: number;
  };
  catchUp: { events: number; seconds: number; eventsPerSecond: number };
  query: { rows: number; store: string; p50Ms: number; p99Ms: number }[];
}

const wallet = (i: number, provider?: JsonRpcProvider): HDNodeWallet => {
  const w = HDNodeWallet.fromPhrase(MNEMONIC, "", `m/44'/60'/0'/0/${i}`);
  return provider ? w.connect(provider) : w;
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startService(env: NodeJS.ProcessEnv): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", "service/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, MEDBILL_LOG: "warn", MEDBILL_SERVICE_PORT: String(port), ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (i > 1200) throw new Error("the service did not start");
    try {
      const health = (await (await fetch(`${url}/health`)).json()) as { chainId: string | null };
      if (health.chainId !== null) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The fields of GET /health the benchmark reads. */
interface Health {
  indexedBlock: number | null;
  intake?: { waiting: number; gasUsed: string; issued: number };
}

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

/** Runs autocannon POSTing `rows` (one request each) at `url`/v1/bills. */
function postRows(url: string, rows: string[], options: { connections: number; overallRate?: number }) {
  let next = 0;
  return autocannon({
    url: `${url}/v1/bills`,
    method: "POST",
    connections: options.connections,
    overallRate: options.overallRate,
    amount: rows.length,
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: rows[next++ % rows.length] }) }],
  });
}

/** Runs the service benchmark. */
export async function benchService(options: ServiceBenchOptions): Promise<ServiceBenchResults> {
  const { log, full } = options;
  const node = await startHardhatNode();
  const network = Network.from(31337);
  const provider = new JsonRpcProvider(node.url, network, { staticNetwork: network });
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-bench-service-"));
    dirs.push(d);
    return d;
  };
  try {
    const admin = wallet(0, provider);
    const contract = await new BillRegistry__factory(admin).deploy(0, admin.address);
    await contract.waitForDeployment();
    const registry = await contract.getAddress();
    const adminClient = await MedBillClient.connect(registry, admin);
    await adminClient.grantRole("issuer", wallet(1).address);
    await adminClient.grantRole("issuer", wallet(2).address);
    const base = { MEDBILL_RPC_URL: node.url, MEDBILL_REGISTRY: registry, MEDBILL_API_TOKEN: TOKEN };

    // 1. Burst: as many bills as the service accepts.
    const burstCount = full ? 30_000 : 6_000;
    const steadySeconds = full ? 30 : 10;
    const rows = [
      ...makeBills({
        count: burstCount + 500 * steadySeconds,
        seed: `bench-service-${Date.now()}`,
        hospitals: ["hz-hospital"],
      }),
    ].map((b) => JSON.stringify(billToJson(b)));
    const intakeEnv = { ...base, MEDBILL_AS: "hz-hospital", MEDBILL_DATA_DIR: tmp() };
    let service = await startService(intakeEnv);
    log(`service: intake burst of ${burstCount.toLocaleString("en-US")} bills (autocannon, 50 connections)`);
    const burst = await postRows(service.url, rows.slice(0, burstCount), { connections: 50 });
    const accepted = burst["2xx"];
    const burstResult = {
      bills: burstCount,
      acceptedPerSecond: Math.round(accepted / (burst.duration || 1)),
      p50Ms: burst.latency.p50,
      p99Ms: burst.latency.p99,
      non2xx: burst.non2xx,
    };
    log(`service: waiting for the burst to be issued`);
    for (;;) {
      const h = await health(service.url);
      if (h.intake?.waiting === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const before = (await health(service.url)).intake ?? { gasUsed: "0", issued: 0 };
    const gasBefore = BigInt(before.gasUsed);
    const issuedBefore = before.issued;

    // 2. Steady 500 bills/s.
    const steadyRows = rows.slice(burstCount);
    log(`service: intake at a steady 500 bills/s for ${steadySeconds} s`);
    const steady = await postRows(service.url, steadyRows, { connections: 20, overallRate: 500 });
    for (;;) {
      const h = await health(service.url);
      if (h.intake?.waiting === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const after = (await health(service.url)).intake ?? { gasUsed: "0", issued: 0 };
    const gasPerBill = Number((BigInt(after.gasUsed) - gasBefore) / BigInt(Math.max(1, after.issued - issuedBefore)));
    const ids = steadyRows.map((row) => {
      const bill = JSON.parse(row) as { billCode: string; billNumber: string };
      return { bill };
    });
    // 202 → on chain for each steady bill, from the outbox's times (read through GET /v1/bills/{id}).
    const hz = wallet(1).address;
    const { billIdOf, billNumberOf } = await import("../../src");
    const delays: number[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      const chunk = ids.slice(i, i + 50);
      const views = await Promise.all(
        chunk.map(async ({ bill }) => {
          const id = billIdOf(hz, billNumberOf(bill));
          return (await (await fetch(`${service.url}/v1/bills/${id}`)).json()) as {
            intake?: { state: string; acceptedAt: number; updatedAt: number };
          };
        }),
      );
      for (const v of views) if (v.intake?.state === "issued") delays.push(v.intake.updatedAt - v.intake.acceptedAt);
    }
    delays.sort((a, b) => a - b);
    const steadyResult = {
      rate: 500,
      bills: delays.length,
      toChainP50Ms: percentile(delays, 50),
      toChainP99Ms: percentile(delays, 99),
      p99Ms: steady.latency.p99,
      gasPerBill,
    };
    await service.stop();

    // 3. Indexer catch-up from block 0.
    const extra = full ? 600_000 : 20_000;
    log(`service: issuing ${extra.toLocaleString("en-US")} more bills through the SDK for the catch-up measure`);
    const tz = await MedBillClient.connect(registry, wallet(2, provider));
    const seed = `bench-catchup-${Date.now()}`;
    const all = makeBills({ count: extra, seed, hospitals: ["tz-hospital"] });
    for (let chunk = [...take(all, 6_000)]; chunk.length > 0; chunk = [...take(all, 6_000)]) {
      await tz.issueMany(chunk, { inFlight: 8 });
    }
    const head = await provider.getBlockNumber();
    const events = burstCount + steadyRows.length + extra;
    log(`service: indexer catch-up over ${events.toLocaleString("en-US")} events (${head} blocks)`);
    const started = Date.now();
    service = await startService({ ...base, MEDBILL_DATA_DIR: tmp() });
    const ready = Date.now();
    while (((await health(service.url)).indexedBlock ?? -1) < head) await new Promise((r) => setTimeout(r, 200));
    const seconds = (Date.now() - ready) / 1000;
    log(`service: caught up in ${seconds.toFixed(1)} s after a start of ${((ready - started) / 1000).toFixed(1)} s`);
    await service.stop();
    const catchUp = { events, seconds, eventsPerSecond: Math.round(events / seconds) };

    // 4. patientRef query over synthetic indexed rows.
    const rowsN = full ? 1_000_000 : 100_000;
    const query: ServiceBenchResults["query"] = [];
    const stores: { name: string; env: NodeJS.ProcessEnv }[] = [{ name: "pglite", env: { MEDBILL_DATA_DIR: tmp() } }];
    if (options.postgresUrl) {
      const dbName = `medbill_bench_${process.pid}`;
      const pg = await import("pg");
      const c = new pg.Client({ connectionString: options.postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${dbName}`);
      await c.end();
      const u = new URL(options.postgresUrl);
      u.pathname = `/${dbName}`;
      stores.push({ name: "postgres", env: { DATABASE_URL: u.toString() } });
    } else log("service: MEDBILL_TEST_DATABASE_URL not set: the PostgreSQL query measure is skipped");
    for (const store of stores) {
      log(`service: ${rowsN.toLocaleString("en-US")} synthetic indexed bills into ${store.name}`);
      const refs = await fillBills(store.env, rowsN, registry, head);
      service = await startService({ ...base, ...store.env });
      const times: number[] = [];
      for (let i = 0; i < 1_000; i++) {
        const ref = refs[Math.floor(Math.random() * refs.length)];
        const t0 = process.hrtime.bigint();
        const r = await fetch(`${service.url}/v1/bills?patientRef=${ref}`);
        await r.json();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      await service.stop();
      times.sort((a, b) => a - b);
      query.push({ rows: rowsN, store: store.name, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) });
    }
    return { burst: burstResult, steady: steadyResult, catchUp, query };
  } finally {
    provider.destroy();
    await node.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

function* take<T>(it: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const r = it.next();
    if (r.done) return;
    yield r.value;
  }
}

/** Inserts `n` synthetic indexed bills (about 3 per patient) and the cursor; returns some patientRefs. */
async function fillBills(env: NodeJS.ProcessEnv, n: number, registry: string, head: number): Promise<string[]> {
  const { openStorage } = await import("../../service/storage/open");
  const { migrate } = await import("../../service/storage/migrate");
  const { indexerPart } = await import("../../service/indexer/part");
  const { sql } = await import("kysely");
  const storage = await openStorage({ databaseUrl: env.DATABASE_URL, dataDir: env.MEDBILL_DATA_DIR ?? "" });
  try {
    await migrate(storage.db, [indexerPart]);
    const hex = (): string => "0x" + randomBytes(32).toString("hex");
    const patients = Array.from({ length: Math.ceil(n / 3) }, hex);
    const issuer = wallet(3).address;
    const t0 = 1_780_000_000;
    for (let i = 0; i < n; i += 5_000) {
      const m = Math.min(5_000, n - i);
      const col = (f: (k: number) => string): string[] => Array.from({ length: m }, (_, j) => f(i + j));
      await sql`insert into bills (bill_id, issuer, patient_ref, bill_number, amount, content_hash, status, reimbursed,
          issued_block, issued_log, issued_tx, issued_time)
        select * from unnest(${col(hex)}::text[], ${col(() => issuer)}::text[],
          ${col((k) => patients[k % patients.length])}::text[], ${col(hex)}::text[], ${col(() => "12345")}::numeric[],
          ${col(hex)}::text[], ${col(() => "Issued")}::text[], ${col(() => "0")}::numeric[],
          ${col((k) => String(1_000_000 + Math.floor(k / 300)))}::bigint[], ${col((k) => String(k % 300))}::int[],
          ${col(hex)}::text[], ${col((k) => String(t0 + Math.floor(k / 300)))}::bigint[])`.execute(storage.db);
    }
    await sql`insert into indexer_cursor (id, chain_id, registry, block) values (1, '31337', ${registry}, ${head})
      on conflict (id) do nothing`.execute(storage.db);
    await sql`analyze bills`.execute(storage.db);
    return patients.slice(0, 5_000);
  } finally {
    await storage.close();
  }
}

/** The service section of the report, in Markdown, with the aims. */
export function renderServiceMarkdown(r: ServiceBenchResults, command: string): string {
  const aim = (ok: boolean): string => (ok ? "met" : "**missed**");
  const lines = [
    "## Service",
    "",
    `Measured with \`${command}\` (the service as a process on PGlite unless said otherwise, a \`hardhat node\`).`,
    "",
    "| measure | result | aim | |",
    "|---|---|---|---|",
    `| intake burst: accepted bills/s (${r.burst.bills.toLocaleString("en-US")} POSTs, 50 connections) | ${r.burst.acceptedPerSecond.toLocaleString("en-US")} | ≥ 1,000 | ${aim(r.burst.acceptedPerSecond >= 1000)} |`,
    `| intake burst: 202 p50 / p99 | ${r.burst.p50Ms} / ${r.burst.p99Ms} ms | p99 ≤ 50 ms | ${aim(r.burst.p99Ms <= 50)} |`,
    `| steady 500 bills/s: 202 p99 | ${r.steady.p99Ms} ms | ≤ 50 ms | ${aim(r.steady.p99Ms <= 50)} |`,
    `| steady 500 bills/s: 202 → on chain p50 / p99 (${r.steady.bills} bills) | ${r.steady.toChainP50Ms} / ${r.steady.toChainP99Ms} ms | p99 ≤ 3,000 ms | ${aim(r.steady.toChainP99Ms <= 3000)} |`,
    `| steady 500 bills/s: batcher gas per bill | ${r.steady.gasPerBill.toLocaleString("en-US")} | ≤ 52,000 | ${aim(r.steady.gasPerBill <= 52000)} |`,
    `| indexer catch-up from block 0 (${r.catchUp.events.toLocaleString("en-US")} events) | ${r.catchUp.eventsPerSecond.toLocaleString("en-US")} events/s (${r.catchUp.seconds.toFixed(1)} s) | ≥ 10,000 | ${aim(r.catchUp.eventsPerSecond >= 10000)} |`,
    ...r.query.map(
      (q) =>
        `| GET /v1/bills?patientRef= over ${q.rows.toLocaleString("en-US")} synthetic indexed bills (${q.store}), p50 / p99 | ${q.p50Ms.toFixed(1)} / ${q.p99Ms.toFixed(1)} ms | p99 ≤ 20 ms | ${aim(q.p99Ms <= 20)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}
