/**
 * Realistic synthetic medical bills for the consortium's hospitals in Hangzhou, Taizhou and Jinhua: departments,
 * items with unit prices in fen, totals that add up, Chinese names and resident ids with valid check digits.
 * Deterministic for a seed, so imports, tests and the benchmark can regenerate exactly the same bills.
 *
 * As a library: `import { makeBills } from "./make-bills"` and iterate `makeBills({ count, seed })`.
 * As a command:
 *   npx ts-node --transpile-only scripts/make-bills.ts --count 10000 --seed 1 --out bills.jsonl [--hospital hz-hospital]
 * (or `npm run make-bills -- --count ...`). `--out x.csv` writes the CSV import format instead of JSONL.
 */
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { billToJson, type MedicalBill, type BillItem } from "../src/bill";
import type { Consortium } from "../src/consortium";
import { readConsortiumFile } from "../src/consortium-accounts";
import { CSV_REQUIRED_COLUMNS } from "../tasks/lib/bill-rows";

/** A hospital bills are generated for. */
export interface SyntheticHospital {
  /** Consortium member id, e.g. `hz-hospital`. */
  readonly id: string;
  /** The hospital's name as printed on its bills (the consortium member's Chinese name). */
  readonly name: string;
  /** 6-digit administrative area code, the start of its bill code and of local resident ids. */
  readonly areaCode: string;
}

/** Area code of a hospital whose consortium entry gives none: Zhejiang province. */
const DEFAULT_AREA_CODE = "330000";

/**
 * The hospitals of a consortium file (members of kind `hospital`), as bills print them: the Chinese name when known,
 * and the member's `areaCode`.
 */
export function hospitalsOf(consortium: Consortium): SyntheticHospital[] {
  return consortium.members
    .filter((m) => m.kind === "hospital")
    .map((m) => ({ id: m.id, name: m.nameZh ?? m.name, areaCode: m.areaCode ?? DEFAULT_AREA_CODE }));
}

/** The hospitals of the consortium file (MEDBILL_CONSORTIUM, default `consortium/local.json`). */
export const HOSPITALS: readonly SyntheticHospital[] = hospitalsOf(readConsortiumFile(path.resolve(__dirname, "..")));

/** Options of {@link makeBills}. */
export interface MakeBillsOptions {
  /** How many bills. */
  readonly count: number;
  /** The seed: the same seed (and options) always gives the same bills. */
  readonly seed: number | string;
  /** Member ids of the hospitals to bill for (default: all three, in turn). */
  readonly hospitals?: readonly string[];
  /** Year of the bills' dates (default 2026); also the last two digits of the bill code. */
  readonly year?: number;
}

type Line = readonly [name: string, minFen: number, maxFen: number, maxQuantity: number];

/** Price lists by category: name, unit price range in fen, largest quantity. */
const CATALOGUE: Readonly<Record<string, readonly Line[]>> = {
  registration: [
    ["普通门诊挂号费", 500, 1_000, 1],
    ["专家门诊挂号费", 2_000, 5_000, 1],
    ["急诊挂号费", 1_000, 2_000, 1],
  ],
  consultation: [
    ["门诊诊查费", 1_000, 3_000, 1],
    ["专家诊查费", 3_000, 10_000, 1],
  ],
  drugs: [
    ["阿莫西林胶囊", 150, 300, 24],
    ["头孢克肟片", 400, 900, 12],
    ["布洛芬缓释胶囊", 80, 200, 20],
    ["复方甘草片", 20, 60, 30],
    ["氯雷他定片", 150, 400, 14],
    ["奥美拉唑肠溶胶囊", 120, 350, 28],
    ["二甲双胍缓释片", 50, 150, 60],
    ["硝苯地平控释片", 200, 500, 30],
    ["阿托伐他汀钙片", 300, 700, 28],
    ["0.9%氯化钠注射液", 300, 600, 6],
    ["连花清瘟胶囊", 60, 120, 36],
    ["板蓝根颗粒", 100, 200, 20],
  ],
  lab: [
    ["血常规", 1_500, 2_500, 1],
    ["尿常规", 800, 1_500, 1],
    ["肝功能", 4_000, 8_000, 1],
    ["肾功能", 3_000, 6_000, 1],
    ["血脂四项", 3_500, 6_000, 1],
    ["C反应蛋白", 2_000, 4_000, 1],
    ["糖化血红蛋白", 4_000, 7_000, 1],
  ],
  imaging: [
    ["胸部X线摄影", 6_000, 12_000, 1],
    ["腹部B超", 8_000, 15_000, 1],
    ["心电图", 2_000, 4_000, 1],
    ["头颅CT平扫", 20_000, 35_000, 1],
    ["膝关节MRI", 50_000, 80_000, 1],
  ],
  treatment: [
    ["静脉输液", 800, 1_500, 5],
    ["肌肉注射", 300, 800, 3],
    ["清创缝合术", 10_000, 30_000, 1],
    ["雾化吸入", 1_000, 2_500, 6],
    ["针灸治疗", 3_000, 6_000, 10],
    ["推拿治疗", 4_000, 8_000, 10],
  ],
  inpatient: [
    ["床位费", 5_000, 12_000, 14],
    ["护理费", 2_000, 5_000, 14],
    ["住院诊查费", 1_500, 3_000, 14],
  ],
};

