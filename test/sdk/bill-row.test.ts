import { createHmac } from "node:crypto";
import { expect } from "chai";
import { Wallet } from "ethers";
import {
  BILL_SALT_LABEL,
  InvalidArgumentError,
  InvalidBillError,
  billRowInput,
  billRowToInput,
  billToJson,
  deriveBillSalt,
  hashBill,
  parseBillRow,
  patientRef,
  saltBillRow,
  toBillInput,
} from "../../src";
import { sampleBill } from "./fixture";

const DOMAIN = { chainId: 31337n, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const SECRET = "a hospital's salt secret";
const PATIENT_SALT = "0x" + "7c".repeat(32);

/** A row as a billing system sends it: the document's JSON without its salt. */
function row(n = 1, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { salt, ...fields } = billToJson(sampleBill(n));
  expect(salt).to.be.a("string");
  return { ...fields, ...extra };
}

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidBillError);
    return [...(e as InvalidBillError).issues];
  }
  throw new Error("expected InvalidBillError");
}

describe("bill rows (import and intake)", () => {
  describe("deriveBillSalt", () => {
    it("is HMAC-SHA256 of the issuer's secret over label, issuer and bill number", () => {
      const salt = deriveBillSalt(SECRET, ISSUER, { billCode: "33060123", billNumber: "0000000001" });
      const message = `${BILL_SALT_LABEL}:${ISSUER.toLowerCase()}:33060123-0000000001`;
      expect(salt).to.equal("0x" + createHmac("sha256", SECRET).update(message).digest("hex"));
      expect(BILL_SALT_LABEL).to.equal("medbill:bill-salt:v2");
      // The address's spelling does not matter; issuer, secret, code and number do.
      expect(deriveBillSalt(SECRET, ISSUER.toLowerCase(), { billCode: "33060123", billNumber: "0000000001" })).to.equal(
        salt,
      );
      const others = [
        deriveBillSalt(SECRET + "!", ISSUER, { billCode: "33060123", billNumber: "0000000001" }),
        deriveBillSalt(SECRET, Wallet.createRandom().address, { billCode: "33060123", billNumber: "0000000001" }),
        deriveBillSalt(SECRET, ISSUER, { billCode: "33060124", billNumber: "0000000001" }),
        deriveBillSalt(SECRET, ISSUER, { billCode: "33060123", billNumber: "0000000002" }),
        // "3306012-30000000001" must not collide with "33060123-0000000001"
        deriveBillSalt(SECRET, ISSUER, { billCode: "3306012", billNumber: "30000000001" }),
      ];
      expect(new Set([salt, ...others]).size).to.equal(6);
    });

    it("refuses a short secret, a bad issuer and a bad bill number", () => {
      const bill = { billCode: "33060123", billNumber: "1" };
      expect(() => deriveBillSalt("short", ISSUER, bill)).to.throw(InvalidArgumentError, /at least 16 characters/);
      expect(() => deriveBillSalt(SECRET, "0x12", bill)).to.throw(InvalidArgumentError, /issuer/);
      expect(() => deriveBillSalt(SECRET, ISSUER, { billCode: "33-06", billNumber: "1" })).to.throw(
        InvalidArgumentError,
        /billCode/,
      );
    });
  });

  describe("parseBillRow", () => {
    it("accepts a document without its salt, with its salt, with patientSalt or with patientRef", () => {
      expect(parseBillRow(row())).to.deep.equal({ bill: without(sampleBill()) });
      const salted = parseBillRow(billToJson(sampleBill()));
      expect(salted.bill).to.deep.equal(sampleBill());
      expect(parseBillRow(row(1, { patientSalt: PATIENT_SALT.toUpperCase().replace("0X", "0x") }))).to.deep.equal({
        bill: without(sampleBill()),
        patientSalt: PATIENT_SALT,
      });
      const ref = "0x" + "AB".repeat(32);
      expect(parseBillRow(row(1, { patientRef: ref })).patientRef).to.equal(ref.toLowerCase());
    });

    it("lists every fault in one error, including the row's own fields", () => {
      const issues = issuesOf(() =>
        parseBillRow(
          row(1, {
            department: "",
            salt: "0x" + "00".repeat(32),
            patientSalt: "0x12",
            patientRef: "0x" + "00".repeat(32),
            extra: 1,
          }),
          "line 7",
        ),
      );
      expect(issues.map((i) => i.path)).to.include.members(["department", "salt", "patientSalt", "patientRef", ""]);
      expect(() => parseBillRow(row(1, { total: "1" }), "line 7")).to.throw(
        InvalidBillError,
        /\(line 7\): total: items add up/,
      );
      expect(issuesOf(() => parseBillRow(null))[0].message).to.equal("a bill row must be an object");
    });

    it("refuses patientSalt and patientRef together", () => {
      const issues = issuesOf(() =>
        parseBillRow(
          row(1, { patientSalt: PATIENT_SALT, patientRef: patientRef(sampleBill().patientId, PATIENT_SALT) }),
        ),
      );
      expect(issues).to.deep.equal([
        {
          path: "patientRef",
          message: "give patientSalt or patientRef, not both (patientRef is computed from patientSalt)",
        },
      ]);
    });
  });

  describe("saltBillRow, billRowInput, billRowToInput", () => {
    it("derives the salt of a row without one, the same every time (a resent row is the same bill)", () => {
      const a = saltBillRow(parseBillRow(row()), { issuer: ISSUER, secret: SECRET });
      const b = billRowToInput(row(), { issuer: ISSUER, secret: SECRET, domain: DOMAIN });
      expect(a.saltDerived).to.equal(true);
      expect(a.bill.salt).to.equal(deriveBillSalt(SECRET, ISSUER, sampleBill()));
      expect(b.bill).to.deep.equal(a.bill);
      expect(b.input).to.deep.equal(toBillInput(a.bill, undefined, DOMAIN));
      expect(b.input.patientRef).to.equal(patientRef(sampleBill().patientId, a.bill.salt));
      expect(billRowToInput(row(), { issuer: ISSUER, secret: SECRET, domain: DOMAIN }).input).to.deep.equal(b.input);
      // Another hospital's secret gives another document.
      const other = billRowToInput(row(), { issuer: ISSUER, secret: SECRET + "?", domain: DOMAIN });
      expect(other.input.contentHash).to.not.equal(b.input.contentHash);
    });

    it("keeps a row's own salt", () => {
      const out = billRowToInput(billToJson(sampleBill()), { issuer: ISSUER, secret: SECRET, domain: DOMAIN });
      expect(out.saltDerived).to.equal(false);
      expect(out.bill).to.deep.equal(sampleBill());
      expect(out.input.contentHash).to.equal(hashBill(sampleBill(), DOMAIN));
    });

    it("makes patientRef with patientSalt when given, takes a given patientRef, else uses the bill's salt", () => {
      const options = { issuer: ISSUER, secret: SECRET, domain: DOMAIN };
      const plain = billRowToInput(row(), options);
      const withSalt = billRowToInput(row(1, { patientSalt: PATIENT_SALT }), options);
      expect(withSalt.patientSalt).to.equal(PATIENT_SALT);
      expect(withSalt.input.patientRef).to.equal(patientRef(sampleBill().patientId, PATIENT_SALT));
      expect(withSalt.input.contentHash).to.equal(plain.input.contentHash);
      const card = "0x" + "c4".repeat(32);
      const withRef = billRowToInput(row(1, { patientRef: card }), options);
      expect(withRef.input).to.deep.equal({ ...plain.input, patientRef: card });
      expect(billRowInput(saltBillRow(parseBillRow(row(1, { patientRef: card })), options), DOMAIN)).to.deep.equal(
        withRef.input,
      );
    });

    it("refuses an invalid row before deriving anything", () => {
      expect(() =>
        billRowToInput(row(1, { billCode: "33-06" }), { issuer: ISSUER, secret: "short", domain: DOMAIN }),
      ).to.throw(InvalidBillError, /billCode/);
      expect(() => billRowToInput(row(), { issuer: ISSUER, secret: "short", domain: DOMAIN })).to.throw(
        InvalidArgumentError,
        /secret/,
      );
    });
  });
});

/** A document as a row without a salt parses to. */
function without(bill: ReturnType<typeof sampleBill>): Record<string, unknown> {
  const { salt, ...rest } = bill;
  expect(salt).to.be.a("string");
  return rest;
}
