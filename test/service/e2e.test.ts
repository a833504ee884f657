/**
 * Done-when of the service (issue 12): a node, the registry and the service; 3,000 bills POSTed concurrently; the
 * service killed with -9 half-way and restarted; everything POSTed again. Every bill is then Issued exactly once on
 * chain and in GET /v1/bills/{id}. On PGlite, and on PostgreSQL when MEDBILL_TEST_DATABASE_URL is set.
 */
import { expect } from "chai";
import { id as topicOf } from "ethers";
import { billToJson } from "../../src";
import { makeBills } from "../../scripts/make-bills";
import { getJson, removeTempDirs, startChain, startService, testStores, waitFor, type TestChain } from "./helpers";

const COUNT = 3_000;
const CONCURRENCY = 32;
const TOKEN = "e2e-token-0123456789";
const BILL_ISSUED = topicOf("BillIssued(bytes32,address,bytes32,bytes32,uint256,bytes32)");

for (const store of testStores()) {
  describe(`service e2e: 3,000 bills through intake across a kill -9 (${store.name})`, function () {
    this.timeout(900_000);
    let chain: TestChain;

    before(async function () {
      chain = await startChain();
    });

    after(async function () {
      await chain?.stop();
      await store.cleanup();
      removeTempDirs();
    });

    it("issues every accepted bill exactly once", async function () {
      const rows = [...makeBills({ count: COUNT, seed: `e2e-${store.name}`, hospitals: ["hz-hospital"] })].map((b) =>
        JSON.stringify(billToJson(b)),
      );
      const env = {
        MEDBILL_RPC_URL: chain.node.url,
        MEDBILL_REGISTRY: chain.registry,
        MEDBILL_AS: "hz-hospital",
        MEDBILL_API_TOKEN: TOKEN,
        MEDBILL_POLL_MS: "100",
        ...(await store.fresh()),
      };
      const post = async (row: string): Promise<{ status: number; billId?: string }> => {
        const response = await fetch(`${service.url}/v1/bills`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
          body: row,
        });
        const body = (await response.json()) as { billId?: string };
        return { status: response.status, billId: body.billId };
      };
      /**
       * POSTs every row, CONCURRENCY at a time. While the service is to be killed (`dying`), a failed request ends
       * that worker; otherwise it is retried (a POST of the same bill is idempotent: 200 with its state).
       */
      const postAll = async (
        dying: boolean,
        onAnswer: (n: number) => void,
      ): Promise<Map<number, { status: number; billId?: string }>> => {
        const answers = new Map<number, { status: number; billId?: string }>();
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < rows.length) {
              const i = next++;
              for (let attempt = 1; ; attempt++) {
                try {
                  answers.set(i, await post(rows[i]));
                  break;
                } catch (e) {
                  if (dying) return; // the service was killed
                  if (attempt >= 5) throw e;
                  await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
                }
              }
              onAnswer(answers.size);
            }
          }),
        );
        return answers;
      };

      let service = await startService(env, { waitForNode: true });
      let killed: Promise<void> | undefined;
      const firstRound = await postAll(true, (n) => {
        if (n === COUNT / 2) killed = service.kill("SIGKILL");
      });
      await killed;
      const accepted = [...firstRound.values()].filter((a) => a.status === 202).length;
      expect(accepted).to.be.greaterThan(COUNT / 4);
      for (const a of firstRound.values()) expect(a.status).to.be.oneOf([200, 202]);

      service = await startService(env, { waitForNode: true });
      try {
        const secondRound = await postAll(false, () => undefined);
        expect(secondRound.size).to.equal(COUNT);
        for (const a of secondRound.values()) expect(a.status).to.be.oneOf([200, 202]);

        const logs = await waitFor(
          "3,000 bills on chain",
          async () => {
            const found = await chain.provider.getLogs({ topics: [BILL_ISSUED], fromBlock: 0, toBlock: "latest" });
            return found.length >= COUNT ? found : undefined;
          },
          300_000,
        );
        expect(logs).to.have.length(COUNT);
        const onChain = new Set(logs.map((log) => log.topics[1]));
        expect(onChain.size).to.equal(COUNT);

        // Every bill Issued, exactly the ones posted, in the service's read API (once the indexer has them).
        const answers = [...(await postAll(false, () => undefined)).values()].map((a) => a.billId as string);
        expect(answers).to.have.length(COUNT);
        expect(new Set(answers)).to.deep.equal(onChain);
        const head = await chain.provider.getBlockNumber();
        await waitFor("the indexer at the head", async () => {
          const { body } = await getJson<{ indexedBlock: number }>(`${service.url}/health`);
          return body.indexedBlock >= head ? true : undefined;
        });
        for (let i = 0; i < answers.length; i += 100) {
          const views = await Promise.all(
            answers
              .slice(i, i + 100)
              .map(
                async (id) =>
                  (await getJson<{ status: string; intake?: { state: string } }>(`${service.url}/v1/bills/${id}`)).body,
              ),
          );
          for (const v of views) {
            expect(v.status).to.equal("Issued");
            expect(v.intake?.state).to.equal("issued");
          }
        }
      } finally {
        await service.kill("SIGTERM");
      }
    });
  });
}
