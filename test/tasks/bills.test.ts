import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  MedBillClient,
  DEV_SALT_SECRET,
  billIdOf,
  billNumberOf,
  billToJson,
  decodeBillUri,
  deriveBillSalt,
  patientRef,
  type MedicalBillJson,
} from "../../src";
import { VERIFY_EXIT_CODES } from "../../tasks/bills";
import { CliError } from "../../tasks/lib/errors";
import {
  bills,
  deployedRegistryFixture,
  field,
  readQr,
  removeTempDirs,
  runTask,
  tempDir,
  writeBillFile,
} from "./helpers";

const HZ = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // account 1, hz-hospital

describe("tasks: bill:issue, bill:reimburse, bill:show, bill:verify, bill:qr", function () {
  after(removeTempDirs);

  async function issuedFixture() {
    const { registry } = await deployedRegistryFixture();
    const dir = tempDir();
    const [bill] = bills(1, "tasks-bills");
    const file = writeBillFile(dir, bill);
    const run = await runTask<{ billId: string; uri: string; salt: string }>("bill:issue", {
      file,
      registry,
      qr: path.join(dir, "bill.png"),
    });
    if (run.error) throw run.error;
    return { registry, dir, bill, file, run, billId: run.result!.billId, uri: run.result!.uri };
  }

  describe("bill:issue", function () {
    it("issues the document as the hospital it names, prints billId, URI, salt and a terminal QR, and writes the PNG", async function () {
      const { registry, bill, run, billId, uri, dir } = await loadFixture(issuedFixture);
      expect(billId).to.equal(billIdOf(HZ, billNumberOf(bill)));
      expect(field(run.stdout, "billId")).to.equal(billId);
      expect(field(run.stdout, "uri")).to.equal(uri);
      expect(decodeBillUri(uri)).to.include({ billId, registry, chainId: 31337n });
      expect(field(run.stdout, "issuer")).to.contain("hz-hospital");
      expect(run.stdout).to.contain("█"); // the terminal QR
      expect(readQr(path.join(dir, "bill.png"))).to.equal(uri);
      const client = await MedBillClient.connect(registry, hre.ethers.provider);
      expect((await client.verify(uri, bill)).verdict).to.equal("genuine");
    });

    it("refuses a bill already on chain, sending nothing", async function () {
      const { run, bill, registry, dir } = await loadFixture(issuedFixture);
      const again = await runTask("bill:issue", { file: writeBillFile(dir, bill, {}, "again.json"), registry });
      expect(again.error?.message).to.match(/already on chain.*nothing sent/);
      expect(run.result!.salt).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("uses the salt given in the file", async function () {
      const { registry } = await loadFixture(deployedRegistryFixture);
      const [bill] = bills(1, "tasks-salt");
      const salt = "0x" + "ab".repeat(32);
      const run = await runTask<{ salt: string; document: MedicalBillJson }>("bill:issue", {
        file: writeBillFile(tempDir(), bill, { salt }),
        registry,
      });
      expect(run.error).to.equal(undefined);
      expect(run.result!.salt).to.equal(salt);
      expect(run.result!.document).to.deep.equal(billToJson({ ...bill, salt }));
    });

    it("derives the salt of a file without one, prints it and returns the completed document; patientSalt makes patientRef", async function () {
      const { registry } = await loadFixture(deployedRegistryFixture);
      const dir = tempDir();
      const [bill, other] = bills(2, "tasks-derived");
      const run = await runTask<{ salt: string; patientRef: string; document: MedicalBillJson; uri: string }>(
        "bill:issue",
        { file: writeBillFile(dir, bill, { salt: undefined }), registry },
      );
      expect(run.error).to.equal(undefined);
      const salt = deriveBillSalt(DEV_SALT_SECRET, HZ, bill);
      expect(run.result!.salt).to.equal(salt);
      expect(field(run.stdout, "salt")).to.equal(`${salt} (derived; part of the document the patient receives)`);
      const complete = { ...bill, salt };
      expect(run.result!.document).to.deep.equal(billToJson(complete));
      expect(run.result!.patientRef).to.equal(patientRef(bill.patientId, salt));
      const client = await MedBillClient.connect(registry, hre.ethers.provider);
      expect((await client.verify(run.result!.uri, complete)).verdict).to.equal("genuine");

      const patientSalt = "0x" + "7c".repeat(32);
      const card = await runTask<{ patientRef: string; salt: string }>("bill:issue", {
        file: writeBillFile(dir, other, { salt: undefined, patientSalt }, "card.json"),
        registry,
      });
      expect(card.error).to.equal(undefined);
      expect(card.result!.salt).to.equal(deriveBillSalt(DEV_SALT_SECRET, HZ, other));
      expect(card.result!.patientRef).to.equal(patientRef(other.patientId, patientSalt));
      expect(field(card.stdout, "patientRef")).to.equal(card.result!.patientRef);
    });

    it("refuses a missing file, an invalid document, an unknown member and another hospital's bill, sending nothing", async function () {
      const { registry } = await loadFixture(deployedRegistryFixture);
      const dir = tempDir();
      const [bill] = bills(1, "tasks-bad");
      const blockBefore = await hre.ethers.provider.getBlockNumber();
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ file: path.join(dir, "missing.json") }, /^file not found: .*missing\.json$/],
        [{}, /^--file is required$/],
        [{ file: writeBillFile(dir, bill, { total: "1" }, "t.json") }, /is not a valid bill: total: items add up to/],
        [{ file: writeBillFile(dir, bill, { salt: "0x12" }, "s.json") }, /salt must be 32 bytes/],
        [
          { file: writeBillFile(dir, bill, { patientSalt: "0x" + "00".repeat(32) }, "p.json") },
          /is not a valid bill: patientSalt: patientSalt must not be zero$/,
        ],
        [
          { file: writeBillFile(dir, bill, {}, "m.json"), as: "nobody" },
          /^unknown member "nobody" \(known: finance, hz-hospital/,
        ],
        [
          { file: writeBillFile(dir, bill, {}, "o.json"), as: "tz-hospital" },
          /hospital .* is hz-hospital, not --as tz-hospital/,
        ],
        [
          { file: writeBillFile(dir, bill, {}, "q.json"), qr: path.join(dir, "nodir", "x.png") },
          /--qr: directory not found/,
        ],
        [{ file: writeBillFile(dir, bill, {}, "r.json"), registry: "0x1234" }, /--registry "0x1234" is not an address/],
      ];
      for (const [args, message] of cases) {
        const run = await runTask("bill:issue", { registry, ...args });
        expect(run.error, JSON.stringify(args)).to.be.instanceOf(CliError);
        expect(run.error!.message).to.match(message);
        expect(run.error!.message).not.to.contain("\n");
      }
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(blockBefore);
    });

    it("names the member lacking the issuer role", async function () {
      const { registry } = await loadFixture(deployedRegistryFixture);
      const [bill] = bills(1, "tasks-role");
      const run = await runTask("bill:issue", { file: writeBillFile(tempDir(), bill), registry, as: "insurer" });
      // the document's hospital is hz-hospital: --as must match it
      expect(run.error!.message).to.match(/is hz-hospital, not --as insurer/);
      await runTask("roles:revoke", { role: "issuer", member: "hz", registry });
      const revoked = await runTask("bill:issue", { file: writeBillFile(tempDir(), bill), registry });
      expect(revoked.error!.message).to.match(
        /^Hangzhou First People's Hospital \(hz-hospital\) lacks the issuer role/,
      );
    });
  });

  describe("bill:reimburse", function () {
    it("reimburses in yuan by id or URI and prints status and amounts", async function () {
      const { registry, billId, uri, bill } = await loadFixture(issuedFixture);
      const first = await runTask("bill:reimburse", {
        bill: billId,
        amount: "1.5",
        claimRef: "SS-1",
        as: "social-security",
        registry,
      });
      expect(first.error).to.equal(undefined);
      expect(first.stdout).to.contain(
        `reimbursed 1.50 yuan of bill ${billId} as Zhejiang Provincial Social Security Fund`,
      );
      expect(field(first.stdout, "status")).to.equal("PartiallyReimbursed");
      expect(field(first.stdout, "reimbursed")).to.equal("1.50 yuan");
      const rest = (bill.total - 150n).toString();
      const restYuan = `${rest.slice(0, -2) || "0"}.${rest.slice(-2).padStart(2, "0")}`;
      expect(field(first.stdout, "remaining")).to.equal(`${restYuan} yuan`);
      const second = await runTask("bill:reimburse", {
        bill: uri,
        amount: restYuan,
        claimRef: "INS-9",
        as: "insurer",
        registry,
      });
      expect(second.error).to.equal(undefined);
      expect(field(second.stdout, "status")).to.equal("Reimbursed");
      expect(field(second.stdout, "remaining")).to.equal("0.00 yuan");
    });

    it("refuses bad amounts, bills and members before sending anything", async function () {
      const { registry, billId } = await loadFixture(issuedFixture);
      const blockBefore = await hre.ethers.provider.getBlockNumber();
      const base = { bill: billId, amount: "1", claimRef: "C-1", as: "social-security", registry };
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ amount: "1.234" }, /^--amount 1\.234 has more than two decimals/],
        [{ amount: "-5" }, /^--amount must be more than zero, got -5$/],
        [{ amount: "0" }, /^--amount must be more than zero/],
        [{ amount: "ten" }, /^--amount "ten" is not a number of yuan/],
        [{ amount: "1e3" }, /^--amount "1e3" is not a number of yuan/],
        [{ amount: undefined }, /^--amount is required/],
        [{ bill: "medbill:31337/0xnothex/0x12?h=0x34" }, /^--bill: invalid bill URI: /],
        [{ bill: "12345" }, /^--bill: "12345" is neither a bill id/],
        [{ bill: "0x" + "0".repeat(64) }, /must not be zero/],
        [{ as: "nobody" }, /^unknown member "nobody"/],
        [{ as: undefined }, /^--as is required/],
        [{ claimRef: undefined }, /^--claim-ref is required/],
        [{ bill: "0x" + "1".repeat(64) }, /^no bill 0x1{64} on registry .*nothing sent$/],
        [{ amount: "99999999" }, /^reimbursement of 99999999\.00 yuan exceeds the .* yuan left on bill/],
        [{ as: "payment-platform" }, /^Zhejiang Public Payment Platform \(payment-platform\) lacks the claimer role/],
      ];
      for (const [args, message] of cases) {
        const run = await runTask("bill:reimburse", { ...base, ...args });
        expect(run.error, JSON.stringify(args)).to.be.instanceOf(CliError);
        expect(run.error!.message, JSON.stringify(args)).to.match(message);
      }
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(blockBefore);
      await runTask("bill:reimburse", base);
      const twice = await runTask("bill:reimburse", { ...base, claimRef: "C-2" });
      expect(twice.error!.message).to.match(/social-security\) already reimbursed bill/);
    });
  });

  describe("bill:show", function () {
    it("prints status, yuan amounts, the issuer by name and the history with times and member names", async function () {
      const { registry, billId, uri, bill } = await loadFixture(issuedFixture);
      await runTask("bill:reimburse", {
        bill: billId,
        amount: "2",
        claimRef: "SS-77",
        as: "social-security",
        registry,
      });
      const run = await runTask("bill:show", { bill: uri, registry });
      expect(run.error).to.equal(undefined);
      expect(field(run.stdout, "status")).to.equal("PartiallyReimbursed");
      expect(field(run.stdout, "reimbursed")).to.equal("2.00 yuan");
      expect(field(run.stdout, "amount")).to.equal(`${(Number(bill.total) / 100).toFixed(2)} yuan`);
      expect(field(run.stdout, "issuer")).to.equal("Hangzhou First People's Hospital (hz-hospital)");
      expect(run.stdout).to.match(
        /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}issued .* by Hangzhou First People's Hospital/,
      );
      expect(run.stdout).to.match(
        /UTC {2}reimbursed {2}2\.00 yuan by Zhejiang Provincial Social Security Fund \(social-security\), claim SS-77/,
      );
    });

    it("refuses an unknown bill and a malformed argument", async function () {
      const { registry } = await loadFixture(issuedFixture);
      expect((await runTask("bill:show", { bill: "0x" + "2".repeat(64), registry })).error!.message).to.match(
        /^no bill 0x2{64}/,
      );
      expect((await runTask("bill:show", { registry })).error!.message).to.match(/^bill is required/);
      expect((await runTask("bill:show", { bill: "medbill:1/x", registry })).error!.message).to.match(
        /invalid bill URI/,
      );
    });
  });

  describe("bill:verify", function () {
    it("says genuine for the document and its URI, tampered for a changed one, unknown and voided", async function () {
      const { registry, bill, file, uri, billId, dir } = await loadFixture(issuedFixture);
      const byFile = await runTask<{ verdict: string }>("bill:verify", { file, registry });
      expect(byFile.result!.verdict).to.equal("genuine");
      expect(byFile.stdout).to.match(/^GENUINE: /);
      const byUri = await runTask<{ verdict: string }>("bill:verify", { uri, registry });
      expect(byUri.result!.verdict).to.equal("genuine");
      const tampered = writeBillFile(dir, { ...bill, patientName: "某某" }, {}, "tampered.json");
      const t = await runTask<{ verdict: string }>("bill:verify", { file: tampered, registry });
      expect(t.result!.verdict).to.equal("tampered");
      expect(t.stdout).to.match(/^TAMPERED: /);
      const badHash = uri.replace(/h=0x[0-9a-f]{64}/, "h=0x" + "5".repeat(64));
      expect((await runTask<{ verdict: string }>("bill:verify", { uri: badHash, registry })).result!.verdict).to.equal(
        "tampered",
      );
      const [other] = bills(1, "never-issued");
      const u = await runTask<{ verdict: string }>("bill:verify", {
        file: writeBillFile(dir, other, {}, "u.json"),
        registry,
      });
      expect(u.result!.verdict).to.equal("unknown");
      const [, hz] = await hre.ethers.getSigners();
      await (await MedBillClient.connect(registry, hz)).voidBill(billId, "WRONG-PATIENT");
      expect((await runTask<{ verdict: string }>("bill:verify", { file, registry })).result!.verdict).to.equal(
        "voided",
      );
      expect(VERIFY_EXIT_CODES).to.deep.equal({ genuine: 0, tampered: 2, unknown: 3, voided: 4 });
    });

    it("refuses missing input, a document without its salt, a bare id as --uri, a malformed URI and a URI of another chain", async function () {
      const { registry, billId, uri, bill, dir } = await loadFixture(issuedFixture);
      expect((await runTask("bill:verify", { registry })).error!.message).to.match(/^give --file/);
      const v1 = writeBillFile(dir, bill, { salt: undefined }, "v1.json");
      expect((await runTask("bill:verify", { file: v1, registry })).error!.message).to.match(
        /v1\.json is not a valid bill: salt: salt is required: a bill document \(version 2\) carries 32 random bytes/,
      );
      expect((await runTask("bill:verify", { uri: billId, registry })).error!.message).to.match(/not a bare bill id/);
      expect((await runTask("bill:verify", { uri: uri.slice(0, -1), registry })).error!.message).to.match(
        /content hash has 63 hex digits/,
      );
      const otherChain = uri.replace("medbill:31337/", "medbill:5/");
      expect((await runTask("bill:verify", { uri: otherChain, registry })).error!.message).to.match(
        /the bill URI is for chain 5, but network "hardhat" serves chain 31337/,
      );
    });
  });

  describe("bill:qr", function () {
    it("writes the bill's URI as a PNG QR code and draws it", async function () {
      const { registry, billId, uri, dir } = await loadFixture(issuedFixture);
      const out = path.join(dir, "qr.png");
      const run = await runTask("bill:qr", { bill: billId, out, registry });
      expect(run.error).to.equal(undefined);
      expect(field(run.stdout, "uri")).to.equal(uri);
      expect(readQr(out)).to.equal(uri);
      expect(run.stdout).to.contain("▀");
    });

    it("refuses an unknown bill, a missing --out and a non-PNG name", async function () {
      const { registry, billId, dir } = await loadFixture(issuedFixture);
      expect(
        (await runTask("bill:qr", { bill: "0x" + "3".repeat(64), out: path.join(dir, "x.png"), registry })).error!
          .message,
      ).to.match(/^no bill/);
      expect((await runTask("bill:qr", { bill: billId, registry })).error!.message).to.equal("--out is required");
      expect(
        (await runTask("bill:qr", { bill: billId, out: path.join(dir, "x.jpg"), registry })).error!.message,
      ).to.match(/must name a \.png file/);
      expect(fs.existsSync(path.join(dir, "x.png"))).to.equal(false);
    });
  });
});
