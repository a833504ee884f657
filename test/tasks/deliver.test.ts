import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  MedBillClient,
  billIdOf,
  billNumberOf,
  billToJson,
  cardOf,
  collectPickup,
  createPatientCard,
  encodePatientCard,
  openInbox,
  type DeliveryEnvelope,
} from "../../src";
import type { ImportSummary } from "../../tasks/import";
import type { DeliveryRecord } from "../../tasks/lib/deliver-import";
import {
  deployedRegistryFixture,
  bills,
  field,
  readQr,
  removeTempDirs,
  runTask,
  tempDir,
  writeBillFile,
  writeJsonl,
} from "./helpers";

const HZ = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // account 1, hz-hospital

/** A stand-in delivery service on 127.0.0.1: the three routes, the bearer token, and what it was sent. */
async function fakeService(token: string) {
  const stored = new Map<string, DeliveryEnvelope>();
  const bodies: string[] = [];
  let failNext = false;
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const at = { createdAt: "2026-11-30T00:00:00.000Z", expiresAt: "2026-12-30T00:00:00.000Z" };
      if (req.method === "POST" && req.url === "/v1/deliveries") {
        bodies.push(body);
        if (failNext) {
          failNext = false;
          return send(503, { error: "down for maintenance" });
        }
        if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: "wrong token" });
        const id = `delivery${String(n++).padStart(14, "0")}`;
        stored.set(id, (JSON.parse(body) as { envelope: DeliveryEnvelope }).envelope);
        return send(201, { id, ...at });
      }
      const one = /^\/v1\/deliveries\/([\w-]+)$/.exec(req.url ?? "");
      if (one && stored.has(one[1])) return send(200, { id: one[1], ...at, envelope: stored.get(one[1]) });
      const inbox = /^\/v1\/inbox\/(0x[0-9a-f]{64})$/.exec(req.url ?? "");
      if (inbox) {
        const deliveries = [...stored]
          .filter(([, e]) => e.recipient?.patientRef === inbox[1])
          .map(([id, envelope]) => ({ id, ...at, envelope }));
        return send(200, { patientRef: inbox[1], deliveries });
      }
      send(404, { error: "unknown" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stored,
    bodies,
    failOnce: () => (failNext = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("tasks: bill:issue --deliver", function () {
  const TOKEN = "cli-test-token";
  let service: Awaited<ReturnType<typeof fakeService>>;
  const saved = { url: process.env.MEDBILL_SERVICE_URL, token: process.env.MEDBILL_API_TOKEN };

  before(async function () {
    service = await fakeService(TOKEN);
  });
  beforeEach(function () {
    process.env.MEDBILL_SERVICE_URL = service.url;
    process.env.MEDBILL_API_TOKEN = TOKEN;
  });
  after(async function () {
    for (const [name, value] of [
      ["MEDBILL_SERVICE_URL", saved.url],
      ["MEDBILL_API_TOKEN", saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await service.close();
    removeTempDirs();
  });

  it("issues, uploads ciphertext only, prints the pickup link and writes its QR; the link opens the bill", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const [bill] = bills(1, "deliver-pickup");
    const pickupQr = path.join(dir, "pickup.png");
    const run = await runTask<{ uri: string; delivery: { pickupUrl: string } }>("bill:issue", {
      file: writeBillFile(dir, bill),
      registry,
      deliver: true,
      pickupQr,
    });
    expect(run.error).to.equal(undefined);
    const link = run.result!.delivery.pickupUrl;
    expect(link).to.match(new RegExp(`^${service.url}/pickup/[\\w-]{22}#[\\w-]{43}$`));
    expect(field(run.stdout, "pickup")).to.equal(link);
    expect(readQr(pickupQr)).to.equal(link);
    const sent = service.bodies.at(-1)!;
    for (const secret of [bill.patientName, bill.patientId, bill.items[0].name, link.split("#")[1]]) {
      expect(sent).to.not.contain(secret);
    }
    const collected = await collectPickup(link);
    expect(collected.uri).to.equal(run.result!.uri);
    expect(billToJson(collected.bill)).to.deep.equal(billToJson(bill));
  });

  it("--card records the card's patientRef on chain and delivers to its inbox only", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const [bill] = bills(1, "deliver-card");
    const card = await createPatientCard({ patientId: bill.patientId });
    const stranger = await createPatientCard({ patientId: bill.patientId });
    const run = await runTask<{ billId: string; uri: string; delivery: { pickupUrl?: string } }>("bill:issue", {
      file: writeBillFile(dir, bill),
      registry,
      deliver: true,
      card: encodePatientCard(cardOf(card)),
    });
    expect(run.error).to.equal(undefined);
    expect(run.result!.delivery.pickupUrl).to.equal(undefined);
    const client = await MedBillClient.connect(registry, hre.ethers.provider);
    const [issued] = (await client.history(run.result!.billId)).filter((e) => e.kind === "issued");
    expect(issued.kind === "issued" && issued.patientRef).to.equal(card.patientRef);
    const [entry] = await openInbox(service.url, card);
    expect(entry.bill?.uri).to.equal(run.result!.uri);
    expect(await openInbox(service.url, stranger)).to.deep.equal([]);
  });

  it("a failed upload leaves the bill on chain, and the same command then delivers it without issuing again", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const [bill] = bills(1, "deliver-retry");
    const args = { file: writeBillFile(dir, bill), registry, deliver: true, pickupQr: path.join(dir, "p.png") };
    service.failOnce();
    const failed = await runTask("bill:issue", args);
    expect(failed.error?.message).to.match(
      /is on chain, but its delivery .* failed: .*503.*run the same command again/,
    );
    const retried = await runTask<{ delivery: { pickupUrl: string }; txHash: string }>("bill:issue", args);
    expect(retried.error).to.equal(undefined);
    expect(retried.result!.txHash).to.equal("(already on chain)");
    expect((await collectPickup(retried.result!.delivery.pickupUrl)).bill.billNumber).to.equal(bill.billNumber);
  });

  it("refuses missing settings, a wrong token and a bad card before sending anything", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const [bill] = bills(1, "deliver-bad");
    const file = writeBillFile(dir, bill);
    const client = await MedBillClient.connect(registry, hre.ethers.provider);
    delete process.env.MEDBILL_SERVICE_URL;
    expect((await runTask("bill:issue", { file, registry, deliver: true })).error?.message).to.contain(
      "MEDBILL_SERVICE_URL",
    );
    process.env.MEDBILL_SERVICE_URL = "ftp://example";
    expect((await runTask("bill:issue", { file, registry, deliver: true })).error?.message).to.match(
      /not an http\(s\) URL/,
    );
    process.env.MEDBILL_SERVICE_URL = service.url;
    delete process.env.MEDBILL_API_TOKEN;
    expect((await runTask("bill:issue", { file, registry, deliver: true })).error?.message).to.contain(
      "MEDBILL_API_TOKEN",
    );
    process.env.MEDBILL_API_TOKEN = TOKEN;
    expect(
      (await runTask("bill:issue", { file, registry, deliver: true, card: "medbill-card:0x12?k=x" })).error?.message,
    ).to.match(/--card: invalid patient card/);
    expect((await runTask("bill:issue", { file, registry, card: "x" })).error?.message).to.contain("go with --deliver");
    // Nothing was issued by any of these attempts.
    expect(await client.getBill(billIdOf(HZ, billNumberOf(bill)))).to.equal(null);
  });

  it("bill:import --deliver delivers every bill once, writes its pickup link, and a rerun skips what was delivered", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const dir = tempDir();
    const list = bills(5, "deliver-import");
    const file = writeJsonl(dir, list);
    const args = { file, as: "hz", registry, quiet: true, deliver: true };
    const first = await runTask<ImportSummary>("bill:import", args);
    expect(first.error).to.equal(undefined);
    expect(first.result).to.include({ issuedNow: 5, delivered: 5 });
    const records = fs
      .readFileSync(`${file}.deliveries.jsonl`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as DeliveryRecord);
    expect(records.map((r) => r.line)).to.deep.equal([1, 2, 3, 4, 5]);
    for (const [i, record] of records.entries()) {
      const collected = await collectPickup(record.pickupUrl);
      expect(collected.uri).to.equal(record.uri);
      expect(collected.bill.billNumber).to.equal(list[i].billNumber);
    }
    expect(first.stdout).to.contain("delivered now:     5");
    const again = await runTask<ImportSummary>("bill:import", args);
    expect(again.result).to.include({ issuedNow: 0, alreadyOnChain: 5, delivered: 0 });
    delete process.env.MEDBILL_API_TOKEN;
    const refused = await runTask("bill:import", { ...args, file: writeJsonl(dir, bills(1, "x"), "b.jsonl") });
    expect(refused.error?.message).to.contain("MEDBILL_API_TOKEN");
  });
});
