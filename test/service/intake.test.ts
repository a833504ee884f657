/**
 * Intake, one case at a time, on PGlite and on PostgreSQL (when MEDBILL_TEST_DATABASE_URL is set; one node for the
 * file, each store's service issuing as another hospital behind a proxy of its own): 401, 400 naming every bad field,
 * 413, 202 then 200 for the same bill, 409 for another document under its number, a per-bill refusal named after the
 * contract error, the node going away (intake keeps accepting, /health says so) and coming back; and PostgreSQL
 * unreachable at start (one line naming DATABASE_URL, exit 1).
 */
import { expect } from "chai";
import { billToJson, type MedicalBill } from "../../src";
import { makeBills } from "../../scripts/make-bills";
import {
  getJson,
  removeTempDirs,
  spawnService,
  startChain,
  startProxy,
  startService,
  testStores,
  waitFor,
  type Proxy,
  type ServiceProcess,
  type TestChain,
  type TestStore,
} from "./helpers";

const TOKEN = "test-token-0123456789";
type Answer = { billId: string; state: string; error?: string; issues?: { field: string }[] };
type BillView = { status: string; intake?: { state: string; error?: string; txHash?: string } };

/** Each store's service issues as its own hospital on the one chain (consortium/local.json, account index). */
const HOSPITALS = [
  { id: "hz-hospital", account: 1 },
  { id: "tz-hospital", account: 2 },
] as const;

describe("service: intake (POST /v1/bills)", function () {
  this.timeout(600_000);
  let chain: TestChain;

  before(async function () {
    chain = await startChain();
  });

  after(async function () {
    await chain?.stop();
    removeTempDirs();
  });

  testStores().forEach((store, n) => describe(store.name, () => intakeCases(() => chain, store, HOSPITALS[n])));

  it("exits 1 with one line naming DATABASE_URL when PostgreSQL cannot be reached", async function () {
    const run = spawnService({
      DATABASE_URL: "postgres://medbill:secret@127.0.0.1:1/medbill",
      MEDBILL_LOG: "info",
    });
    expect(await run.exited).to.equal(1);
    const lines = run.stderr().trim().split("\n");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^Error: .*DATABASE_URL/);
    expect(lines[0]).not.to.contain("secret");
  });
});

