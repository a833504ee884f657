/**
 * Done-when of the service (issue 12): a node, the registry and the service; 3,000 bills POSTed concurrently; the
 * service killed with -9 half-way (requests and issueBatch sends in flight) and restarted; everything POSTed again.
 * Every bill is then Issued exactly once on chain (one BillIssued per billId, read with one getLogs) and in
 * the read API (every bill Issued in GET /v1/bills?issuer=; GET /v1/bills/{id} status Issued and intake state issued
 * for each row whose request died and one in ten). On PGlite, and on PostgreSQL when
 * MEDBILL_TEST_DATABASE_URL is set: one node for the file, each store issuing as another hospital.
 */
import { expect } from "chai";
import { id as topicOf, zeroPadValue } from "ethers";
import { billToJson } from "../../src";
import { makeBills } from "../../scripts/make-bills";
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

const COUNT = 3_000;
const CONCURRENCY = 32;
const TOKEN = "e2e-token-0123456789";
const BILL_ISSUED = topicOf("BillIssued(bytes32,address,bytes32,bytes32,uint256,bytes32)");
/** Each store issues as its own hospital on the one chain (consortium/local.json, account index). */
const HOSPITALS = [
  { id: "hz-hospital", account: 1 },
  { id: "tz-hospital", account: 2 },
] as const;

type Answer = { status: number; billId?: string };
type BillView = { status: string; intake?: { state: string } };

/** Wall-clock seconds since `t0`, one decimal. */
const since = (t0: number): string => ((Date.now() - t0) / 1000).toFixed(1);

/**
 * POSTs every row, CONCURRENCY at a time, each answer stored at the row's index. With `dying`, a request that fails
 * (the service was killed under it) is recorded in `died` and ends its worker; otherwise a failed request is retried
 * (a POST of the same bill is idempotent: 200 with its state).
 */
async function postAll(
  url: string,
  rows: readonly string[],
  options: { dying?: { died: Set<number>; onAnswer: (answered: number, inFlight: number) => void } } = {},
): Promise<(Answer | undefined)[]> {
  const answers: (Answer | undefined)[] = new Array(rows.length);
  let answered = 0;
  let inFlight = 0;
  let next = 0;
  const post = async (row: string): Promise<Answer> => {
    const response = await fetch(`${url}/v1/bills`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: row,
    });
    const body = (await response.json()) as { billId?: string };
    return { status: response.status, billId: body.billId };
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < rows.length) {
        const i = next++;
        for (let attempt = 1; ; attempt++) {
          inFlight++;
          try {
            answers[i] = await post(rows[i]);
            break;
          } catch (e) {
            if (options.dying !== undefined) {
              options.dying.died.add(i);
              return;
            }
            if (attempt >= 5) throw e;
            await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          } finally {
            inFlight--;
          }
        }
        options.dying?.onAnswer(++answered, inFlight);
      }
    }),
  );
  return answers;
}

