import { expect } from "chai";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { InvalidUriError, billQr, decodeBillUri, encodeBillUri } from "../../src";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const BILL_ID = "0x" + "ab".repeat(32);
const HASH = "0x" + "cd".repeat(32);
const URI = `medbill:31337/${REGISTRY}/${BILL_ID}?h=${HASH}`;

function uriError(uri: unknown): InvalidUriError {
  try {
    decodeBillUri(uri as string);
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidUriError);
    return e as InvalidUriError;
  }
  throw new Error(`accepted ${String(uri)}`);
}

describe("bill URI", () => {
  it("encodes and decodes medbill:<chainId>/<registry>/<billId>?h=<contentHash>", () => {
    const parts = { chainId: 31337n, registry: REGISTRY, billId: BILL_ID, contentHash: HASH };
    expect(encodeBillUri(parts)).to.equal(URI);
    expect(
      encodeBillUri({
        ...parts,
        chainId: 31337,
        registry: REGISTRY.toLowerCase(),
        billId: BILL_ID.toUpperCase().replace("0X", "0x"),
      }),
    ).to.equal(URI);
    expect(decodeBillUri(URI)).to.deep.equal(parts);
  });

  it("refuses malformed URIs with a message that says what is wrong", () => {
    const cases: [string, RegExp][] = [
      ["", /start with "medbill:"/],
      [URI.replace("medbill:", "MEDBILL:"), /start with/],
      [URI.replace("medbill:", "medbill://"), /got 5 part/],
      [URI.replace("?h=", "/"), /content hash is missing/],
      [URI.replace("31337", "031337"), /leading zeros/],
      [URI.replace("31337", "0"), /chain id/],
      [URI.replace("31337", "-1"), /chain id/],
      [URI.replace("31337", "18446744073709551616"), /out of range/],
      [URI.replace(REGISTRY, REGISTRY.toLowerCase()), /wrong checksum case/],
      [URI.replace(REGISTRY, REGISTRY.replace("F", "f")), /wrong checksum case/],
      [URI.replace(REGISTRY, REGISTRY.slice(0, -2)), /38 hex digits, expected 40/],
      [URI.replace(REGISTRY, REGISTRY + "00"), /42 hex digits, expected 40/],
      [URI.replace(REGISTRY, REGISTRY.replace("0x", "")), /not hex/],
      [URI.replace(BILL_ID, BILL_ID.slice(0, -1)), /bill id has 63 hex digits, expected 64/],
      [URI.replace(BILL_ID, BILL_ID + "ab"), /bill id has 66 hex digits/],
      [URI.replace(BILL_ID, BILL_ID.toUpperCase().replace("0X", "0x")), /lower-case/],
      [URI.replace(BILL_ID, "0x" + "0".repeat(64)), /must not be zero/],
      [URI.replace(BILL_ID, "0x" + "g".repeat(64)), /not hex/],
      [URI.replace(HASH, HASH.slice(0, 60)), /content hash has 58 hex digits/],
      [URI + "&x=1", /only the parameter "h"/],
      [URI + "#frag", /only the parameter "h"/],
      [URI.replace("?h=", "?hash="), /expected the query/],
      [URI + " ", /not hex/],
      [` ${URI}`, /start with/],
      [`medbill:31337/${REGISTRY}/extra/${BILL_ID}?h=${HASH}`, /got 4 part/],
      [URI + "a".repeat(300), /too long/],
    ];
    for (const [uri, message] of cases) {
      expect(uriError(uri).message, uri).to.match(message);
    }
    expect(uriError(42).message).to.match(/must be a string/);
    expect(() => encodeBillUri({ chainId: 0n, registry: REGISTRY, billId: BILL_ID, contentHash: HASH })).to.throw(
      InvalidUriError,
    );
    expect(() => encodeBillUri({ chainId: 1n, registry: "0x12", billId: BILL_ID, contentHash: HASH })).to.throw(
      InvalidUriError,
    );
    expect(() => encodeBillUri({ chainId: 1n, registry: REGISTRY, billId: "0x12", contentHash: HASH })).to.throw(
      InvalidUriError,
    );
  });
});

describe("billQr", () => {
  it("draws a PNG that decodes back to the same URI, plus SVG, a data URL and terminal text", async () => {
    const qr = await billQr(URI);
    expect(qr.uri).to.equal(URI);
    const png = PNG.sync.read(Buffer.from(qr.png));
    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(code?.data).to.equal(URI);
    expect(qr.dataUrl.startsWith("data:image/png;base64,")).to.equal(true);
    expect(Buffer.from(qr.dataUrl.split(",")[1], "base64").equals(Buffer.from(qr.png))).to.equal(true);
    expect(qr.svg).to.match(/^<svg/);
    const lines = qr.terminal.trimEnd().split("\n");
    expect(lines.length).to.be.greaterThan(10);
    expect(new Set(lines.map((l) => [...l].length)).size).to.equal(1); // a rectangle
    expect(qr.terminal).to.match(/[█▀▄]/);
  });

  it("refuses a malformed URI", async () => {
    let error: unknown;
    try {
      await billQr("medbill:nope");
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(InvalidUriError);
  });
});
