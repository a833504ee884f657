import { expect } from "chai";
import { ethers } from "hardhat";
import { encodeBytes32String, keccak256, toUtf8Bytes } from "ethers";
import {
  InvalidArgumentError,
  LEDGER_CSV_COLUMNS,
  claimRefText,
  compareLedgerRows,
  ledgerCsvHeader,
  ledgerFromCsv,
  ledgerRowFromJson,
  ledgerRowOf,
  ledgerRowToJson,
  ledgerToCsv,
  ledgerTotals,
  ledgerTotalsToJson,
  readLedger,
  type LedgerRow,
} from "../../src";
import { registryFixture, sampleBill } from "./fixture";

const BILL = "0x" + "11".repeat(32);
const TX = "0x" + "aa".repeat(32);
const CLAIMER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

function row(overrides: Partial<LedgerRow> = {}): LedgerRow {
  return {
    billId: BILL,
    claimer: CLAIMER,
    claimRef: encodeBytes32String("SS-2026-0001"),
    amount: 12_345n,
    totalReimbursed: 20_000n,
    blockNumber: 7,
    blockTime: 1_764_460_800,
    txHash: TX,
    logIndex: 2,
    ...overrides,
  };
}

describe("SDK: the reconciliation ledger (src/ledger.ts)", () => {
  it("gives a row in JSON with fen as decimal strings, the packed claim reference as text and the ISO time", () => {
    expect(ledgerRowToJson(row())).to.deep.equal({
      billId: BILL,
      claimer: CLAIMER,
      claimRef: encodeBytes32String("SS-2026-0001"),
      claimRefText: "SS-2026-0001",
      amount: "12345",
      totalReimbursed: "20000",
      blockNumber: 7,
      blockTime: 1_764_460_800,
      time: "2025-11-30T00:00:00.000Z",
      txHash: TX,
      logIndex: 2,
    });
  });

  it("reads a row back from its JSON and refuses a bad field by name", () => {
    const r = row();
    expect(ledgerRowFromJson(JSON.parse(JSON.stringify(ledgerRowToJson(r))))).to.deep.equal(r);
    expect(() => ledgerRowFromJson({ ...ledgerRowToJson(r), amount: 5 }))
      .to.throw(InvalidArgumentError)
      .with.property("argument", "amount");
    expect(() => ledgerRowFromJson({ ...ledgerRowToJson(r), blockTime: -1 })).to.throw(/blockTime/);
    expect(() => ledgerRowFromJson(null)).to.throw(InvalidArgumentError);
  });

  it("gives no text for a hashed claim reference", () => {
    expect(claimRefText(keccak256(toUtf8Bytes("a claim reference longer than thirty-one bytes")))).to.equal(null);
    expect(claimRefText("0x" + "00".repeat(32))).to.equal(null);
    expect(claimRefText(encodeBytes32String("医保-1"))).to.equal("医保-1");
  });

  it("writes CSV with the fixed header, fen and yuan, and reads it back", () => {
    const rows = [row(), row({ billId: "0x" + "22".repeat(32), amount: 5n, logIndex: 3 })];
    const csv = ledgerToCsv(rows);
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).to.equal(LEDGER_CSV_COLUMNS.join(",")).and.equal(ledgerCsvHeader());
    expect(lines[1].split(",").slice(3, 7)).to.deep.equal(["SS-2026-0001", "12345", "123.45", "20000"]);
    expect(lines[2].split(",")[5]).to.equal("0.05");
    expect(ledgerFromCsv(csv)).to.deep.equal(rows);
  });

  it("quotes a claim reference with a comma or quote and defuses a spreadsheet formula", () => {
    const comma = row({ claimRef: encodeBytes32String('a,"b"') });
    const formula = row({ claimRef: encodeBytes32String("=SUM(A1)") });
    const csv = ledgerToCsv([comma, formula]);
    expect(csv).to.include(`,"a,""b""",`);
    expect(csv).to.include(",'=SUM(A1),");
    expect(ledgerFromCsv(csv)).to.deep.equal([comma, formula]);
  });

  it("refuses CSV with another header or a short line, naming the line", () => {
    expect(() => ledgerFromCsv("billId,amount\n")).to.throw(/header/);
    expect(() => ledgerFromCsv(ledgerCsvHeader() + "\n0x12,3\n")).to.throw(/line 2/);
    const bad = ledgerToCsv([row()]).replace("12345", "x");
    expect(() => ledgerFromCsv(bad)).to.throw(/line 2.*amount/);
  });

  it("totals count, distinct bills and the sum, in fen and yuan", () => {
    const rows = [row(), row({ amount: 55n }), row({ billId: "0x" + "33".repeat(32), amount: 100n })];
    const totals = ledgerTotals(rows);
    expect(totals).to.deep.equal({ count: 3, bills: 2, amount: 12_500n });
    expect(ledgerTotalsToJson(totals)).to.deep.equal({ count: 3, bills: 2, amount: "12500", amountYuan: "125.00" });
    expect(ledgerTotals([])).to.deep.equal({ count: 0, bills: 0, amount: 0n });
  });

  it("orders rows as the chain does", () => {
    const rows = [row({ blockNumber: 9, logIndex: 0 }), row({ blockNumber: 7, logIndex: 5 }), row({ logIndex: 1 })];
    expect(rows.sort(compareLedgerRows).map((r) => [r.blockNumber, r.logIndex])).to.deep.equal([
      [7, 1],
      [7, 5],
      [9, 0],
    ]);
  });

  it("reads a payer's ledger from the chain with block times, filtered by time and claim reference", async () => {
    const f = await registryFixture();
    const a = await f.hospital.issue(sampleBill(1));
    const b = await f.hospital.issue(sampleBill(2));
    const paid = await f.socialSecurity.reimburse(a.billId, 1_000n, "SS-1");
    await f.insurer.reimburse(a.billId, 2_000n, "INS-1");
    await f.socialSecurity.reimburse(b.billId, 3_000n, "SS-2");
    const rows: LedgerRow[] = [];
    for await (const r of readLedger(f.reader, { claimer: f.signers.socialSecurity.address })) rows.push(r);
    expect(rows.map((r) => [r.billId, r.amount, ledgerRowToJson(r).claimRefText])).to.deep.equal([
      [a.billId, 1_000n, "SS-1"],
      [b.billId, 3_000n, "SS-2"],
    ]);
    const block = await ethers.provider.getBlock(paid.blockNumber);
    expect(rows[0]).to.deep.include({ blockNumber: paid.blockNumber, blockTime: block!.timestamp });
    expect(rows[0].txHash).to.equal(paid.txHash.toLowerCase());
    expect(ledgerRowOf({ ...rows[0], txHash: paid.txHash }, rows[0].blockTime)).to.deep.equal(rows[0]);

    const only = [];
    for await (const r of readLedger(f.reader, { claimer: f.signers.socialSecurity.address, claimRef: "SS-2" })) {
      only.push(r.billId);
    }
    expect(only).to.deep.equal([b.billId]);
    const none = [];
    const after = rows[1].blockTime + 1;
    for await (const r of readLedger(f.reader, { claimer: f.signers.socialSecurity.address, fromTime: after })) {
      none.push(r);
    }
    expect(none).to.have.length(0);
    const first = [];
    const claimer = f.signers.socialSecurity.address;
    for await (const r of readLedger(f.reader, { claimer, toTime: rows[0].blockTime })) first.push(r.billId);
    expect(first).to.deep.equal([a.billId]);
  });
});