/** Departments, with the categories a visit there draws lines from and how likely an inpatient stay is. */
const DEPARTMENTS: readonly { name: string; categories: readonly string[]; inpatient: number }[] = [
  { name: "内科", categories: ["consultation", "drugs", "lab", "imaging"], inpatient: 0.08 },
  { name: "外科", categories: ["consultation", "treatment", "drugs", "imaging"], inpatient: 0.12 },
  { name: "儿科", categories: ["consultation", "drugs", "lab", "treatment"], inpatient: 0.05 },
  { name: "妇产科", categories: ["consultation", "lab", "imaging", "drugs"], inpatient: 0.1 },
  { name: "心血管内科", categories: ["consultation", "drugs", "lab", "imaging"], inpatient: 0.1 },
  { name: "骨科", categories: ["consultation", "imaging", "treatment", "drugs"], inpatient: 0.12 },
  { name: "眼科", categories: ["consultation", "treatment", "drugs"], inpatient: 0.03 },
  { name: "耳鼻咽喉科", categories: ["consultation", "treatment", "drugs"], inpatient: 0.03 },
  { name: "皮肤科", categories: ["consultation", "drugs"], inpatient: 0.01 },
  { name: "急诊科", categories: ["treatment", "drugs", "lab", "imaging"], inpatient: 0.06 },
  { name: "中医科", categories: ["consultation", "treatment", "drugs"], inpatient: 0.02 },
];

const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严";
const GIVEN =
  "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲建国志强文斌海燕雪梅晓东子涵浩然欣怡宇轩梓萱一诺思远佳怡俊杰诗雨博文";

/** A small, fast, seedable PRNG (sfc32) seeded from any string or number. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    // cyrb128: four 32-bit seeds from the seed's text.
    const text = String(seed);
    let h1 = 1779033703,
      h2 = 3144134277,
      h3 = 1013904242,
      h4 = 2773480762;
    for (let i = 0; i < text.length; i++) {
      const k = text.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
    this.a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
    this.b = (h2 ^ h1) >>> 0;
    this.c = (h3 ^ h1) >>> 0;
    this.d = (h4 ^ h1) >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** 32 bytes as 0x-prefixed hex (never zero): a bill's salt, deterministic for the seed. Not for real bills. */
  bytes32(): string {
    let hex = "";
    for (let i = 0; i < 8; i++)
      hex += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, "0");
    return /^0+$/.test(hex) ? this.bytes32() : "0x" + hex;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a list. */
  pick<T>(list: ArrayLike<T>): T {
    return list[Math.floor(this.next() * list.length)];
  }
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

/** An 18-character resident id (GB 11643) with a valid check character. */
export function residentId(areaCode: string, birth: Date, sequence: number): string {
  const body = `${areaCode}${isoDate(birth).replace(/-/g, "")}${String(sequence).padStart(3, "0")}`;
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * ID_WEIGHTS[i], 0);
  return body + ID_CHECK[sum % 11];
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Generates `count` synthetic bills, deterministically for `seed`. Bill numbers are 10 digits, unique per hospital
 * and seed (consecutive from a seed-derived start); totals are the sum of the items, in fen.
 */
