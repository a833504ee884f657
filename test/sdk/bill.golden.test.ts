/**
 * Golden vectors of the bill document, version 2 (docs/bill-document.md, docs/bill-document.vectors.json).
 *
 * The expected values are computed here INDEPENDENTLY of the SDK: the EIP-712 types are written out in this file
 * (never taken from the SDK's `BILL_TYPES`), hashed twice (raw keccak256/ABI encoding, and ethers'
 * `TypedDataEncoder`), and checked against the committed vector file; then the SDK must give the same hashes. A change
 * of a field's name, order or type in the SDK (e.g. `quantity` uint32 → uint64) fails here.
 */
import { createHmac } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, keccak256, toUtf8Bytes, TypedDataEncoder, type TypedDataField } from "ethers";
import {
  billTypedData,
  billRowToInput,
  deriveBillSalt,
  hashBill,
  parseBill,
  patientRef,
  toBillInput,
  billToJson,
  DOMAIN_NAME,
  DOMAIN_VERSION,
} from "../../src";

/** The fixed types of DESIGN.md, written out by hand. */
const BILL_ITEM_TYPE = "BillItem(string name,uint32 quantity,uint256 unitPrice)";
const MEDICAL_BILL_TYPE =
  "MedicalBill(string hospital,string billCode,string billNumber,string patientName,string patientId," +
  "string department,BillItem[] items,uint256 total,string currency,string issuedOn,bytes32 salt)";
const TYPES: Record<string, TypedDataField[]> = {
  MedicalBill: [
    { name: "hospital", type: "string" },
    { name: "billCode", type: "string" },
    { name: "billNumber", type: "string" },
    { name: "patientName", type: "string" },
    { name: "patientId", type: "string" },
    { name: "department", type: "string" },
    { name: "items", type: "BillItem[]" },
    { name: "total", type: "uint256" },
    { name: "currency", type: "string" },
    { name: "issuedOn", type: "string" },
    { name: "salt", type: "bytes32" },
  ],
  BillItem: [
    { name: "name", type: "string" },
    { name: "quantity", type: "uint32" },
    { name: "unitPrice", type: "uint256" },
  ],
};

interface VectorDocument {
  hospital: string;
  billCode: string;
  billNumber: string;
  patientName: string;
  patientId: string;
  department: string;
  items: { name: string; quantity: number; unitPrice: string }[];
  total: string;
  currency: string;
  issuedOn: string;
  salt: string;
}

interface Vectors {
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  domainSeparator: string;
  types: { MedicalBill: string; BillItem: string };
  typeHashes: { MedicalBill: string; BillItem: string };
  documents: {
    name: string;
    document: VectorDocument;
    structHash: string;
    contentHash: string;
    patientIdDigest: string;
    patientRef: string;
    patientSalt?: string;
    patientRefWithPatientSalt?: string;
  }[];
  saltDerivation: {
    secret: string;
    issuer: string;
    billCode: string;
    billNumber: string;
    hmacMessage: string;
    salt: string;
  }[];
}

const ROOT = path.join(__dirname, "..", "..");
const VECTORS: Vectors = JSON.parse(fs.readFileSync(path.join(ROOT, "docs", "bill-document.vectors.json"), "utf8"));
const DOC = fs.readFileSync(path.join(ROOT, "docs", "bill-document.md"), "utf8");
const abi = AbiCoder.defaultAbiCoder();
const keccakText = (text: string): string => keccak256(toUtf8Bytes(text));

/** EIP-712 hashStruct of a document, by hand: typeHash, then each field as one 32-byte word. */
function rawStructHash(d: VectorDocument): string {
  const itemTypeHash = keccakText(BILL_ITEM_TYPE);
  const items = d.items.map((item) =>
    keccak256(
      abi.encode(
        ["bytes32", "bytes32", "uint32", "uint256"],
        [itemTypeHash, keccakText(item.name), item.quantity, BigInt(item.unitPrice)],
      ),
    ),
  );
  const itemsHash = keccak256("0x" + items.map((h) => h.slice(2)).join(""));
  return keccak256(
    abi.encode(
      [
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "uint256",
        "bytes32",
        "bytes32",
        "bytes32",
      ],
      [
        keccakText(MEDICAL_BILL_TYPE + BILL_ITEM_TYPE),
        keccakText(d.hospital),
        keccakText(d.billCode),
        keccakText(d.billNumber),
        keccakText(d.patientName),
        keccakText(d.patientId),
        keccakText(d.department),
        itemsHash,
        BigInt(d.total),
        keccakText(d.currency),
        keccakText(d.issuedOn),
        d.salt,
      ],
    ),
  );
}

