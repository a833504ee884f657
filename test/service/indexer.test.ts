/**
 * The service's indexer and read API, as a real process on PGlite and PostgreSQL: the three events into tables and
 * out through GET /v1/bills, /v1/reimbursements (JSON and CSV) and /v1/stats; /health and /openapi.json; a kill -9
 * part-way through catching up, then a restart, ends with tables identical to a fresh full re-index.
 */
import { expect } from "chai";
import { openStorage } from "../../service/storage/open";
import type { Db } from "../../service/part";
import { makeBills } from "../../scripts/make-bills";
import { LEDGER_CSV_COLUMNS, toBytes32, type MedicalBill } from "../../src";
import {
  devWallet,
  getJson,
  removeTempDirs,
  startChain,
  startService,
  testStores,
  waitFor,
  type ServiceProcess,
  type TestChain,
} from "./helpers";

type Health = { chainId: string | null; registry: string | null; indexedBlock: number | null; headBlock: number };
type Bill = { billId: string; status: string; amount: string; reimbursed: string; history: { event: string }[] };

/** Every row of the indexer's tables, in a stable order, as text. */
async function dumpTables(env: NodeJS.ProcessEnv): Promise<Record<string, string[]>> {
  const storage = await openStorage({ databaseUrl: env.DATABASE_URL, dataDir: env.MEDBILL_DATA_DIR ?? "" });
  try {
    const db = storage.db as unknown as Db;
    const dump: Record<string, string[]> = {};
    for (const table of ["bills", "reimbursements", "voids", "indexer_cursor"]) {
      const { sql } = await import("kysely");
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
      dump[table] = rows.rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
    }
    return dump;
  } finally {
    await storage.close();
  }
}

async function caughtUp(service: ServiceProcess, chain: TestChain): Promise<Health> {
  const head = await chain.provider.getBlockNumber();
  return waitFor("the indexer to reach the head", async () => {
    const { body } = await getJson<Health>(`${service.url}/health`);
    return body.indexedBlock === head ? body : undefined;
  });
}