export function* makeBills(options: MakeBillsOptions): Generator<MedicalBill> {
  const { count, seed } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`count must be a whole number ≥ 0, got ${count}`);
  const hospitals = (options.hospitals ?? HOSPITALS.map((h) => h.id)).map((id) => {
    const hospital = HOSPITALS.find((h) => h.id === id);
    if (hospital === undefined) {
      throw new Error(`unknown hospital "${id}" (known: ${HOSPITALS.map((h) => h.id).join(", ")})`);
    }
    return hospital;
  });
  if (hospitals.length === 0) throw new Error("at least one hospital is needed");
  const year = options.year ?? 2026;
  const random = new SeededRandom(seed);
  // Salts from a stream of their own: the other fields are what they were before documents had a salt.
  const salts = new SeededRandom(`${seed}/salt`);
  const firstNumber = random.int(1, 899_999) * 10_000;
  const yearStart = Date.UTC(year, 0, 1);
  const daysInYear = (Date.UTC(year + 1, 0, 1) - yearStart) / 86_400_000;
  for (let i = 0; i < count; i++) {
    const hospital = hospitals[i % hospitals.length];
    const department = random.pick(DEPARTMENTS);
    const items: BillItem[] = [];
    const line = (entry: Line): void => {
      const [name, min, max, maxQuantity] = entry;
      const quantity = maxQuantity === 1 ? 1 : random.int(1, maxQuantity);
      items.push({ name, quantity, unitPrice: BigInt(random.int(min, max)) });
    };
    if (random.next() < department.inpatient) {
      const days = random.int(2, 14);
      for (const entry of CATALOGUE.inpatient) line([entry[0], entry[1], entry[2], 1]);
      for (const item of items) (item as { quantity: number }).quantity = days;
    } else {
      line(random.pick(CATALOGUE.registration));
    }
    const lines = random.int(1, 5);
    const used = new Set(items.map((item) => item.name));
    for (let j = 0; j < lines; j++) {
      const entry = random.pick(CATALOGUE[random.pick(department.categories)]);
      if (used.has(entry[0])) continue;
      used.add(entry[0]);
      line(entry);
    }
    const total = items.reduce((sum, item) => sum + BigInt(item.quantity) * item.unitPrice, 0n);
    const birth = new Date(Date.UTC(random.int(1940, 2024), random.int(0, 11), random.int(1, 28)));
    yield {
      hospital: hospital.name,
      billCode: `${hospital.areaCode}${String(year % 100).padStart(2, "0")}`,
      billNumber: String(firstNumber + Math.floor(i / hospitals.length)).padStart(10, "0"),
      patientName: random.pick(SURNAMES) + random.pick(GIVEN) + (random.next() < 0.6 ? random.pick(GIVEN) : ""),
      patientId: residentId(random.pick(HOSPITALS).areaCode, birth, random.int(0, 999)),
      department: department.name,
      items,
      total,
      currency: "CNY",
      issuedOn: isoDate(new Date(yearStart + random.int(0, daysInYear - 1) * 86_400_000)),
      salt: salts.bytes32(),
    };
  }
}

/** The columns make-bills writes in the CSV import format, in order: the document's, its salt last. */
export const CSV_COLUMNS = [...CSV_REQUIRED_COLUMNS, "salt"] as const;

/** A bill as its JSON form (amounts in fen as decimal strings): the SDK's {@link billToJson}. */
export function billJson(bill: MedicalBill): Record<string, unknown> {
  return { ...billToJson(bill) };
}

/** One line of the JSONL import format. */
export function jsonlLine(bill: MedicalBill): string {
  return JSON.stringify(billJson(bill));
}

/** One line of the CSV import format (items as a JSON array in their column). */
export function csvLine(bill: MedicalBill): string {
  const json = billJson(bill);
  return CSV_COLUMNS.map((column) => {
    const value = column === "items" ? JSON.stringify(json.items) : String(json[column]);
    return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  }).join(",");
}

/** Writes bills to a `.jsonl` or `.csv` file, streaming (constant memory). */
export async function writeBills(file: string, bills: Iterable<MedicalBill>): Promise<number> {
  const csv = path.extname(file).toLowerCase() === ".csv";
  const out = fs.createWriteStream(file, { encoding: "utf8" });
  let written = 0;
  try {
    if (csv && !out.write(CSV_COLUMNS.join(",") + "\n")) await once(out, "drain");
    for (const bill of bills) {
      if (!out.write((csv ? csvLine(bill) : jsonlLine(bill)) + "\n")) await once(out, "drain");
      written++;
    }
  } finally {
    out.end();
    await once(out, "close");
  }
  return written;
}

function parseArgs(argv: readonly string[]): { count: number; seed: string; out: string; hospitals?: string[] } {
  const usage =
    "usage: make-bills --count N --seed S --out file.jsonl|file.csv [--hospital hz-hospital|tz-hospital|jh-hospital|all]";
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(usage + "\n");
      process.exit(0);
    }
    const match = /^--(count|seed|out|hospital)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new Error(`unknown argument "${arg}"\n${usage}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${match[1]} needs a value\n${usage}`);
    values[match[1]] = value;
  }
  if (values.count === undefined || !/^\d+$/.test(values.count))
    throw new Error(`--count must be a whole number\n${usage}`);
  if (values.out === undefined) throw new Error(`--out is required\n${usage}`);
  const hospital = values.hospital ?? "all";
  return {
    count: Number(values.count),
    seed: values.seed ?? "1",
    out: values.out,
    hospitals: hospital === "all" ? undefined : hospital.split(","),
  };
}

async function main(): Promise<void> {
  try {
    const args = parseArgs(process.argv.slice(2));
    const started = Date.now();
    const written = await writeBills(
      args.out,
      makeBills({ count: args.count, seed: args.seed, hospitals: args.hospitals }),
    );
    process.stderr.write(`wrote ${written} bills to ${args.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
