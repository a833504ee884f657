import { expect } from "chai";
import fc from "fast-check";
import {
  AbiCoder,
  decodeBytes32String,
  encodeBytes32String,
  keccak256,
  toUtf8Bytes,
  TypedDataEncoder,
  Wallet,
  hexlify,
  verifyTypedData,
} from "ethers";
import {
  BILL_TYPES,
  InvalidAmountError,
  InvalidArgumentError,
  InvalidBillError,
  MAX_AMOUNT,
  billDomain,
  billIdOf,
  billNumberOf,
  billToJson,
  billTypedData,
  formatYuan,
  hashBill,
  parseBill,
  parseBillInput,
  parseBillJson,
  parseYuan,
  patientIdDigest,
  patientRef,
  randomSalt,
  toBillInput,
  toBytes32,
  toFen,
  type MedicalBill,
} from "../../src";
import { sampleBill } from "./fixture";

const DOMAIN = { chainId: 31337n, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const SALT = "0x" + "5a".repeat(32);

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidBillError);
    return [...(e as InvalidBillError).issues];
  }
  throw new Error("expected InvalidBillError");
}

describe("bill document", () => {
  describe("parseBill", () => {
    it("accepts a valid document, with amounts as bigint, safe integers or decimal strings", () => {
      const bill = sampleBill();
      expect(parseBill(bill)).to.deep.equal(bill);
      const json = JSON.parse(JSON.stringify(billToJson(bill)));
      expect(parseBill(json)).to.deep.equal(bill);
      const numbers = {
        ...json,
        total: 36650,
        items: json.items.map((i: { unitPrice: string }) => ({ ...i, unitPrice: Number(i.unitPrice) })),
      };
      expect(parseBill(numbers)).to.deep.equal(bill);
      expect(parseBillJson(JSON.stringify(billToJson(bill)))).to.deep.equal(bill);
    });

    it("lists every field at fault in one error", () => {
      const issues = issuesOf(() =>
        parseBill({
          hospital: "",
          billCode: "33-06",
          billNumber: 12,
          patientName: " 张三",
          patientId: "abc",
          department: "Card\u0007iology",
          items: [{ name: "x", quantity: 1.5, unitPrice: 1.25 }, { name: "y", quantity: 0, unitPrice: -1 }, "z"],
          total: 3.5,
          currency: "yuan",
          issuedOn: "2024-02-30",
          extra: true,
        }),
      );
      const paths = issues.map((i) => i.path);
      for (const path of [
        "hospital",
        "billCode",
        "billNumber",
        "patientName",
        "patientId",
        "department",
        "items.0.quantity",
        "items.0.unitPrice",
        "items.1.quantity",
        "items.1.unitPrice",
        "items.2",
        "total",
        "currency",
        "issuedOn",
        "salt",
      ]) {
        expect(paths, path).to.include(path);
      }
      expect(issues.some((i) => /extra/.test(i.message))).to.equal(true);
      const err = (() => {
        try {
          parseBill({});
        } catch (e) {
          return e as InvalidBillError;
        }
      })()!;
      expect(err.issues.length).to.be.greaterThanOrEqual(11); // every required field named
      expect(err.message)
        .to.match(/hospital/)
        .and.match(/issuedOn/)
        .and.match(/salt/);
    });

    it("refuses a document without its salt (version 1) with a message saying so, and a zero or malformed salt", () => {
      const { salt, ...v1 } = billToJson(sampleBill());
      expect(salt).to.match(/^0x[0-9a-f]{64}$/);
      expect(issuesOf(() => parseBill(v1))).to.deep.equal([
        {
          path: "salt",
          message:
            "salt is required: a bill document (version 2) carries 32 random bytes chosen by its issuer, as 0x-prefixed hex",
        },
      ]);
      expect(() => parseBillJson(JSON.stringify(v1))).to.throw(InvalidBillError, /salt is required/);
      expect(() => hashBill(v1 as never, DOMAIN)).to.throw(InvalidBillError, /salt is required/);
      const at = (value: unknown) => issuesOf(() => parseBill({ ...v1, salt: value }));
      expect(at("0x" + "00".repeat(32))).to.deep.equal([{ path: "salt", message: "salt must not be zero" }]);
      for (const bad of ["0x12", "5a".repeat(32), "0x" + "zz".repeat(32), 42, null]) {
        expect(at(bad).map((i) => i.path)).to.deep.equal(["salt"]);
      }
      // Upper-case hex is accepted and written back lower-case: one document, one hash.
      const upper = parseBill({ ...v1, salt: salt.toUpperCase().replace("0X", "0x") });
      expect(upper.salt).to.equal(salt);
      expect(hashBill(upper, DOMAIN)).to.equal(hashBill(sampleBill(), DOMAIN));
    });

    it("refuses floats, overflowing and non-numeric amounts", () => {
      const bill = sampleBill();
      const at = (total: unknown) => issuesOf(() => parseBill({ ...bill, total })).map((i) => i.path);
      expect(at(366.5)).to.include("total");
      expect(at("366.50")).to.include("total");
      expect(at(Number.MAX_SAFE_INTEGER + 2)).to.include("total");
      expect(at(NaN)).to.include("total");
      expect(at(Infinity)).to.include("total");
      expect(at("1e5")).to.include("total");
      expect(at("0x10")).to.include("total");
      expect(at(null)).to.include("total");
      expect(at(MAX_AMOUNT + 1n)).to.include("total");
      expect(at(0n)).to.include("total");
      const huge = { ...bill, items: [{ name: "x", quantity: 1, unitPrice: MAX_AMOUNT }], total: MAX_AMOUNT };
      expect(parseBill(huge).total).to.equal(MAX_AMOUNT);
    });

    it("requires the items to add up to the total", () => {
      const issues = issuesOf(() => parseBill({ ...sampleBill(), total: 36_651n }));
      expect(issues).to.deep.equal([
        { path: "total", message: "items add up to 36650 fen, not the total of 36651 fen" },
      ]);
    });

    it("refuses malformed JSON and values that are not documents", () => {
      expect(issuesOf(() => parseBillJson("{ not json"))[0].message).to.match(/not valid JSON/);
      expect(issuesOf(() => parseBill(null))[0].path).to.equal("");
      expect(issuesOf(() => parseBill([]))[0].path).to.equal("");
      expect(issuesOf(() => parseBill("a bill"))[0].path).to.equal("");
      expect(issuesOf(() => parseBill({ ...sampleBill(), items: [] }))[0].path).to.equal("items");
      expect(issuesOf(() => parseBill({ ...sampleBill(), items: {} }))[0].path).to.equal("items");
    });
  });

  describe("hashBill", () => {
    it("is the EIP-712 hash with domain MedBill/2 that a wallet signs", async () => {
      const bill = sampleBill();
      const domain = { name: "MedBill", version: "2", ...DOMAIN };
      const types = { MedicalBill: [...BILL_TYPES.MedicalBill], BillItem: [...BILL_TYPES.BillItem] };
      const expected = TypedDataEncoder.hash(domain, types, bill as unknown as Record<string, unknown>);
      expect(hashBill(bill, DOMAIN)).to.equal(expected);
      const typed = billTypedData(bill, DOMAIN);
      expect(typed.primaryType).to.equal("MedicalBill");
      expect(typed.domain).to.deep.equal(billDomain(DOMAIN));
      const wallet = Wallet.createRandom();
      const signature = await wallet.signTypedData(typed.domain, typed.types, typed.message);
      expect(verifyTypedData(typed.domain, typed.types, typed.message, signature)).to.equal(wallet.address);
      expect(TypedDataEncoder.hash(typed.domain, typed.types, typed.message)).to.equal(expected);
    });

    it("never equals the version-1 hash of the same bill (domain version 1, no salt)", () => {
      const bill = sampleBill();
      const { salt, ...v1 } = bill;
      const v1Types = {
        MedicalBill: BILL_TYPES.MedicalBill.filter((f) => f.name !== "salt"),
        BillItem: [...BILL_TYPES.BillItem],
      };
      const v1Hash = TypedDataEncoder.hash({ name: "MedBill", version: "1", ...DOMAIN }, v1Types, v1 as never);
      expect(salt).to.be.a("string");
      expect(hashBill(bill, DOMAIN)).to.not.equal(v1Hash);
      expect(billDomain(DOMAIN).version).to.equal("2");
    });

    it("changes with every field, the chain and the registry", () => {
      const base = hashBill(sampleBill(), DOMAIN);
      const variants: MedicalBill[] = [
        sampleBill(1, { hospital: "台州市中心医院" }),
        sampleBill(1, { billCode: "33060124" }),
        sampleBill(2),
        sampleBill(1, { patientName: "李四" }),
        sampleBill(1, { patientId: "33010219900101124X" }),
        sampleBill(1, { department: "Oncology" }),
        sampleBill(1, { currency: "USD" }),
        sampleBill(1, { issuedOn: "2024-03-16" }),
        sampleBill(1, { items: [{ name: "CT", quantity: 1, unitPrice: 36_650n }] }),
        sampleBill(1, { salt: randomSalt() }),
      ];
      const hashes = new Set([base, ...variants.map((b) => hashBill(b, DOMAIN))]);
      hashes.add(hashBill(sampleBill(), { ...DOMAIN, chainId: 1n }));
      hashes.add(hashBill(sampleBill(), { ...DOMAIN, verifyingContract: Wallet.createRandom().address }));
      expect(hashes.size).to.equal(variants.length + 3);
    });

    it("equals ethers' TypedDataEncoder.hash for random documents (repeated strings and items included)", () => {
      const text = fc
        .string({ minLength: 1, maxLength: 40, unit: "grapheme" })
        .filter((t) => t.trim() === t && ![...t].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127));
      const alnum = fc.stringMatching(/^[0-9A-Za-z]{1,32}$/);
      const item = fc.record({
        name: fc.constantFrom("CT scan", "挂号费", "X"),
        quantity: fc.integer({ min: 1, max: 5 }),
        unitPrice: fc.bigInt({ min: 0n, max: 10n ** 9n }),
      });
      const bill = fc
        .record({
          hospital: fc.oneof(text, fc.constant("杭州市第一人民医院")),
          billCode: alnum,
          billNumber: alnum,
          patientName: text,
          patientId: fc.stringMatching(/^[0-9A-Z]{6,32}$/),
          department: text,
          items: fc.array(item, { minLength: 1, maxLength: 4 }),
          currency: fc.constantFrom("CNY", "USD"),
          issuedOn: fc.constantFrom("2024-01-31", "2024-02-29", "1999-12-31"),
          salt: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b)),
        })
        .filter((b) => !/^0x0{64}$/.test(b.salt))
        .filter((b) => b.items.some((i) => i.unitPrice > 0n))
        .map((b): MedicalBill => ({
          ...b,
          total: b.items.reduce((sum, i) => sum + BigInt(i.quantity) * i.unitPrice, 0n),
        }));
      const types = { MedicalBill: [...BILL_TYPES.MedicalBill], BillItem: [...BILL_TYPES.BillItem] };
      fc.assert(
        fc.property(bill, fc.integer({ min: 1, max: 2 ** 40 }), (b, chainId) => {
          const domain = { ...DOMAIN, chainId: BigInt(chainId) };
          const expected = TypedDataEncoder.hash({ name: "MedBill", version: "2", ...domain }, types, b as never);
          expect(hashBill(b, domain)).to.equal(expected);
        }),
        { numRuns: 300 },
      );
    });

    it("validates the document and the domain", () => {
      expect(() => hashBill({ ...sampleBill(), total: 1n }, DOMAIN)).to.throw(InvalidBillError);
      expect(() => hashBill(sampleBill(), { chainId: 0n, verifyingContract: DOMAIN.verifyingContract })).to.throw(
        InvalidArgumentError,
      );
      expect(() => hashBill(sampleBill(), { chainId: 1n, verifyingContract: "0x12" })).to.throw(InvalidArgumentError);
    });
  });

  describe("toBillInput, patientRef, billNumberOf, billIdOf", () => {
    it("derives the on-chain input as documented", () => {
      const bill = sampleBill();
      const input = toBillInput(bill, SALT, DOMAIN);
      const digest = keccak256(toUtf8Bytes("33010219900101123X"));
      expect(patientIdDigest(" 33010219900101123x ")).to.equal(digest);
      const ref = keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [SALT, digest]));
      expect(input).to.deep.equal({
        billNumber: encodeBytes32String("33060123-0000000001"),
        patientRef: ref,
        contentHash: hashBill(bill, DOMAIN),
        amount: 36_650n,
      });
      expect(patientRef(bill.patientId, SALT)).to.equal(ref);
      // Without the patient's own secret, the bill's salt makes the commitment.
      expect(toBillInput(bill, undefined, DOMAIN).patientRef).to.equal(patientRef(bill.patientId, bill.salt));
      expect(toBillInput(bill, undefined, DOMAIN).contentHash).to.equal(input.contentHash);
      expect(patientRef(bill.patientId, randomSalt())).to.not.equal(ref);
      expect(() => patientRef(bill.patientId, "0x1234")).to.throw(InvalidArgumentError);
      expect(() => patientIdDigest("  ")).to.throw(InvalidArgumentError);
    });

    it("packs the bill number readably, hashing it when longer than 31 bytes", () => {
      const short = billNumberOf({ billCode: "33060123", billNumber: "0000000001" });
      expect(decodeBytes32String(short)).to.equal("33060123-0000000001");
      const long = billNumberOf({ billCode: "A".repeat(20), billNumber: "B".repeat(20) });
      expect(long).to.equal(keccak256(toUtf8Bytes("A".repeat(20) + "-" + "B".repeat(20))));
      expect(() => billNumberOf({ billCode: "33-06", billNumber: "1" })).to.throw(InvalidArgumentError);
    });

    it("computes billIdOf as keccak256(abi.encode(issuer, billNumber))", () => {
      const issuer = Wallet.createRandom().address;
      const number = encodeBytes32String("X-1");
      const expected = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [issuer, number]));
      expect(billIdOf(issuer, number)).to.equal(expected);
      expect(billIdOf(issuer.toLowerCase(), number)).to.equal(expected);
    });

    it("parseBillInput checks a hand-made input, listing every fault", () => {
      const good = {
        billNumber: "0x" + "AB".repeat(32),
        patientRef: "0x" + "01".repeat(32),
        contentHash: "0x" + "02".repeat(32),
        amount: "5",
      };
      expect(parseBillInput(good)).to.deep.equal({ ...good, billNumber: good.billNumber.toLowerCase(), amount: 5n });
      const issues = issuesOf(() =>
        parseBillInput({ billNumber: "0x" + "00".repeat(32), patientRef: "0x12", amount: 1.5 }),
      );
      expect(issues.map((i) => i.path)).to.deep.equal(["billNumber", "patientRef", "contentHash", "amount"]);
    });

    it("toBytes32 packs short text, hashes long text, keeps 32-byte hex", () => {
      expect(toBytes32("SS-1")).to.equal(encodeBytes32String("SS-1"));
      expect(toBytes32("x".repeat(32))).to.equal(keccak256(toUtf8Bytes("x".repeat(32))));
      expect(toBytes32("0x" + "AB".repeat(32))).to.equal("0x" + "ab".repeat(32));
      expect(toBytes32("")).to.equal("0x" + "00".repeat(32));
    });
  });

  describe("formatYuan and parseYuan", () => {
    it("convert between fen and yuan without floats", () => {
      expect(formatYuan(12_345n)).to.equal("123.45");
      expect(formatYuan(5)).to.equal("0.05");
      expect(formatYuan(0n)).to.equal("0.00");
      expect(formatYuan(-150n)).to.equal("-1.50");
      expect(formatYuan(MAX_AMOUNT)).to.equal("10995116277.75");
      expect(parseYuan("123.45")).to.equal(12_345n);
      expect(parseYuan("8")).to.equal(800n);
      expect(parseYuan("0.1")).to.equal(10n);
      expect(parseYuan("-2.05")).to.equal(-205n);
      expect(parseYuan("10995116277.75")).to.equal(MAX_AMOUNT);
      for (let fen = 0n; fen < 1000n; fen += 7n) expect(parseYuan(formatYuan(fen))).to.equal(fen);
    });

    it("refuse more than two decimals, exponents, separators, numbers and floats", () => {
      for (const bad of ["1.234", "1e3", "1,000.00", "", " ", ".5", "5.", "¥5", "0x10", "NaN"]) {
        expect(() => parseYuan(bad), bad).to.throw(InvalidAmountError);
      }
      expect(() => parseYuan(12.5 as unknown as string)).to.throw(InvalidAmountError);
      expect(() => formatYuan(1.5)).to.throw(InvalidAmountError);
    });

    it("toFen bounds amounts to 1..MAX_AMOUNT by default", () => {
      expect(toFen(1)).to.equal(1n);
      expect(toFen("42")).to.equal(42n);
      expect(() => toFen(0)).to.throw(InvalidAmountError);
      expect(() => toFen(-1n)).to.throw(InvalidAmountError);
      expect(() => toFen(MAX_AMOUNT + 1n)).to.throw(InvalidAmountError);
      expect(() => toFen(0.5)).to.throw(InvalidAmountError);
      expect(() => toFen({})).to.throw(InvalidAmountError);
      expect(toFen(0, "x", { allowZero: true })).to.equal(0n);
    });
  });
});
