/**
 * Settlement (POST /v1/reimbursements) as a real service process acting as the social-security fund, on PGlite
 * and on PostgreSQL when MEDBILL_TEST_DATABASE_URL is set, one node for the file: 401, 400 naming every bad field,
 * 202 then 200 for the same claim, 409 for another claim under a used claimRef, refusals known in advance named by
 * their contract error (422 BillNotFound, BillNotReimbursable, ReimbursementExceedsBalance, ZeroAmount; 409
 * AlreadyReimbursedBy), claims refused on chain after acceptance failing by name while the rest of their batch is
 * paid, /health and /openapi.json, and a kill -9 while claims are being sent: restarted and everything POSTed
 * again, every claim is paid exactly once on chain and its state is `paid`.
 */
import { expect } from "chai";
import { encodeBytes32String, id as topicOf, zeroPadValue } from "ethers";
import { toBytes32, type MedBillClient, type MedicalBill } from "../../src";
import { makeBills } from "../../scripts/make-bills";
import {
  devWallet,
  getJson,
  removeTempDirs,
  startChain,
  startProxy,
  startService,
  testStores,
  waitFor,
  type Proxy,
  type ServiceProcess,
  type TestChain,
} from "./helpers";

const TOKEN = "settle-token-0123456789";
const BILL_REIMBURSED = topicOf("BillReimbursed(bytes32,address,bytes32,uint256,uint256)");
/** Claims of the crash test. */
const CRASH_CLAIMS = 200;
/** Bills of the single cases, issued before the crash test's. */
const CASE_BILLS = 16;

type ClaimAnswer = {
  billId: string;
  amount: string;
  claimRef: string;
  claimRefText?: string;
  state: string;
  txHash?: string;
  error?: string;
  contractError?: string;
  details?: Record<string, string>;
  issues?: { field: string; message: string }[];
};

