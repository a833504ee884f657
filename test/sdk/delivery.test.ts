import { expect } from "chai";
import fc from "fast-check";
import {
  InvalidArgumentError,
  InvalidEnvelopeError,
  InvalidPatientCardError,
  InvalidPickupKeyError,
  NotAPickupLinkError,
  TamperedCiphertextError,
  WrongKeyError,
  billToJson,
  cardOf,
  createPatientCard,
  decodePatientCard,
  decodePickupUrl,
  encodeBillKey,
  encodePatientCard,
  encodePickupUrl,
  openBill,
  openCardDelivery,
  parseEnvelope,
  patientRef,
  sealBill,
  type DeliveryEnvelope,
} from "../../src";
import { fromBase64Url, toBase64Url } from "../../src/delivery/base64url";
import { rejection } from "./fixture";
import { SERVICE, deliveredSample, withDecodedFields } from "./delivery-fixture";

const ID = "AAECAwQFBgcICQoLDA0ODw";

/** Flips one bit of a base64url field's bytes. */
function flip(field: string, index = 0): string {
  const bytes = fromBase64Url(field)!;
  bytes[index % bytes.length] ^= 1;
  return toBase64Url(bytes);
}

describe("delivery: sealed bills (AES-256-GCM, a fresh key per bill)", () => {
  it("opens with its key to the same URI and document", async () => {
    const content = deliveredSample(1);
    const { envelope, key } = await sealBill(content);
    expect(key).to.have.length(32);
    const opened = await openBill(envelope, key);
    expect(opened.uri).to.equal(content.uri);
    expect(billToJson(opened.bill)).to.deep.equal(billToJson(content.bill));
  });

  it("uses a fresh key and nonce for every bill, even the same bill twice", async () => {
    const content = deliveredSample(2);
    const [a, b] = await Promise.all([sealBill(content), sealBill(content)]);
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).to.equal(false);
    expect(a.envelope.iv).to.not.equal(b.envelope.iv);
    expect(a.envelope.ciphertext).to.not.equal(b.envelope.ciphertext);
  });

  it("holds no plaintext: no patient name, id, item or amount in the envelope", async () => {
    const content = deliveredSample(3);
    const { envelope } = await sealBill(content);
    const stored = withDecodedFields(JSON.stringify(envelope));
    for (const secret of [content.bill.patientName, content.bill.patientId, "CT scan", "阿莫西林胶囊", "36650"]) {
      expect(stored).to.not.contain(secret);
    }
    expect(Object.keys(envelope).sort()).to.deep.equal(["ciphertext", "iv", "keyCheck", "v"]);
  });

  it("pads the plaintext to a multiple of 512 bytes (plus the 16-byte tag)", async () => {
    const { envelope } = await sealBill(deliveredSample(4));
    expect((fromBase64Url(envelope.ciphertext)!.length - 16) % 512).to.equal(0);
  });

  it("refuses to seal a URI whose content hash is not the document's", async () => {
    const a = deliveredSample(5);
    const b = deliveredSample(6);
    const error = await rejection(sealBill({ uri: a.uri, bill: b.bill }));
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect((error as Error).message).to.match(/content hash .* is not the document's/);
  });

  it("a wrong key is refused as WrongKeyError, before any decryption", async () => {
    const { envelope, key } = await sealBill(deliveredSample(7));
    const other = new Uint8Array(key);
    other[31] ^= 0x80;
    expect(await rejection(openBill(envelope, other))).to.be.instanceOf(WrongKeyError);
    expect(await rejection(openBill(envelope, (await sealBill(deliveredSample(7))).key))).to.be.instanceOf(
      WrongKeyError,
    );
    const short = (await rejection(openBill(envelope, key.slice(0, 31)))) as WrongKeyError;
    expect(short).to.be.instanceOf(WrongKeyError);
    expect(short.code).to.equal("WRONG_KEY");
  });

  it("a tampered ciphertext, nonce or tag is refused as TamperedCiphertextError with the right key", async () => {
    const { envelope, key } = await sealBill(deliveredSample(8));
    const length = fromBase64Url(envelope.ciphertext)!.length;
    const variants: DeliveryEnvelope[] = [
      { ...envelope, ciphertext: flip(envelope.ciphertext, 0) },
      { ...envelope, ciphertext: flip(envelope.ciphertext, length - 1) }, // the tag
      { ...envelope, iv: flip(envelope.iv) },
      { ...envelope, ciphertext: toBase64Url(fromBase64Url(envelope.ciphertext)!.slice(0, length - 16)) },
    ];
    for (const tampered of variants) {
      const error = (await rejection(openBill(tampered, key))) as TamperedCiphertextError;
      expect(error).to.be.instanceOf(TamperedCiphertextError);
      expect(error.code).to.equal("TAMPERED_CIPHERTEXT");
    }
  });

  it("a malformed envelope is refused naming each bad field", async () => {
    const { envelope, key } = await sealBill(deliveredSample(9));
    const error = (await rejection(
      openBill({ ...envelope, v: 2, iv: "short", keyCheck: 5, extra: 1 }, key),
    )) as InvalidEnvelopeError;
    expect(error).to.be.instanceOf(InvalidEnvelopeError);
    expect(error.message).to.contain("v: v must be 1").and.contain("iv: iv must be 12 bytes");
    expect(error.message).to.contain("keyCheck").and.contain("extra");
    expect(() => parseEnvelope({ ...envelope, ciphertext: "a+b/" })).to.throw(InvalidEnvelopeError, /base64url/);
    expect(parseEnvelope(JSON.parse(JSON.stringify(envelope)))).to.deep.equal(envelope);
  });
});

