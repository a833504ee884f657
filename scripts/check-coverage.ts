/**
 * Enforces the registry's coverage after `hardhat coverage` (run by `npm run coverage`): reads the Istanbul data that
 * solidity-coverage writes to `coverage.json`, prints line, branch, statement and function figures for each contract,
 * lists what is not covered, and exits non-zero unless every file in {@link REQUIRED} has 100 % of its lines and
 * branches covered.
 *
 * Usage: `npx ts-node scripts/check-coverage.ts [coverage.json]`
 */
import fs from "node:fs";
import path from "node:path";

/** Contracts that must be fully covered (lines and branches), as paths relative to the project root. */
export const REQUIRED: readonly string[] = ["contracts/BillRegistry.sol"];

/** A source position in Istanbul's data. */
interface Position {
  line: number;
  column: number;
}

/** One file's Istanbul coverage data as solidity-coverage writes it (only the fields read here). */
interface FileCoverage {
  path: string;
  /** Hits per source line. */
  l: Record<string, number>;
  /** Hits per statement. */
  s: Record<string, number>;
  /** Hits per function. */
  f: Record<string, number>;
  /** Hits per branch arm (e.g. `[taken, not taken]` for an `if` or a `require`-like modifier). */
  b: Record<string, number[]>;
  branchMap: Record<string, { line: number; type: string; locations: { start: Position; end: Position }[] }>;
  fnMap: Record<string, { name: string; line: number }>;
}

/** Covered / total for one measure. */
export interface Figure {
  covered: number;
  total: number;
}

/** The four Istanbul measures of one file, and what it leaves uncovered. */
export interface FileReport {
  file: string;
  lines: Figure;
  branches: Figure;
  statements: Figure;
  functions: Figure;
  /** Source lines never executed. */
  uncoveredLines: number[];
  /** Branch arms never taken, as `line <n> (<type>) arm <i>`. */
  uncoveredBranches: string[];
  /** Functions never called. */
  uncoveredFunctions: string[];
}

/** Percentage with two decimals; an empty measure counts as fully covered. */
export function pct(figure: Figure): number {
  return figure.total === 0 ? 100 : Math.floor((figure.covered / figure.total) * 10_000) / 100;
}

function count(hits: number[]): Figure {
  return { covered: hits.filter((hit) => hit > 0).length, total: hits.length };
}

/** Summarises one file's Istanbul data. */
export function summarise(file: string, data: FileCoverage): FileReport {
  const uncoveredBranches: string[] = [];
  for (const [id, arms] of Object.entries(data.b)) {
    const branch = data.branchMap[id];
    arms.forEach((hits, arm) => {
      if (hits === 0) uncoveredBranches.push(`line ${branch?.line ?? "?"} (${branch?.type ?? "branch"}) arm ${arm}`);
    });
  }
  return {
    file,
    lines: count(Object.values(data.l)),
    branches: count(Object.values(data.b).flat()),
    statements: count(Object.values(data.s)),
    functions: count(Object.values(data.f)),
    uncoveredLines: Object.entries(data.l)
      .filter(([, hits]) => hits === 0)
      .map(([line]) => Number(line))
      .sort((a, b) => a - b),
    uncoveredBranches,
    uncoveredFunctions: Object.entries(data.f)
      .filter(([, hits]) => hits === 0)
      .map(([id]) => data.fnMap[id]?.name ?? `function #${id}`),
  };
}

function format(figure: Figure): string {
  return `${pct(figure).toFixed(2).padStart(6)} % (${figure.covered}/${figure.total})`;
}

function main(): void {
  const root = path.resolve(__dirname, "..");
  const input = path.resolve(root, process.argv[2] ?? "coverage.json");
  if (!fs.existsSync(input)) {
    console.error(`check-coverage: ${path.relative(root, input)} not found; run \`npm run coverage\` first`);
    process.exit(1);
  }
  const raw = JSON.parse(fs.readFileSync(input, "utf8")) as Record<string, FileCoverage>;
  const reports = new Map<string, FileReport>();
  for (const [key, data] of Object.entries(raw)) {
    // solidity-coverage keys files by their path relative to the root; accept absolute paths too.
    const file = path
      .relative(root, path.resolve(root, data.path ?? key))
      .split(path.sep)
      .join("/");
    reports.set(file, summarise(file, data));
  }

  console.log("Coverage of the contracts (lines, branches, statements, functions):");
  for (const report of reports.values()) {
    console.log(
      `  ${report.file}\n    lines ${format(report.lines)}  branches ${format(report.branches)}` +
        `  statements ${format(report.statements)}  functions ${format(report.functions)}`,
    );
  }

  const failures: string[] = [];
  for (const file of REQUIRED) {
    const report = reports.get(file);
    if (report === undefined) {
      failures.push(`${file}: no coverage data (was it skipped in .solcover.js or not compiled?)`);
      continue;
    }
    if (pct(report.lines) < 100) {
      failures.push(`${file}: lines ${format(report.lines)}; uncovered lines ${report.uncoveredLines.join(", ")}`);
    }
    if (pct(report.branches) < 100) {
      failures.push(
        `${file}: branches ${format(report.branches)}; not taken:\n      ${report.uncoveredBranches.join("\n      ")}`,
      );
    }
    if (report.uncoveredFunctions.length > 0) {
      console.log(`  note: ${file} has uncalled functions: ${report.uncoveredFunctions.join(", ")}`);
    }
  }

  if (failures.length > 0) {
    console.error(`\nCoverage below the required 100 % of lines and branches:\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`\nOK: ${REQUIRED.join(", ")} at 100 % of lines and branches.`);
}

if (require.main === module) main();
