import { expect } from "chai";
import {
  DeliveryExpiredError,
  DeliveryServiceError,
  InvalidArgumentError,
  InvalidPickupKeyError,
  TamperedCiphertextError,
  UnknownDeliveryError,
  WrongKeyError,
  cardOf,
  collectPickup,
  createPatientCard,
  decodePickupUrl,
  deliverBill,
  fetchInbox,
  openInbox,
  type DeliveryEnvelope,
} from "../../src";
import { rejection } from "./fixture";
import { SERVICE, deliveredSample, withDecodedFields } from "./delivery-fixture";

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** An in-memory stand-in for the delivery service's three routes, recording every request it sees. */
function fakeService(options: { expired?: Set<string>; status?: number } = {}) {
  const stored = new Map<string, { envelope: DeliveryEnvelope; createdAt: string; expiresAt: string }>();
  const seen: Seen[] = [];
  let next = 0;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = String(input);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    seen.push({ method: init.method ?? "GET", url, headers, body: init.body as string | undefined });
    if (options.status) return json(options.status, { error: { message: "slow down" } }, { "retry-after": "7" });
    const path = url.slice(SERVICE.length);
    if (init.method === "POST" && path === "/v1/deliveries") {
      if (headers.authorization !== "Bearer issuer-token") return json(401, { error: { message: "bad token" } });
      const id = `${"A".repeat(21)}${"ABCDEFGH"[next++]}`;
      const { envelope } = JSON.parse(init.body as string) as { envelope: DeliveryEnvelope };
      const record = { envelope, createdAt: "2026-11-30T10:00:00.000Z", expiresAt: "2026-12-30T10:00:00.000Z" };
      stored.set(id, record);
      return json(201, { id, createdAt: record.createdAt, expiresAt: record.expiresAt });
    }
    const delivery = /^\/v1\/deliveries\/([\w-]+)$/.exec(path);
    if (delivery) {
      if (options.expired?.has(delivery[1]))
        return json(410, { error: { message: "expired" }, expiredAt: "2026-11-29T00:00:00.000Z" });
      const record = stored.get(delivery[1]);
      return record ? json(200, { id: delivery[1], ...record }) : json(404, { error: { message: "unknown" } });
    }
    const inbox = /^\/v1\/inbox\/(0x[0-9a-f]{64})$/.exec(path);
    if (inbox) {
      const deliveries = [...stored]
        .filter(([, r]) => r.envelope.recipient?.patientRef === inbox[1])
        .map(([id, r]) => ({ id, ...r }));
      return json(200, { patientRef: inbox[1], deliveries });
    }
    return json(404, {});
  };
  return { fetch: fetch as typeof globalThis.fetch, seen, stored };
}