describe("delivery: pickup links https://<service>/pickup/<deliveryId>#<key>", () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);

  it("puts the key only in the fragment and reads every part back", () => {
    const link = encodePickupUrl({ serviceUrl: `${SERVICE}/`, deliveryId: ID, key });
    expect(link).to.equal(`${SERVICE}/pickup/${ID}#${encodeBillKey(key)}`);
    expect(new URL(link).hash.slice(1)).to.have.length(43);
    expect(link.split("#")[0]).to.not.contain(encodeBillKey(key));
    const parsed = decodePickupUrl(link);
    expect(parsed.serviceUrl).to.equal(SERVICE);
    expect(parsed.deliveryId).to.equal(ID);
    expect([...parsed.key]).to.deep.equal([...key]);
    expect(decodePickupUrl(`http://127.0.0.1:8787/pickup/${ID}#${encodeBillKey(key)}`).serviceUrl).to.equal(
      "http://127.0.0.1:8787",
    );
  });

  it("a truncated, missing or malformed key is refused by name", () => {
    const base = `${SERVICE}/pickup/${ID}#`;
    const full = encodeBillKey(key);
    const problem = (link: string): string => {
      try {
        decodePickupUrl(link);
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidPickupKeyError);
        return (error as InvalidPickupKeyError).problem;
      }
      throw new Error(`accepted ${link}`);
    };
    expect(problem(base + full.slice(0, 42))).to.equal("truncated");
    expect(problem(base + full.slice(0, 10))).to.equal("truncated");
    expect(problem(base)).to.equal("missing");
    expect(problem(`${SERVICE}/pickup/${ID}`)).to.equal("missing");
    expect(problem(base + full + "A")).to.equal("malformed");
    expect(problem(base + full.slice(0, 42) + "+")).to.equal("malformed");
    expect(problem(base + full.slice(0, 42) + "B")).to.equal("malformed"); // unused low bits set: not canonical
  });

  it("anything that is not a pickup link is refused as NotAPickupLinkError", () => {
    const fragment = `#${encodeBillKey(key)}`;
    for (const [link, why] of [
      [
        `medbill:31337/0x5FbDB2315678afecb367f032d93F642f64180aa3/0x${"ab".repeat(32)}?h=0x${"cd".repeat(32)}`,
        /bill URI/,
      ],
      [`medbill-card:0x${"ab".repeat(32)}?k=x`, /patient card/],
      ["hello", /not a URL/],
      [`ftp://example.cn/pickup/${ID}${fragment}`, /http\(s\)/],
      [`https://example.cn/bills/${ID}${fragment}`, /does not end in \/pickup/],
      [`https://example.cn/pickup/${ID}/more${fragment}`, /does not end in \/pickup/],
      [`https://example.cn/pickup/short${fragment}`, /not a delivery id/],
      [`https://example.cn/pickup/${ID}?x=1${fragment}`, /no query/],
    ] as const) {
      expect(() => decodePickupUrl(link), link).to.throw(NotAPickupLinkError, why);
    }
  });

  it("refuses to write a link for a bad service URL or id", () => {
    expect(() => encodePickupUrl({ serviceUrl: "ftp://x", deliveryId: ID, key })).to.throw(InvalidArgumentError);
    expect(() => encodePickupUrl({ serviceUrl: SERVICE, deliveryId: "x", key })).to.throw(InvalidArgumentError);
    expect(() => encodePickupUrl({ serviceUrl: SERVICE, deliveryId: ID, key: key.slice(1) })).to.throw(
      InvalidArgumentError,
    );
  });

  it("base64url round-trips any bytes and refuses non-canonical text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).to.equal(Buffer.from(bytes).toString("base64url"));
        expect([...fromBase64Url(text)!]).to.deep.equal([...bytes]);
      }),
    );
    expect(fromBase64Url("A")).to.equal(undefined);
    expect(fromBase64Url("AB")).to.equal(undefined);
    expect(fromBase64Url("AA==")).to.equal(undefined);
  });
});

