/**
 * The service's delivery part, as a real process on PGlite and PostgreSQL: POST /v1/deliveries (bearer token),
 * GET /v1/deliveries/{id} (404 unknown, 410 expired), GET /v1/inbox/{patientRef}, GET /pickup/{id}; expiry after
 * MEDBILL_DELIVERY_TTL; pickups rate-limited per client (MEDBILL_PICKUP_RATE); and, searched afterwards, no
 * patient name, id or item in its database or logs.
 */
import { expect } from "chai";
import { sql } from "kysely";
import {
  DeliveryExpiredError,
  UnknownDeliveryError,
  cardOf,
  collectPickup,
  createPatientCard,
  deliverBill,
  fetchDelivery,
  openInbox,
  sealBill,
} from "../../src";
import type { Db } from "../../service/part";
import { openStorage } from "../../service/storage/open";
import { findSecrets } from "../e2e/wallet/privacy";
import { deliveredSample } from "../sdk/delivery-fixture";
import { rejection } from "../sdk/fixture";
import { getJson, pgliteStore, removeTempDirs, startService, testStores, type ServiceProcess } from "./helpers";

const TOKEN = "delivery-test-token";

/** Every row of every table of the service's database, as JSON text. */
async function dumpDatabase(env: NodeJS.ProcessEnv): Promise<string> {
  const storage = await openStorage({ databaseUrl: env.DATABASE_URL, dataDir: env.MEDBILL_DATA_DIR ?? "" });
  try {
    const db = storage.db as unknown as Db;
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
    const out: string[] = [];
    for (const { table_name: table } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
      out.push(`${table}: ${JSON.stringify(rows.rows)}`);
    }
    return out.join("\n");
  } finally {
    await storage.close();
  }
}

for (const store of testStores()) {
  describe(`service: delivery (${store.name})`, function () {
    this.timeout(300_000);
    let service: ServiceProcess;
    let env: NodeJS.ProcessEnv;

    before(async function () {
      env = {
        ...(await store.fresh()),
        MEDBILL_RPC_URL: "http://127.0.0.1:9", // delivery needs no node
        MEDBILL_API_TOKEN: TOKEN,
        MEDBILL_LOG: "info",
        MEDBILL_PICKUP_RATE: "1000",
        MEDBILL_WALLET_URL: "https://wallet.example.cn/wallet.html",
      };
      service = await startService(env);
    });

    after(async function () {
      await service?.kill();
      await store.cleanup();
      removeTempDirs();
    });

    it("stores an envelope with the issuer's token only, and serves it back to any origin", async function () {
      const { envelope } = await sealBill(deliveredSample(1));
      const post = (token?: string, body: unknown = { envelope }) =>
        getJson<{ id: string; expiresAt: string; error?: string; issues?: { field: string }[] }>(
          `${service.url}/v1/deliveries`,
          {
            method: "POST",
            headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify(body),
          },
        );
      expect((await post()).status).to.equal(401);
      expect((await post("wrong")).status).to.equal(401);
      const bad = await post(TOKEN, { envelope: { ...envelope, iv: "x", keyCheck: 1 } });
      expect(bad.status).to.equal(400);
      expect(bad.body.issues?.map((i) => i.field)).to.include.members(["envelope.iv", "envelope.keyCheck"]);
      const created = await post(TOKEN);
      expect(created.status).to.equal(201);
      expect(created.body.id).to.match(/^[\w-]{22}$/);
      const days = (Date.parse(created.body.expiresAt) - Date.now()) / 86_400_000;
      expect(days).to.be.within(29.9, 30); // MEDBILL_DELIVERY_TTL default: 30 days
      const got = await getJson<{ envelope: unknown }>(`${service.url}/v1/deliveries/${created.body.id}`);
      expect(got.status).to.equal(200);
      expect(got.body.envelope).to.deep.equal(envelope);
      expect(got.headers.get("access-control-allow-origin")).to.equal("*");
      expect((await getJson(`${service.url}/v1/deliveries/${"A".repeat(22)}`)).status).to.equal(404);
      expect((await getJson(`${service.url}/v1/deliveries/short`)).status).to.equal(400);
      expect(
        await rejection(collectPickup(`${service.url}/pickup/${"B".repeat(22)}#${"A".repeat(43)}`)),
      ).to.be.instanceOf(UnknownDeliveryError);
    });

    it("a card's deliveries wait in its inbox only; the pickup page forwards the link to the wallet", async function () {
      const alice = await createPatientCard({ patientId: "330102199001011234" });
      const bob = await createPatientCard({ patientId: "330102199001015678" });
      const content = deliveredSample(2);
      await deliverBill({ serviceUrl: service.url, token: TOKEN, ...content, card: cardOf(alice) });
      const [entry, ...more] = await openInbox(service.url, alice);
      expect(more).to.deep.equal([]);
      expect(entry.bill?.uri).to.equal(content.uri);
      expect(await openInbox(service.url, bob)).to.deep.equal([]);
      const pickup = await deliverBill({ serviceUrl: service.url, token: TOKEN, ...deliveredSample(3) });
      expect((await collectPickup(pickup.pickupUrl!)).uri).to.equal(deliveredSample(3).uri);
      const page = await fetch(pickup.pickupUrl!.split("#")[0]);
      expect(page.headers.get("content-type")).to.contain("text/html");
      const html = await page.text();
      expect(html).to.contain('"https://wallet.example.cn/wallet.html"').and.contain("location.href");
      const openApi = (await getJson<{ paths: Record<string, unknown> }>(`${service.url}/openapi.json`)).body;
      expect(Object.keys(openApi.paths)).to.include.members([
        "/v1/deliveries",
        "/v1/deliveries/{id}",
        "/v1/inbox/{patientRef}",
      ]);
    });

    // The last test of this block: it stops the service to read its database, and leaves it stopped.
    it("the database and logs hold ciphertext only: no patient name, id or item", async function () {
      const content = deliveredSample(4);
      await deliverBill({ serviceUrl: service.url, token: TOKEN, ...content });
      const logs = service.stderr();
      expect(logs).to.contain("delivery");
      await service.kill("SIGTERM");
      const dump = await dumpDatabase(env);
      expect(dump).to.contain("deliveries:");
      const secrets = [content.bill.patientName, content.bill.patientId, ...content.bill.items.map((i) => i.name)];
      for (const secret of secrets) expect(dump, secret).to.not.contain(secret);
      expect(findSecrets({ dataDir: env.MEDBILL_DATA_DIR ?? "/nonexistent", logs }, secrets)).to.deep.equal([]);
    });
  });
}