describe("delivery: the service calls shared by the CLI, the demo and the wallet", () => {
  it("deliverBill uploads ciphertext only, with the issuer's token, and returns the pickup link", async () => {
    const service = fakeService();
    const content = deliveredSample(1);
    const delivery = await deliverBill({ serviceUrl: SERVICE, token: "issuer-token", ...content }, service);
    expect(delivery.pickupUrl).to.match(/^https:\/\/pay\.example\.cn\/medbill\/pickup\/A{21}A#[\w-]{43}$/);
    expect(decodePickupUrl(delivery.pickupUrl!).deliveryId).to.equal(delivery.deliveryId);
    const [post] = service.seen;
    expect(post.headers.authorization).to.equal("Bearer issuer-token");
    const sent = withDecodedFields(post.body!);
    for (const secret of [
      content.bill.patientName,
      content.bill.patientId,
      "CT scan",
      delivery.pickupUrl!.split("#")[1],
    ]) {
      expect(sent).to.not.contain(secret);
    }

    const collected = await collectPickup(delivery.pickupUrl!, service);
    expect(collected.uri).to.equal(content.uri);
    expect(collected.bill.patientName).to.equal(content.bill.patientName);
    expect(collected.deliveryId).to.equal(delivery.deliveryId);
    // The key never reached the service: no request carried the fragment.
    for (const request of service.seen) expect(request.url).to.not.contain("#");
  });

  it("collectPickup names each failure: unknown, expired, wrong key, truncated key, tampered ciphertext", async () => {
    const service = fakeService({ expired: new Set(["AAAAAAAAAAAAAAAAAAAAAB"]) });
    const first = await deliverBill({ serviceUrl: SERVICE, token: "issuer-token", ...deliveredSample(2) }, service);
    const second = await deliverBill({ serviceUrl: SERVICE, token: "issuer-token", ...deliveredSample(3) }, service);
    const [link, key] = first.pickupUrl!.split("#");
    const unknown = link.replace(first.deliveryId, "ZZZZZZZZZZZZZZZZZZZZZZ");
    expect(await rejection(collectPickup(`${unknown}#${key}`, service))).to.be.instanceOf(UnknownDeliveryError);
    const expired = await rejection(collectPickup(second.pickupUrl!, service));
    expect(expired).to.be.instanceOf(DeliveryExpiredError);
    expect((expired as DeliveryExpiredError).expiredAt?.toISOString()).to.equal("2026-11-29T00:00:00.000Z");
    const otherKey = second.pickupUrl!.split("#")[1];
    expect(await rejection(collectPickup(`${link}#${otherKey}`, service))).to.be.instanceOf(WrongKeyError);
    expect(await rejection(collectPickup(`${link}#${key.slice(0, 30)}`, service))).to.be.instanceOf(
      InvalidPickupKeyError,
    );
    const record = service.stored.get(first.deliveryId)!;
    const bytes = Buffer.from(record.envelope.ciphertext, "base64url");
    bytes[5] ^= 0xff;
    service.stored.set(first.deliveryId, {
      ...record,
      envelope: { ...record.envelope, ciphertext: bytes.toString("base64url") },
    });
    expect(await rejection(collectPickup(first.pickupUrl!, service))).to.be.instanceOf(TamperedCiphertextError);
  });

  it("a card's delivery waits in that card's inbox only, and opens on the card's device", async () => {
    const service = fakeService();
    const alice = await createPatientCard({ patientId: "330102199001011234" });
    const bob = await createPatientCard({ patientId: "33010219850505567X" });
    const content = deliveredSample(4);
    const delivery = await deliverBill(
      { serviceUrl: SERVICE, token: "issuer-token", ...content, card: cardOf(alice) },
      service,
    );
    expect(delivery.pickupUrl).to.equal(undefined);
    expect(await fetchInbox(SERVICE, bob.patientRef, service)).to.deep.equal([]);
    const [entry] = await openInbox(SERVICE, alice, service);
    expect(entry.delivery.id).to.equal(delivery.deliveryId);
    expect(entry.bill?.uri).to.equal(content.uri);
    expect(await openInbox(SERVICE, bob, service)).to.deep.equal([]);
  });

  it("service refusals: wrong token (401), rate limit (429, with Retry-After), unreachable", async () => {
    const content = deliveredSample(5);
    const refused = (await rejection(
      deliverBill({ serviceUrl: SERVICE, token: "wrong", ...content }, fakeService()),
    )) as DeliveryServiceError;
    expect(refused).to.be.instanceOf(DeliveryServiceError);
    expect(refused.status).to.equal(401);
    expect(refused.message).to.contain("bad token");
    const limited = (await rejection(
      collectPickup(`${SERVICE}/pickup/AAAAAAAAAAAAAAAAAAAAAA#${"A".repeat(43)}`, fakeService({ status: 429 })),
    )) as DeliveryServiceError;
    expect(limited.code).to.equal("RATE_LIMITED");
    expect(limited.retryAfter).to.equal(7);
    const down = (await rejection(
      fetchInbox("http://127.0.0.1:9", `0x${"ab".repeat(32)}`, { timeoutMs: 2_000 }),
    )) as DeliveryServiceError;
    expect(down.code).to.equal("SERVICE_UNREACHABLE");
    expect(await rejection(deliverBill({ serviceUrl: SERVICE, token: "", ...content }))).to.be.instanceOf(
      InvalidArgumentError,
    );
  });
});
