import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { parseBill } from "../../src";
import { HOSPITALS, jsonlLine, makeBills, residentId, writeBills } from "../../scripts/make-bills";
import { readRows } from "../../tasks/lib/rows";
import { CSV_OPTIONAL_COLUMNS, CSV_REQUIRED_COLUMNS } from "../../tasks/lib/bill-rows";
import { removeTempDirs, tempDir } from "./helpers";
import { startScript } from "./cli";

describe("scripts/make-bills.ts: synthetic bills", function () {
  after(removeTempDirs);

  it("is deterministic for a seed and differs between seeds", function () {
    const a = [...makeBills({ count: 50, seed: 7 })].map(jsonlLine);
    const b = [...makeBills({ count: 50, seed: 7 })].map(jsonlLine);
    const c = [...makeBills({ count: 50, seed: 8 })].map(jsonlLine);
    expect(a).to.deep.equal(b);
    expect(a.filter((line, i) => line === c[i])).to.have.length(0);
  });

  it("makes valid documents whose items add up to the total, for the three cities' hospitals in turn", function () {
    const list = [...makeBills({ count: 300, seed: "valid" })];
    for (const bill of list) {
      expect(() => parseBill(bill)).not.to.throw();
      expect(bill.items.reduce((sum, item) => sum + BigInt(item.quantity) * item.unitPrice, 0n)).to.equal(bill.total);
    }
    expect(new Set(list.map((b) => b.hospital))).to.deep.equal(new Set(HOSPITALS.map((h) => h.name)));
    expect(list[0].hospital).to.equal("杭州市第一人民医院");
    expect(list[1].hospital).to.equal("台州市中心医院");
    const numbers = list.map((b) => `${b.billCode}-${b.billNumber}`);
    expect(new Set(numbers).size).to.equal(list.length);
    expect(new Set(list.map((b) => b.department)).size).to.be.greaterThan(5);
  });

  it("gives resident ids a valid GB 11643 check character", function () {
    expect(residentId("110105", new Date(Date.UTC(1949, 11, 31)), 2)).to.equal("11010519491231002X");
    for (const bill of makeBills({ count: 100, seed: "ids" })) expect(bill.patientId).to.match(/^\d{17}[\dX]$/);
  });

  it("refuses an unknown hospital", function () {
    expect(() => [...makeBills({ count: 1, seed: 1, hospitals: ["nowhere"] })]).to.throw(/unknown hospital "nowhere"/);
  });

  it("writes JSONL and CSV that the import reads back, and runs as a command", async function () {
    const dir = tempDir();
    const csv = path.join(dir, "b.csv");
    await writeBills(csv, makeBills({ count: 20, seed: "csv" }));
    const rows = [];
    for await (const row of readRows(csv, CSV_REQUIRED_COLUMNS, CSV_OPTIONAL_COLUMNS)) rows.push(row);
    expect(rows).to.have.length(20);
    expect(rows[0].line).to.equal(2);
    expect(JSON.parse(String(rows[0].fields!.items))).to.be.an("array");

    const out = path.join(dir, "cli.jsonl");
    const run = await startScript("scripts/make-bills.ts", [
      "--count",
      "30",
      "--seed",
      "cli",
      "--out",
      out,
      "--hospital",
      "jh-hospital",
    ]).done;
    expect(run.code, run.stderr).to.equal(0);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    expect(lines).to.deep.equal([...makeBills({ count: 30, seed: "cli", hospitals: ["jh-hospital"] })].map(jsonlLine));
    const bad = await startScript("scripts/make-bills.ts", ["--count", "x", "--out", out]).done;
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^Error: --count must be a whole number/);
  });
});