for (const store of testStores()) {
  describe(`service: indexer and read API (${store.name})`, function () {
    this.timeout(600_000);
    let chain: TestChain;
    const services: ServiceProcess[] = [];
    let bills: MedicalBill[];
    let billIds: string[];
    let env: NodeJS.ProcessEnv;
    /** The store of a service that indexed the whole chain from scratch (the first test's), once there is one. */
    let fullyIndexed: NodeJS.ProcessEnv | undefined;

    /** A fresh store, fully indexed by a service started on it, then stopped. */
    async function indexFromScratch(): Promise<NodeJS.ProcessEnv> {
      const storeEnv = { ...env, ...(await store.fresh()) };
      const service = await startService(storeEnv);
      services.push(service);
      await caughtUp(service, chain);
      await service.kill("SIGTERM");
      return storeEnv;
    }

    before(async function () {
      chain = await startChain();
      env = { MEDBILL_RPC_URL: chain.node.url, MEDBILL_REGISTRY: chain.registry, MEDBILL_POLL_MS: "50" };
      bills = [...makeBills({ count: 1_200, seed: `indexer-${store.name}`, hospitals: ["hz-hospital"] })];
      const hospital = await chain.client(1);
      // 12 transactions of 100 bills, so a catch-up one block a range has ranges to be killed between.
      const result = await hospital.issueMany(bills, { batchSize: 100, inFlight: 1 });
      billIds = [...result.billIds];
      const payer = await chain.client(4);
      await payer.reimburse(billIds[0], bills[0].total / 2n, toBytes32("SS-0001"));
      await payer.reimburse(billIds[1], bills[1].total, toBytes32("SS-0002"));
      await (await chain.client(5)).reimburse(billIds[0], bills[0].total - bills[0].total / 2n, toBytes32("INS-1"));
      await hospital.voidBill(billIds[2], toBytes32("WRONG-PATIENT"));
    });

    after(async function () {
      for (const s of services) await s.kill();
      await chain?.stop();
      await store.cleanup();
      removeTempDirs();
    });

    it("indexes the three events and serves them", async function () {
      const storeEnv = { ...env, ...(await store.fresh()) };
      const service = await startService(storeEnv);
      services.push(service);
      const health = await caughtUp(service, chain);
      expect(health.chainId).to.equal("31337");
      expect(health.registry).to.equal(chain.registry);

      const first = await getJson<Bill>(`${service.url}/v1/bills/${billIds[0]}`);
      expect(first.status).to.equal(200);
      expect(first.body.status).to.equal("Reimbursed");
      expect(first.body.reimbursed).to.equal(bills[0].total.toString());
      expect(first.body.history.map((h) => h.event)).to.deep.equal(["BillIssued", "BillReimbursed", "BillReimbursed"]);
      expect((await getJson<Bill>(`${service.url}/v1/bills/${billIds[2]}`)).body.status).to.equal("Voided");
      expect((await getJson<Bill>(`${service.url}/v1/bills/${billIds[3]}`)).body.status).to.equal("Issued");
      expect((await getJson(`${service.url}/v1/bills/0x${"ab".repeat(32)}`)).status).to.equal(404);
      const bad = await getJson<{ issues: { field: string }[] }>(`${service.url}/v1/bills/0x1234`);
      expect(bad.status).to.equal(400);
      expect(bad.body.issues[0].field).to.equal("billId");

      // A hospital's bills, a page at a time: every bill exactly once, in chain order.
      const issuer = devWallet(1).address;
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { bills: { billId: string }[]; nextCursor: string | null } } =
          await getJson(`${service.url}/v1/bills?issuer=${issuer}&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
        expect(page.status).to.equal(200);
        seen.push(...page.body.bills.map((b) => b.billId));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(seen).to.deep.equal(billIds);
      const both = await getJson(`${service.url}/v1/bills?issuer=${issuer}&patientRef=0x${"11".repeat(32)}`);
      expect(both.status).to.equal(400);

      const ref = (await getJson<{ patientRef: string }>(`${service.url}/v1/bills/${billIds[5]}`)).body.patientRef;
      const mine = await getJson<{ bills: { billId: string }[] }>(`${service.url}/v1/bills?patientRef=${ref}`);
      expect(mine.body.bills.map((b) => b.billId)).to.include(billIds[5]);
      const future = await getJson<{ bills: unknown[] }>(
        `${service.url}/v1/bills?patientRef=${ref}&fromTime=2100-01-01`,
      );
      expect(future.body.bills).to.have.length(0);

      const ledger = await getJson<{ reimbursements: { billId: string; amount: string }[] }>(
        `${service.url}/v1/reimbursements?claimer=${devWallet(4).address}`,
      );
      expect(ledger.body.reimbursements.map((r) => r.billId)).to.deep.equal([billIds[0], billIds[1]]);
      const csv = await getJson<string>(`${service.url}/v1/reimbursements?claimer=${devWallet(4).address}`, {
        headers: { accept: "text/csv" },
      });
      expect(csv.headers.get("content-type")).to.match(/^text\/csv/);
      const lines = csv.body.trim().split("\n");
      expect(lines[0]).to.equal(LEDGER_CSV_COLUMNS.join(","));
      expect(lines).to.have.length(3);
      expect(lines[2]).to.contain(billIds[1]).and.contain(bills[1].total.toString());

      const stats = await getJson<{ issuers: { bills: number; voidedBills: number; reimbursed: string }[] }>(
        `${service.url}/v1/stats`,
      );
      expect(stats.body.issuers).to.have.length(1);
      expect(stats.body.issuers[0].bills).to.equal(bills.length);
      expect(stats.body.issuers[0].voidedBills).to.equal(1);
      expect(stats.body.issuers[0].reimbursed).to.equal((bills[0].total + bills[1].total).toString());

      const openApi = await getJson<{ openapi: string; paths: Record<string, unknown> }>(`${service.url}/openapi.json`);
      expect(openApi.body.openapi).to.equal("3.1.0");
      expect(openApi.body.paths).to.include.keys("/health", "/v1/bills", "/v1/bills/{billId}", "/v1/stats");
      await service.kill("SIGTERM");
      fullyIndexed = storeEnv; // a fresh full index of this chain (no transaction follows the before hook)
    });

    it("resumes after kill -9 with tables identical to a fresh full re-index", async function () {
      const slow = { ...env, MEDBILL_INDEX_BLOCK_RANGE: "1", ...(await store.fresh()) };
      const first = await startService(slow);
      services.push(first);
      await waitFor("a few ranges indexed", async () => {
        const { body } = await getJson<Health>(`${first.url}/health`);
        return body.indexedBlock !== null && body.indexedBlock > 5 ? true : undefined;
      });
      await first.kill("SIGKILL");
      const again = await startService(slow);
      services.push(again);
      await caughtUp(again, chain);
      await again.kill("SIGTERM");

      // The reference: the first test's fresh full index of the same chain, or one made now if it did not run.
      const freshEnv = fullyIndexed ?? (await indexFromScratch());
      const [resumed, reference] = await Promise.all([dumpTables(slow), dumpTables(freshEnv)]);
      expect(resumed.bills).to.have.length(bills.length);
      expect(resumed.reimbursements).to.have.length(3);
      expect(resumed).to.deep.equal(reference);
    });
  });
}
