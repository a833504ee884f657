/**
 * Helpers for the task tests: run a task in-process and capture what it prints, deploy a registry with the
 * consortium's roles as a `loadFixture` fixture, and write bill files.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { PNG } from "pngjs";
import jsQR from "jsqr";
import { deployRegistry } from "../../scripts/deploy";
import { jsonlLine, makeBills, billJson } from "../../scripts/make-bills";
import type { MedicalBill } from "../../src";

/** What a task printed, and what it returned or threw. */
export interface TaskRun<T> {
  readonly stdout: string;
  readonly stderr: string;
  readonly result?: T;
  readonly error?: Error;
}

/** Runs a task in-process (`hre.run`), capturing stdout and stderr; never throws (the error is returned). */
export async function runTask<T = unknown>(name: string, args: Record<string, unknown> = {}): Promise<TaskRun<T>> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = (await hre.run(name, args)) as T;
    return { stdout, stderr, result };
  } catch (error) {
    return { stdout, stderr, error: error as Error };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** A registry deployed by `scripts/deploy.ts` on the in-process network, every member holding its role. */
export async function deployedRegistryFixture(): Promise<{ registry: string }> {
  const outcome = await deployRegistry(hre);
  return { registry: outcome.address };
}

/** A fresh temporary directory, removed by {@link removeTempDirs}. */
const dirs: string[] = [];
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-tasks-"));
  dirs.push(dir);
  return dir;
}

/** Removes every directory made by {@link tempDir}. */
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Synthetic bills of one hospital (deterministic for the seed). */
export function bills(count: number, seed: string, hospital = "hz-hospital"): MedicalBill[] {
  return [...makeBills({ count, seed, hospitals: [hospital] })];
}

/** Writes one bill document as JSON (amounts as strings of fen), with extra fields if given. */
export function writeBillFile(
  dir: string,
  bill: MedicalBill,
  extra: Record<string, unknown> = {},
  name = "bill.json",
): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ ...billJson(bill), ...extra }, null, 2));
  return file;
}

/** Writes bills as JSONL. */
export function writeJsonl(dir: string, list: readonly MedicalBill[], name = "bills.jsonl"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, list.map((b) => jsonlLine(b) + "\n").join(""));
  return file;
}

/** Decodes the QR code in a PNG file. */
export function readQr(file: string): string | undefined {
  const png = PNG.sync.read(fs.readFileSync(file));
  return jsQR(Uint8ClampedArray.from(png.data), png.width, png.height)?.data;
}

/** The value printed after `key` on a `key  value` line. */
export function field(stdout: string, key: string): string | undefined {
  const line = stdout.split("\n").find((l) => new RegExp(`^${key} {2,}\\S`).test(l));
  return line?.slice(key.length).trim();
}