describe("service: delivery expiry and the pickup rate limit", function () {
  this.timeout(300_000);
  let service: ServiceProcess | undefined;
  after(async function () {
    await service?.kill();
    removeTempDirs();
  });

  it("a delivery expires after MEDBILL_DELIVERY_TTL (410, then gone from the inbox); pickups past MEDBILL_PICKUP_RATE get 429", async function () {
    const env = { ...(await pgliteStore.fresh()), MEDBILL_RPC_URL: "http://127.0.0.1:9", MEDBILL_API_TOKEN: TOKEN };
    service = await startService({
      ...env,
      MEDBILL_DELIVERY_TTL: "2",
      MEDBILL_DELIVERY_SWEEP_MS: "200",
      MEDBILL_PICKUP_RATE: "5",
    });
    const card = await createPatientCard({ patientId: "330102199001011234" });
    const delivered = await deliverBill({
      serviceUrl: service.url,
      token: TOKEN,
      ...deliveredSample(5),
      card: cardOf(card),
    });
    const link = `${service.url}/v1/deliveries/${delivered.deliveryId}`;
    expect((await getJson(link)).status).to.equal(200);
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    const gone = (await rejection(fetchDelivery(service.url, delivered.deliveryId))) as DeliveryExpiredError;
    expect(gone).to.be.instanceOf(DeliveryExpiredError); // 410, with the time it expired
    expect(gone.expiredAt?.getTime()).to.equal(delivered.expiresAt.getTime());
    const inbox = await getJson<{ deliveries: unknown[] }>(`${service.url}/v1/inbox/${card.patientRef}`);
    expect(inbox.body.deliveries).to.deep.equal([]);
    const pickup = await deliverBill({ serviceUrl: service.url, token: TOKEN, ...deliveredSample(6) });
    // 3 reads so far; the 5-a-minute bucket has 2 left, then 429 with Retry-After.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const answer = await getJson(`${service.url}/v1/deliveries/${pickup.deliveryId}`);
      statuses.push(answer.status);
      retryAfter ??= answer.headers.get("retry-after");
    }
    expect(statuses).to.deep.equal([200, 200, 429]);
    expect(Number(retryAfter)).to.be.within(1, 60);
  });
});