describe("service: settlement (POST /v1/reimbursements)", function () {
  this.timeout(600_000);
  let chain: TestChain;
  let hospital: MedBillClient;
  const payer = devWallet(4).address; // social-security

  before(async function () {
    chain = await startChain();
    hospital = await chain.client(1);
  });

  after(async function () {
    await chain?.stop();
    removeTempDirs();
  });

  for (const store of testStores()) {
    describe(`on ${store.name}`, function () {
      let proxy: Proxy;
      let service: ServiceProcess;
      let env: NodeJS.ProcessEnv;
      let bills: MedicalBill[];
      let ids: string[];

      const post = (body: unknown, token: string | null = TOKEN, raw?: string) =>
        getJson<ClaimAnswer>(`${service.url}/v1/reimbursements`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
          },
          body: raw ?? JSON.stringify(body),
        });
      const claim = (i: number, claimRef: string, amount: bigint = bills[i].total) => ({
        billId: ids[i],
        amount: amount.toString(),
        claimRef,
      });
      const ref = (name: string): string => `${store.name}-${name}`;
      const waitState = (body: ReturnType<typeof claim>, states: string[]) =>
        waitFor(`claim ${body.claimRef} ${states.join("|")}`, async () => {
          const a = await post(body);
          return states.includes(a.body.state) ? a.body : undefined;
        });

      before(async function () {
        bills = [
          ...makeBills({ count: CASE_BILLS + CRASH_CLAIMS, seed: `settle-${store.name}`, hospitals: ["hz-hospital"] }),
        ];
        ids = [...(await hospital.issueMany(bills)).billIds];
        proxy = await startProxy(chain.node.url);
        env = {
          MEDBILL_RPC_URL: proxy.url,
          MEDBILL_REGISTRY: chain.registry,
          MEDBILL_AS: "social-security",
          MEDBILL_API_TOKEN: TOKEN,
          MEDBILL_BATCH_WAIT_MS: "100",
          MEDBILL_BATCH_SIZE: "20",
          MEDBILL_POLL_MS: "50",
          ...(await store.fresh()),
        };
        service = await startService(env, { waitForNode: true });
      });

      after(async function () {
        await service?.kill();
        await proxy?.close();
        await store.cleanup();
      });

      it("refuses writes without the right bearer token (401)", async function () {
        expect((await post(claim(0, ref("A")), null)).status).to.equal(401);
        expect((await post(claim(0, ref("A")), "wrong-token")).status).to.equal(401);
      });

      it("answers 400 naming every bad field", async function () {
        const bad = await post({ billId: "0x12", amount: 5, claimRef: "", extra: 1 });
        expect(bad.status).to.equal(400);
        expect(bad.body.issues!.map((i) => i.field)).to.have.members(["billId", "amount", "claimRef", "extra"]);
        const missing = await post({});
        expect(missing.status).to.equal(400);
        expect(missing.body.issues!.map((i) => i.field)).to.have.members(["billId", "amount", "claimRef"]);
        const decimals = await post({ ...claim(0, ref("A")), amount: "12.50" });
        expect(decimals.body.issues!.map((i) => i.field)).to.deep.equal(["amount"]);
        expect((await post(undefined, TOKEN, "[1,2]")).status).to.equal(400);
        expect((await post(undefined, TOKEN, "{not json")).status).to.equal(400);
      });

      it("queues (202), answers the same claim again with its state (200), refuses another claim under its claimRef (409)", async function () {
        const body = claim(0, ref("A"), bills[0].total / 2n);
        const first = await post(body);
        expect(first.status).to.equal(202);
        expect(first.body).to.include({ billId: ids[0], state: "queued", claimRef: toBytes32(ref("A")) });
        expect(first.body.claimRefText).to.equal(ref("A"));
        // The same claim, its reference given as the 32 bytes sent on chain.
        const again = await post({ ...body, claimRef: encodeBytes32String(ref("A")) });
        expect(again.status).to.equal(200);
        expect(again.body.state).to.be.oneOf(["queued", "sent", "paid"]);
        const other = await post({ ...body, amount: "1" });
        expect(other.status).to.equal(409);
        expect(other.body.error).to.match(/claimRef .* already used/);
        expect((await post({ ...claim(1, ref("A")) })).status).to.equal(409);

        const paid = await waitState(body, ["paid"]);
        expect(paid.txHash).to.match(/^0x[0-9a-f]{64}$/);
        expect(await (await chain.client(0)).reimbursedBy(ids[0], payer)).to.equal(bills[0].total / 2n);
        const view = await getJson<{ settlement?: ClaimAnswer }>(`${service.url}/v1/bills/${ids[0]}`);
        expect(view.body.settlement).to.include({ state: "paid", txHash: paid.txHash });
        expect((await post({ ...body, amount: "2" })).status).to.equal(409);
      });

      it("refuses in advance what the registry would refuse, naming the contract error", async function () {
        const refused = async (body: unknown, status: number, contractError: string) => {
          const answer = await post(body);
          expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
          expect(answer.body.contractError).to.equal(contractError);
          expect(answer.body.error).to.contain(contractError);
          return answer.body;
        };
        await refused({ ...claim(2, ref("Z")), billId: "0x" + "ab".repeat(32) }, 422, "BillNotFound");
        await refused({ ...claim(2, ref("Z")), amount: "0" }, 422, "ZeroAmount");
        const over = await refused(claim(2, ref("Z"), bills[2].total + 1n), 422, "ReimbursementExceedsBalance");
        expect(over.details).to.include({ remaining: bills[2].total.toString() });
        await hospital.voidBill(ids[3], toBytes32("WRONG-PATIENT"));
        await refused(claim(3, ref("V")), 422, "BillNotReimbursable");
        await (await chain.client(5)).reimburse(ids[4], bills[4].total, toBytes32("INS-4"));
        await refused(claim(4, ref("S")), 422, "BillNotReimbursable");
        // This payer reimbursed bill 5 itself (e.g. with bill:settle): the same claim is paid, another one refused.
        const direct = await (await chain.client(4)).reimburse(ids[5], 100n, toBytes32(ref("D")));
        const same = await post(claim(5, ref("D"), 100n));
        expect(same.status).to.equal(200);
        expect(same.body).to.include({ state: "paid", txHash: direct.txHash });
        await refused(claim(5, ref("E"), 100n), 409, "AlreadyReimbursedBy");
        // Bill 0 is claimed through the service already (previous case).
        await refused(claim(0, ref("B"), 1n), 409, "AlreadyReimbursedBy");
        // Nothing refused was kept: the claim is accepted once it fits.
        expect((await post(claim(2, ref("Z")))).status).to.equal(202);
        await waitState(claim(2, ref("Z")), ["paid"]);
      });

      it("fails a claim the registry refuses after acceptance by its error's name, and pays the rest of its batch", async function () {
        await proxy.cut();
        await waitFor("health to say the node is down", async () => {
          const { body } = await getJson<{ node: string }>(`${service.url}/health`);
          return body.node === "down" ? true : undefined;
        });
        // Accepted while the node is away (nothing can be judged), then paid by others before the service sends.
        const bodies = [6, 7, 8, 9].map((i) => claim(i, ref(`L${i}`)));
        for (const body of bodies) expect((await post(body)).status).to.equal(202);
        const insurer = await chain.client(5);
        await insurer.reimburse(ids[8], bills[8].total, toBytes32("INS-8"));
        await insurer.reimburse(ids[9], 1n, toBytes32("INS-9"));
        await proxy.restore();
        const [a, b, c, d] = await Promise.all(bodies.map((body) => waitState(body, ["paid", "failed"])));
        expect([a.state, b.state]).to.deep.equal(["paid", "paid"]);
        expect(c).to.include({ state: "failed", error: "BillNotReimbursable" });
        expect(d).to.include({ state: "failed", error: "ReimbursementExceedsBalance" });
        // A failed claim frees its bill: a new claim (new reference) that fits is accepted.
        expect((await post(claim(9, ref("L9b"), bills[9].total - 1n))).status).to.equal(202);
        await waitState(claim(9, ref("L9b"), bills[9].total - 1n), ["paid"]);
      });

      it("reports itself in /health and its schemas in /openapi.json", async function () {
        const { body } = await getJson<{ parts: string[]; settlement: Record<string, unknown> }>(
          `${service.url}/health`,
        );
        expect(body.parts).to.include("settlement");
        expect(body.settlement).to.include({ as: "social-security", waiting: 0, failed: 2 });
        expect(body.settlement.paid).to.be.at.least(5);
        expect(body.settlement.transactions).to.be.greaterThan(0);
        expect(body.settlement.gasPerItem).to.be.a("number");
        const openApi = await getJson<{
          paths: Record<string, Record<string, { responses: object; requestBody?: unknown }>>;
        }>(`${service.url}/openapi.json`);
        const route = openApi.body.paths["/v1/reimbursements"].post;
        expect(Object.keys(route.responses)).to.include.members(["200", "202", "400", "401", "409", "422"]);
        expect(JSON.stringify(route.requestBody)).to.contain("claimRef");
      });

      it("pays every claim exactly once across a kill -9 while sending", async function () {
        const start = await chain.provider.getBlockNumber();
        const crash = Array.from({ length: CRASH_CLAIMS }, (_, k) => CASE_BILLS + k);
        const crashIds = new Set(crash.map((i) => ids[i]));
        const bodies = crash.map((i) => JSON.stringify(claim(i, ref(`C${i}`), bills[i].total - BigInt(i))));
        const paidLogs = async () =>
          (
            await chain.provider.getLogs({
              topics: [BILL_REIMBURSED, null, zeroPadValue(payer, 32)],
              fromBlock: start + 1,
              toBlock: "latest",
            })
          ).filter((log) => crashIds.has(log.topics[1]));
        const postAll = async (dying: boolean): Promise<ClaimAnswer[]> => {
          const answers: ClaimAnswer[] = [];
          let next = 0;
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              while (next < bodies.length) {
                const k = next++;
                for (let attempt = 1; ; attempt++) {
                  let answer;
                  try {
                    answer = await post(undefined, TOKEN, bodies[k]);
                  } catch (e) {
                    if (dying) return; // the service was killed
                    if (attempt >= 5) throw e;
                    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
                    continue;
                  }
                  expect(answer.status, JSON.stringify(answer.body)).to.be.oneOf([200, 202]);
                  answers[k] = answer.body;
                  break;
                }
              }
            }),
          );
          return answers;
        };

        // Killed as soon as the first of these claims is paid on chain, while claims are still arriving.
        let paidAtKill = -1;
        const killer = (async () => {
          for (const deadline = Date.now() + 120_000; (await paidLogs()).length === 0;) {
            if (Date.now() > deadline) throw new Error("no crash claim was paid");
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await service.kill("SIGKILL");
          paidAtKill = (await paidLogs()).length;
        })();
        killer.catch(() => undefined); // awaited (and thrown) below
        const firstRound = await postAll(true);
        await killer;
        const accepted = firstRound.filter((a) => a !== undefined).length;
        expect(paidAtKill).to.be.greaterThan(0);
        expect(paidAtKill).to.be.lessThan(CRASH_CLAIMS);
        // A batch mined just before the kill that the service had no time to record: some accepted, unpaid claims
        // paid now by this payer, the way the service would have sent them. It must find them paid, not pay again.
        const onChain = new Set((await paidLogs()).map((log) => log.topics[1]));
        const unrecorded = firstRound
          .filter((a) => a !== undefined && !onChain.has(a.billId))
          .slice(0, 5)
          .map((a) => ({ billId: a.billId, amount: a.amount, claimRef: a.claimRef }));
        expect(unrecorded).to.have.length.greaterThan(0);
        const direct = await (await chain.client(4)).reimburseBatch(unrecorded);

        service = await startService(env, { waitForNode: true });
        const secondRound = await postAll(false);
        expect(secondRound.filter((a) => a !== undefined)).to.have.length(CRASH_CLAIMS);
        // Every claim settled (none waiting), then judged on chain and in the outbox.
        const settled = await waitFor(
          "no claim waiting",
          async () => {
            const { body } = await getJson<{ settlement: Record<string, number> }>(`${service.url}/health`);
            return body.settlement.waiting === 0 ? body.settlement : undefined;
          },
          120_000,
        );
        // The 5 paid and 2 failed claims of the earlier cases, and every claim of this one paid.
        expect(settled).to.include({ paid: 5 + CRASH_CLAIMS, failed: 2 });
        const logs = await paidLogs();
        // Exactly once per bill for this payer, with the claim's reference.
        expect(logs).to.have.length(CRASH_CLAIMS);
        expect(new Set(logs.map((log) => log.topics[1])).size).to.equal(CRASH_CLAIMS);
        for (const log of logs) {
          const i = ids.indexOf(log.topics[1]);
          expect(log.topics[3]).to.equal(toBytes32(ref(`C${i}`)));
        }
        for (const c of unrecorded) expect((await post(c)).body).to.include({ state: "paid", txHash: direct.txHash });
        console.log(
          `      (${store.name}: ${accepted} accepted before the kill, ${paidAtKill} of them paid at the kill)`,
        );
      });
    });
  }
});
