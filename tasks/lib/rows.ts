import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { CliError } from "./errors";

/** One record of an import file: its 1-based line number and either its fields or why it could not be parsed. */
export type RawRow =
  | { readonly line: number; readonly fields: Record<string, unknown>; readonly error?: undefined }
  | { readonly line: number; readonly fields?: undefined; readonly error: string };

/** The formats `bill:import` reads. */
export type RowFormat = "jsonl" | "csv";

/** The format of an import file, from its extension (`.jsonl`/`.ndjson` or `.csv`). */
export function formatOf(file: string): RowFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".csv") return "csv";
  throw new CliError(`cannot tell the format of ${file}: expected a .jsonl or .csv file`);
}

/** Checks that `file` exists and is a readable regular file. */
export function checkReadableFile(file: string, what = "file"): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new CliError(`${what} not found: ${file}`);
  }
  if (!stat.isFile()) throw new CliError(`${what} is not a regular file: ${file}`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new CliError(`${what} is not readable: ${file}`);
  }
}

async function* lines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const input = fs.createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 16 });
  const reader = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of reader) {
      line++;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, "") : text };
    }
  } finally {
    reader.close();
    input.destroy();
  }
}

/**
 * Streams the records of a JSONL file (one JSON object a line; blank lines are skipped) or a CSV file (a header line
 * naming the columns, then one record a line; quoted fields may hold commas, doubled quotes and line breaks).
 * Memory stays flat whatever the file's size.
 *
 * @param requiredColumns - For CSV: the columns the header must have.
 * @param optionalColumns - For CSV: the other columns it may have (any other column is refused).
 * @throws {@link CliError} when the CSV header lacks a required column or has an unknown one.
 */
export async function* readRows(
  file: string,
  requiredColumns: readonly string[] = [],
  optionalColumns: readonly string[] = [],
): AsyncGenerator<RawRow> {
  if (formatOf(file) === "jsonl") {
    for await (const { line, text } of lines(file)) {
      if (text.trim().length === 0) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        yield { line, error: `not valid JSON (${(error as Error).message})` };
        continue;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        yield { line, error: "expected a JSON object (one bill document a line)" };
        continue;
      }
      yield { line, fields: value as Record<string, unknown> };
    }
    return;
  }
  let header: string[] | undefined;
  let pending = "";
  let startLine = 0;
  for await (const { line, text } of lines(file)) {
    if (pending.length === 0) {
      if (text.trim().length === 0) continue;
      startLine = line;
      pending = text;
    } else {
      pending += "\n" + text;
    }
    const parsed = parseCsvRecord(pending);
    if (parsed === undefined) continue; // a quoted field goes on to the next line
    pending = "";
    if (header === undefined) {
      header = parsed.map((name) => name.trim());
      const missing = requiredColumns.filter((column) => !header?.includes(column));
      if (missing.length > 0) {
        throw new CliError(
          `${path.basename(file)}: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} in the CSV header (line ${startLine})`,
        );
      }
      const known = [...requiredColumns, ...optionalColumns];
      const unknown = requiredColumns.length === 0 ? [] : header.filter((column) => !known.includes(column));
      if (unknown.length > 0) {
        throw new CliError(
          `${path.basename(file)}: unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} in the CSV header (line ${startLine}; expected ${known.join(", ")})`,
        );
      }
      continue;
    }
    if (parsed.length !== header.length) {
      yield { line: startLine, error: `expected ${header.length} columns, found ${parsed.length}` };
      continue;
    }
    const fields: Record<string, unknown> = {};
    header.forEach((name, i) => (fields[name] = parsed[i]));
    yield { line: startLine, fields };
  }
  if (pending.length > 0) yield { line: startLine, error: "unterminated quoted field at the end of the file" };
  if (header === undefined && requiredColumns.length > 0) {
    throw new CliError(`${path.basename(file)}: empty CSV file, expected a header with ${requiredColumns.join(", ")}`);
  }
}

/**
 * Parses one CSV record (RFC 4180: `,` separated, `"` quoted, `""` for a quote inside quotes).
 *
 * @returns The fields, or `undefined` when the record ends inside a quoted field (it continues on the next line).
 */
export function parseCsvRecord(record: string): string[] | undefined {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < record.length) {
    const c = record[i];
    if (quoted) {
      if (c === '"') {
        if (record[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field.length === 0) {
      quoted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else {
      field += c;
    }
    i++;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** Quotes a CSV field when needed (commas, quotes, line breaks, leading or trailing spaces). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