/** The intake cases against one store's service, issuing as `hospital`. */
function intakeCases(chainOf: () => TestChain, store: TestStore, hospital: (typeof HOSPITALS)[number]): void {
  let chain: TestChain;
  let proxy: Proxy;
  let service: ServiceProcess;
  const bills: MedicalBill[] = [...makeBills({ count: 20, seed: `intake-${store.name}`, hospitals: [hospital.id] })];

  const post = (body: unknown, token: string | null = TOKEN, raw?: string) =>
    getJson<Answer>(`${service.url}/v1/bills`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });
  const view = async (billId: string) => (await getJson<BillView>(`${service.url}/v1/bills/${billId}`)).body;

  before(async function () {
    chain = chainOf();
    proxy = await startProxy(chain.node.url);
    service = await startService(
      {
        MEDBILL_RPC_URL: proxy.url,
        MEDBILL_REGISTRY: chain.registry,
        MEDBILL_AS: hospital.id,
        MEDBILL_API_TOKEN: TOKEN,
        MEDBILL_BATCH_WAIT_MS: "100",
        MEDBILL_POLL_MS: "50",
        ...(await store.fresh()),
      },
      { waitForNode: true },
    );
  });

  after(async function () {
    await service?.kill();
    await proxy?.close();
    await store.cleanup();
  });

  it("refuses writes without the right bearer token (401)", async function () {
    expect((await post(billToJson(bills[0]), null)).status).to.equal(401);
    expect((await post(billToJson(bills[0]), "wrong-token")).status).to.equal(401);
  });

  it("answers 400 naming every bad field, and 413 for an oversized body", async function () {
    const bad = { ...billToJson(bills[0]), patientName: "", patientSalt: "0x12", extra: 1 };
    const answer = await post(bad);
    expect(answer.status).to.equal(400);
    const fields = answer.body.issues!.map((i) => i.field);
    expect(fields).to.include.members(["patientName", "patientSalt"]);
    expect(fields.some((f) => f === "" || f === "extra")).to.equal(true);
    // The cross-field rule (items must add up to the total) is named once every field is well formed on its own.
    const badTotal = await post({ ...billToJson(bills[0]), total: "1" });
    expect(badTotal.status).to.equal(400);
    expect(badTotal.body.issues!.map((i) => i.field)).to.deep.equal(["total"]);
    expect((await post(undefined, TOKEN, "[1,2]")).status).to.equal(400);
    expect((await post(undefined, TOKEN, "{not json")).status).to.equal(400);
    const huge = { ...billToJson(bills[0]), department: "x".repeat(100_000) };
    const tooLarge = await post(huge);
    expect(tooLarge.status).to.equal(413);
  });

  it("queues (202), answers the same bill again with its state (200), refuses another document (409)", async function () {
    const first = await post(billToJson(bills[1]));
    expect(first.status).to.equal(202);
    expect(first.body.state).to.equal("queued");
    const again = await post(billToJson(bills[1]));
    expect(again.status).to.equal(200);
    expect(again.body.billId).to.equal(first.body.billId);
    const other = await post({ ...billToJson(bills[1]), patientName: "Someone Else" });
    expect(other.status).to.equal(409);
    const issued = await waitFor("the bill on chain and indexed", async () => {
      const v = await view(first.body.billId);
      return v.status === "Issued" && v.intake?.state === "issued" ? v : undefined;
    });
    expect(issued.intake!.txHash).to.match(/^0x[0-9a-f]{64}$/);
    const onChain = await (await chain.client(hospital.account)).getBill(first.body.billId);
    expect(onChain!.status).to.equal("Issued");
    expect((await post(billToJson(bills[1]))).body.state).to.equal("issued");
    expect((await post({ ...billToJson(bills[1]), patientName: "Someone Else" })).status).to.equal(409);
  });

  it("answers a burst of concurrent POSTs bill by bill: one 202 per bill, 200 for its repeats (group commit)", async function () {
    const burst = [...bills.slice(8, 14), bills[8], bills[8], bills[9]].map((bill) => post(billToJson(bill)));
    const answers = await Promise.all(burst);
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.billId);
    expect(accepted).to.have.length(6);
    expect(new Set(accepted).size).to.equal(6);
    const repeats = answers.slice(6);
    for (const a of repeats) {
      expect(a.status).to.equal(200);
      expect(a.body.state).to.be.oneOf(["queued", "sent", "issued"]); // the batcher may have taken it meanwhile
    }
    expect(repeats.map((a) => a.body.billId)).to.deep.equal([accepted[0], accepted[0], accepted[1]]);
  });

  it("answers a bill issued some other way (e.g. bill:import) as issued (200), another document under it 409", async function () {
    const receipt = await (await chain.client(hospital.account)).issue(bills[14]);
    await waitFor("the CLI's bill indexed", async () =>
      (await getJson<BillView>(`${service.url}/v1/bills/${receipt.billId}`)).status === 200 ? true : undefined,
    );
    const same = await post(billToJson(bills[14]));
    expect([same.status, same.body.state, same.body.billId]).to.deep.equal([200, "issued", receipt.billId]);
    expect((await post({ ...billToJson(bills[14]), patientName: "Someone Else" })).status).to.equal(409);
  });

  it("reports a bill refused on chain with the contract error's name", async function () {
    // Queued here, but issued meanwhile with another document by the same hospital (e.g. through the CLI).
    await proxy.cut();
    const queued = await post(billToJson(bills[2]));
    expect(queued.status).to.equal(202);
    const other: MedicalBill = { ...bills[2], patientName: "Another Patient" };
    await (await chain.client(hospital.account)).issue(other);
    await proxy.restore();
    const failed = await waitFor("the bill to fail", async () => {
      const v = await view(queued.body.billId);
      return v.intake?.state === "failed" ? v : undefined;
    });
    expect(failed.intake!.error).to.match(/^BillAlreadyIssued/);
  });

  it("keeps a bill waiting while the registry is paused, naming the contract error, and issues it once unpaused", async function () {
    const admin = await chain.client(0);
    await admin.pause();
    let billId: string;
    try {
      const queued = await post(billToJson(bills[15]));
      expect(queued.status).to.equal(202);
      billId = queued.body.billId;
      const refused = await waitFor("the refusal shown on the bill", async () => {
        const v = await view(billId);
        return v.intake?.error !== undefined ? v : undefined;
      });
      expect(refused.intake!.error).to.equal("EnforcedPause");
      expect(refused.intake!.state).to.be.oneOf(["queued", "sent"]);
    } finally {
      await admin.unpause();
    }
    await waitFor("the bill issued", async () => ((await view(billId)).intake?.state === "issued" ? true : undefined));
  });

  it("keeps accepting while the node is away, says so in /health, and issues once it is back", async function () {
    await proxy.cut();
    await waitFor("health to say the node is down", async () => {
      const { body } = await getJson<{ node: string }>(`${service.url}/health`);
      return body.node === "down" ? true : undefined;
    });
    const ids: string[] = [];
    for (const bill of bills.slice(3, 8)) {
      const answer = await post(billToJson(bill));
      expect(answer.status).to.equal(202);
      ids.push(answer.body.billId);
    }
    expect((await view(ids[0])).intake!.state).to.be.oneOf(["queued", "sent"]);
    await proxy.restore();
    for (const id of ids) {
      await waitFor(`bill ${id} issued`, async () => ((await view(id)).status === "Issued" ? true : undefined));
    }
    const { body } = await getJson<{ node: string }>(`${service.url}/health`);
    expect(body.node).to.equal("up");
  });
}