describe("delivery: patient cards (ECDH P-256, the bill's key wrapped to the card)", () => {
  const PATIENT_ID = "33010219900101123X";

  it("a card carries patientRef (the patient's salt and id) and a P-256 public key; its QR payload round-trips", async () => {
    const secret = await createPatientCard({ patientId: PATIENT_ID });
    expect(secret.patientRef).to.equal(patientRef(PATIENT_ID, secret.patientSalt));
    expect(fromBase64Url(secret.publicKey)).to.have.length(65);
    const payload = encodePatientCard(cardOf(secret));
    expect(payload).to.equal(`medbill-card:${secret.patientRef}?k=${secret.publicKey}`);
    expect(payload).to.not.contain(PATIENT_ID).and.not.contain(secret.patientSalt.slice(2));
    expect(decodePatientCard(payload)).to.deep.equal(cardOf(secret));
  });

  it("a malformed card payload is refused saying what is wrong", () => {
    const ref = `0x${"ab".repeat(32)}`;
    const point = toBase64Url(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : i)));
    for (const [payload, why] of [
      ["medbill:1/2/3", /expected "medbill-card:/],
      [`medbill-card:${ref}`, /expected/],
      [`medbill-card:0x12?k=${point}`, /32 bytes/],
      [`medbill-card:0x${"00".repeat(32)}?k=${point}`, /zero/],
      [`medbill-card:${ref}?k=${point.slice(1)}`, /uncompressed P-256/],
    ] as const) {
      expect(() => decodePatientCard(payload), payload).to.throw(InvalidPatientCardError, why);
    }
  });

  it("only the card's private key opens a delivery sent to it; another card's is refused as WrongKeyError", async () => {
    const mine = await createPatientCard({ patientId: PATIENT_ID });
    const other = await createPatientCard({ patientId: PATIENT_ID });
    const content = deliveredSample(10);
    const { envelope, key } = await sealBill(content, { card: cardOf(mine) });
    expect(envelope.recipient?.patientRef).to.equal(mine.patientRef);
    expect((await openCardDelivery(envelope, mine)).uri).to.equal(content.uri);
    expect((await openBill(envelope, key)).uri).to.equal(content.uri);
    expect(await rejection(openCardDelivery(envelope, other))).to.be.instanceOf(WrongKeyError);
    // Another card claiming the same patientRef still lacks the private key.
    const impostor = { ...other, patientRef: mine.patientRef };
    expect(await rejection(openCardDelivery(envelope, impostor))).to.be.instanceOf(WrongKeyError);
    const rewrapped = {
      ...envelope,
      recipient: { ...envelope.recipient!, wrappedKey: flip(envelope.recipient!.wrappedKey) },
    };
    expect(await rejection(openCardDelivery(rewrapped, mine))).to.be.instanceOf(WrongKeyError);
    const { envelope: pickupOnly } = await sealBill(content);
    expect(await rejection(openCardDelivery(pickupOnly, mine))).to.be.instanceOf(WrongKeyError);
  });

  it("a card whose public key is not on the curve is refused before anything is sealed", async () => {
    const bogus = { patientRef: `0x${"ab".repeat(32)}`, publicKey: toBase64Url(new Uint8Array(65).fill(4)) };
    expect(await rejection(sealBill(deliveredSample(11), { card: bogus }))).to.be.instanceOf(InvalidPatientCardError);
  });

  it("keeps an existing patient salt when one is given", async () => {
    const salt = `0x${"5a".repeat(32)}`;
    const card = await createPatientCard({ patientId: PATIENT_ID, patientSalt: salt });
    expect(card.patientSalt).to.equal(salt);
    expect(card.patientRef).to.equal(patientRef(PATIENT_ID, salt));
  });
});