function rawDomainSeparator(): string {
  const { name, version, chainId, verifyingContract } = VECTORS.domain;
  return keccak256(
    abi.encode(
      ["bytes32", "bytes32", "bytes32", "uint256", "address"],
      [
        keccakText("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
        keccakText(name),
        keccakText(version),
        chainId,
        verifyingContract,
      ],
    ),
  );
}

const rawContentHash = (structHash: string): string =>
  keccak256("0x1901" + rawDomainSeparator().slice(2) + structHash.slice(2));

const rawPatientRef = (salt: string, patientId: string): string =>
  keccak256(abi.encode(["bytes32", "bytes32"], [salt, keccakText(patientId)]));

const message = (d: VectorDocument) => ({ ...d, items: d.items.map((i) => ({ ...i })) });
const domain = () => ({ chainId: BigInt(VECTORS.domain.chainId), verifyingContract: VECTORS.domain.verifyingContract });

describe("bill document v2: golden vectors (docs/bill-document.vectors.json)", () => {
  describe("the vector file, recomputed without the SDK", () => {
    it("has the fixed types of DESIGN.md and their type hashes", () => {
      expect(VECTORS.types.BillItem).to.equal(BILL_ITEM_TYPE);
      expect(VECTORS.types.MedicalBill).to.equal(MEDICAL_BILL_TYPE + BILL_ITEM_TYPE);
      const encoder = TypedDataEncoder.from(TYPES);
      expect(encoder.encodeType("MedicalBill")).to.equal(MEDICAL_BILL_TYPE + BILL_ITEM_TYPE);
      expect(encoder.encodeType("BillItem")).to.equal(BILL_ITEM_TYPE);
      expect(VECTORS.typeHashes.MedicalBill).to.equal(keccakText(MEDICAL_BILL_TYPE + BILL_ITEM_TYPE));
      expect(VECTORS.typeHashes.BillItem).to.equal(keccakText(BILL_ITEM_TYPE));
    });

    it('has the domain {name "MedBill", version "2"} and its separator', () => {
      expect(VECTORS.domain.name).to.equal("MedBill");
      expect(VECTORS.domain.version).to.equal("2");
      expect(VECTORS.domainSeparator).to.equal(rawDomainSeparator());
      expect(VECTORS.domainSeparator).to.equal(TypedDataEncoder.hashDomain(VECTORS.domain));
    });

    for (const v of VECTORS.documents) {
      it(`${v.name}: struct hash, content hash and patient refs, by raw ABI encoding and by TypedDataEncoder`, () => {
        expect(v.structHash).to.equal(rawStructHash(v.document));
        expect(v.structHash).to.equal(TypedDataEncoder.from(TYPES).hash(message(v.document)));
        expect(v.contentHash).to.equal(rawContentHash(v.structHash));
        expect(v.contentHash).to.equal(TypedDataEncoder.hash(VECTORS.domain, TYPES, message(v.document)));
        expect(v.patientIdDigest).to.equal(keccakText(v.document.patientId));
        expect(v.patientRef).to.equal(rawPatientRef(v.document.salt, v.document.patientId));
        if (v.patientSalt !== undefined) {
          expect(v.patientRefWithPatientSalt).to.equal(rawPatientRef(v.patientSalt, v.document.patientId));
        }
      });
    }

    it("has the salt derivation: HMAC-SHA256 over the message the docs define", () => {
      for (const d of VECTORS.saltDerivation) {
        expect(d.hmacMessage).to.equal(`medbill:bill-salt:v2:${d.issuer.toLowerCase()}:${d.billCode}-${d.billNumber}`);
        expect(d.salt).to.equal("0x" + createHmac("sha256", d.secret).update(d.hmacMessage, "utf8").digest("hex"));
      }
    });

    it("is written down in docs/bill-document.md, value for value", () => {
      const values = [
        VECTORS.types.MedicalBill,
        VECTORS.typeHashes.MedicalBill,
        VECTORS.typeHashes.BillItem,
        VECTORS.domainSeparator,
        ...VECTORS.documents.flatMap((v) => [v.structHash, v.contentHash, v.patientRef, v.document.salt]),
        ...VECTORS.saltDerivation.map((d) => d.salt),
      ];
      for (const value of values) expect(DOC, value).to.include(value);
    });
  });

  describe("the SDK gives the same values", () => {
    it("uses the domain name and version of the vectors", () => {
      expect(DOMAIN_NAME).to.equal(VECTORS.domain.name);
      expect(DOMAIN_VERSION).to.equal(VECTORS.domain.version);
    });

    for (const v of VECTORS.documents) {
      it(`${v.name}: hashBill, billTypedData, toBillInput and billToJson`, () => {
        const bill = parseBill(v.document);
        expect(hashBill(bill, domain())).to.equal(v.contentHash);
        const typed = billTypedData(bill, domain());
        const encoder = TypedDataEncoder.from(typed.types);
        expect(encoder.encodeType("MedicalBill")).to.equal(VECTORS.types.MedicalBill);
        expect(encoder.hash(typed.message)).to.equal(v.structHash);
        expect(TypedDataEncoder.hash(typed.domain, typed.types, typed.message)).to.equal(v.contentHash);
        const input = toBillInput(bill, undefined, domain());
        expect(input.contentHash).to.equal(v.contentHash);
        expect(input.patientRef).to.equal(v.patientRef);
        expect(patientRef(bill.patientId, bill.salt)).to.equal(v.patientRef);
        if (v.patientSalt !== undefined) {
          expect(toBillInput(bill, v.patientSalt, domain()).patientRef).to.equal(v.patientRefWithPatientSalt);
        }
        expect(billToJson(bill)).to.deep.equal(v.document);
      });
    }

    it("derives a row's salt as the vectors say (deriveBillSalt, billRowToInput)", () => {
      for (const d of VECTORS.saltDerivation) {
        expect(deriveBillSalt(d.secret, d.issuer, d)).to.equal(d.salt);
      }
      const [d] = VECTORS.saltDerivation;
      const [v] = VECTORS.documents;
      const { salt, ...row } = { ...v.document, billCode: d.billCode, billNumber: d.billNumber };
      expect(salt).to.be.a("string");
      const out = billRowToInput(row, { issuer: d.issuer, secret: d.secret, domain: domain() });
      expect(out.saltDerived).to.equal(true);
      expect(out.bill.salt).to.equal(d.salt);
    });
  });
});