describe("service e2e: 3,000 bills through intake across a kill -9", function () {
  this.timeout(600_000);
  let chain: TestChain;

  before(async function () {
    chain = await startChain();
  });

  after(async function () {
    await chain?.stop();
    removeTempDirs();
  });

  testStores().forEach((store, n) => {
    const hospital = HOSPITALS[n];

    after(async function () {
      await store.cleanup();
    });

    it(`issues every accepted bill exactly once (${store.name})`, async function () {
      const t0 = Date.now();
      const timings: string[] = [];
      const rows = [...makeBills({ count: COUNT, seed: `e2e-${store.name}`, hospitals: [hospital.id] })].map((b) =>
        JSON.stringify(billToJson(b)),
      );
      const env = {
        MEDBILL_RPC_URL: chain.node.url,
        MEDBILL_REGISTRY: chain.registry,
        MEDBILL_AS: hospital.id,
        MEDBILL_API_TOKEN: TOKEN,
        MEDBILL_POLL_MS: "100",
        MEDBILL_BATCH_WAIT_MS: "100",
        ...(await store.fresh()),
      };
      const issuerTopic = zeroPadValue(devWallet(hospital.account).address, 32);
      const issuedLogs = () =>
        chain.provider.getLogs({
          address: chain.registry,
          topics: [BILL_ISSUED, null, issuerTopic],
          fromBlock: 0,
          toBlock: "latest",
        });

      let service: ServiceProcess = await startService(env, { waitForNode: true });
      timings.push(`start ${since(t0)}s`);

      // Round one: killed with -9 once half the bills are answered, requests still in flight.
      let t = Date.now();
      const died = new Set<number>();
      let killed: Promise<void> | undefined;
      let inFlightAtKill = 0;
      const first = await postAll(service.url, rows, {
        dying: {
          died,
          onAnswer: (answered, inFlight) => {
            if (answered !== COUNT / 2) return;
            inFlightAtKill = inFlight;
            killed = service.kill("SIGKILL");
          },
        },
      });
      await killed;
      const answered = first.filter((a) => a !== undefined);
      const accepted = answered.filter((a) => a.status === 202).length;
      const onChainAtKill = (await issuedLogs()).length;
      timings.push(`round 1 ${since(t)}s (${accepted} accepted, ${died.size} died, ${onChainAtKill} on chain)`);
      expect(killed, "the kill happened").not.to.equal(undefined);
      for (const a of answered) expect(a.status, service.stderr()).to.be.oneOf([200, 202]);
      expect(answered.length).to.be.within(COUNT / 2, COUNT / 2 + CONCURRENCY);
      // Half-way for real: requests died with the service, the batcher had sent bills but not all it had accepted.
      expect(inFlightAtKill, "requests in flight at the kill").to.be.greaterThan(0);
      expect(died.size, "requests that died with the service").to.be.greaterThan(0);
      expect(onChainAtKill, "bills sent before the kill").to.be.greaterThan(0);
      expect(onChainAtKill, "bills accepted but not yet on chain at the kill").to.be.lessThan(accepted + died.size);

      // Round two: everything again, to a restarted service (the died requests among them).
      t = Date.now();
      service = await startService(env, { waitForNode: true });
      timings.push(`restart ${since(t)}s`);
      try {
        t = Date.now();
        const second = await postAll(service.url, rows);
        timings.push(`round 2 ${since(t)}s`);
        for (const a of second) expect(a?.status, service.stderr()).to.be.oneOf([200, 202]);
        for (const i of died) expect(second[i]?.billId, `row ${i}, whose request died`).to.match(/^0x[0-9a-f]{64}$/);
        for (const [i, a] of first.entries()) if (a !== undefined) expect(second[i]?.billId).to.equal(a.billId);
        const ids = second.map((a) => a!.billId as string);
        expect(new Set(ids).size).to.equal(COUNT);

        // The outbox drained, then the indexer at the head: one getLogs says every bill is on chain exactly once.
        t = Date.now();
        await waitFor(
          "the outbox to drain",
          async () => {
            const { body } = await getJson<{ intake: { waiting: number } }>(`${service.url}/health`);
            return body.intake.waiting === 0 ? true : undefined;
          },
          180_000,
        );
        const head = await chain.provider.getBlockNumber();
        timings.push(`drain ${since(t)}s`);
        t = Date.now();
        await waitFor("the indexer at the head", async () => {
          const { body } = await getJson<{ indexedBlock: number | null }>(`${service.url}/health`);
          return (body.indexedBlock ?? -1) >= head ? true : undefined;
        });
        timings.push(`index ${since(t)}s`);
        const logs = await issuedLogs();
        expect(logs).to.have.length(COUNT);
        expect(new Set(logs.map((log) => log.topics[1]))).to.deep.equal(new Set(ids));

        // Every bill Issued in the read API: the hospital's whole list in three pages (limit 1,000), then
        // GET /v1/bills/{id} (status Issued, intake state issued) for every row whose request died and one row in
        // ten, a few requests at a time.
        t = Date.now();
        const listed = new Map<string, string>();
        let cursor: string | null = null;
        do {
          const query: string = `issuer=${devWallet(hospital.account).address}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
          const page = await getJson<{ bills: { billId: string; status: string }[]; nextCursor: string | null }>(
            `${service.url}/v1/bills?${query}`,
          );
          for (const b of page.body.bills) listed.set(b.billId, b.status);
          cursor = page.body.nextCursor;
        } while (cursor !== null);
        expect(new Set(listed.keys())).to.deep.equal(new Set(ids));
        expect([...listed.values()].filter((status) => status !== "Issued")).to.deep.equal([]);
        const sample = [...new Set([...died, ...ids.keys()].filter((i) => died.has(i) || i % 10 === 0))];
        const wrong: string[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < sample.length) {
              const id = ids[sample[next++]];
              const { status, body } = await getJson<BillView>(`${service.url}/v1/bills/${id}`);
              if (status !== 200 || body.status !== "Issued" || body.intake?.state !== "issued") {
                wrong.push(`${id}: ${status} ${body.status} ${body.intake?.state}`);
              }
            }
          }),
        );
        timings.push(`reads ${since(t)}s (${sample.length} GETs by id)`);
        expect(wrong, "bills not Issued/issued in the API").to.deep.equal([]);
      } finally {
        await service.kill("SIGTERM");
        console.log(`      ${store.name}: ${timings.join(", ")}; total ${since(t0)}s`);
      }
    });
  });
});
