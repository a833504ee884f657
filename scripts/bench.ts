/**
 * MedBill benchmark: gas per operation next to EAS, ERC-721 and ERC721A (with each MedBill operation's floor), then
 * the throughput of replaying generated bills through the SDK's `issueMany` to a `hardhat node`. Prints a Markdown
 * report and writes `latest.json`, `latest.md` and `gas-per-bill.svg` to `bench/results/`.
 *
 * Usage (after `npx hardhat compile`, which `npm run bench` does first):
 *   npm run bench                      # 50,000 bills replayed, then 5,000 reimbursements by two payers
 *   npm run bench -- --full            # 600,000 bills: Zhejiang's first two weeks, then 60,000 reimbursements
 *   npm run bench -- --bills 2000 --sample 100 --out /tmp/bench --quick --no-progress
 *
 * Then the service section (scripts/bench/service.ts): intake, indexer catch-up and the patientRef query, written to
 * service.json and service.md; `--no-service` leaves it out, `--service-only` runs only it.
 *
 * Options: --bills N, --sample N, --batch-size N (default 300), --in-flight N (default 16), --chunk-size N
 * (default 6,000), --out DIR, --quick (no floor for baseline rows of more than 10 items: tracing them is slow),
 * --no-throughput, --no-progress.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { renderChart } from "./bench/chart";
import { checkBuild, measureGas } from "./bench/gas";
import { checkAims, FLOOR_METHOD, renderMarkdown, type BenchResults } from "./bench/report";
import { benchService, renderServiceMarkdown } from "./bench/service";
import { replay, ZHEJIANG } from "./bench/throughput";

/** Parsed command line. */
interface Args {
  full: boolean;
  bills: number;
  sample: number;
  batchSize: number;
  inFlight: number;
  chunkSize: number;
  out: string;
  quick: boolean;
  throughput: boolean;
  progress: boolean;
  service: boolean;
  serviceOnly: boolean;
}

const USAGE =
  "usage: npm run bench -- [--full] [--bills N] [--sample N] [--batch-size N] [--in-flight N] [--chunk-size N] " +
  "[--out DIR] [--quick] [--no-throughput] [--no-progress] [--no-service] [--service-only]";

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    full: false,
    bills: 50_000,
    sample: 5_000,
    batchSize: 300,
    inFlight: 16,
    chunkSize: 6_000,
    out: path.resolve(__dirname, "..", "bench", "results"),
    quick: false,
    throughput: true,
    progress: true,
    service: true,
    serviceOnly: false,
  };
  let billsGiven = false;
  let sampleGiven = false;
  const count = (flag: string, value: string | undefined, min: number): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isSafeInteger(parsed) || parsed < min) {
      throw new Error(`${flag} needs a whole number ≥ ${min}, got ${value === undefined ? "nothing" : `"${value}"`}`);
    }
    return parsed;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case "--full":
        args.full = true;
        break;
      case "--bills":
        args.bills = count(flag, argv[++i], 1);
        billsGiven = true;
        break;
      case "--sample":
        args.sample = count(flag, argv[++i], 0);
        sampleGiven = true;
        break;
      case "--batch-size":
        args.batchSize = count(flag, argv[++i], 1);
        break;
      case "--in-flight":
        args.inFlight = count(flag, argv[++i], 1);
        break;
      case "--chunk-size":
        args.chunkSize = count(flag, argv[++i], 1);
        break;
      case "--out":
        if (argv[i + 1] === undefined) throw new Error("--out needs a directory");
        args.out = path.resolve(argv[++i]);
        break;
      case "--quick":
        args.quick = true;
        break;
      case "--no-throughput":
        args.throughput = false;
        break;
      case "--no-progress":
        args.progress = false;
        break;
      case "--no-service":
        args.service = false;
        break;
      case "--service-only":
        args.serviceOnly = true;
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option "${flag}"\n${USAGE}`);
    }
  }
  if (args.full && billsGiven) throw new Error("--full and --bills cannot be combined (--full means 600,000 bills)");
  if (args.full) args.bills = ZHEJIANG.bills;
  if (args.full && !sampleGiven) args.sample = 60_000;
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (hre.network.name !== "hardhat") {
    throw new Error(`the gas measurements run on the in-process "hardhat" network, not "${hre.network.name}"`);
  }
  const started = Date.now();
  const log = (line: string): void => {
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  };
  const loadAverage = os.loadavg();

  // Checked once, up front: TypeChain's factories (loaded by now) hold the bytecode every measurement deploys.
  if (args.serviceOnly) {
    await runServiceBench(args, log);
    return;
  }
  const build = await checkBuild(hre);
  // Throughput first, while this process is still small: the in-process network of the gas part keeps every
  // block and trace in memory, which would swamp the client's memory figures.
  let throughput = null;
  if (args.throughput) {
    log(`throughput: ${args.bills.toLocaleString("en-US")} bills through issueMany to a hardhat node`);
    throughput = await replay({
      bills: args.bills,
      sample: args.sample,
      batchSize: args.batchSize,
      inFlight: args.inFlight,
      chunkSize: args.chunkSize,
      progress: args.progress,
    });
  }

  log("gas per operation (in-process network)");
  const gas = await measureGas(hre, { log, build, baselineFloorMaxItems: args.quick ? 10 : undefined });

  const cpus = os.cpus();
  const chart = "gas-per-bill.svg";
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? "unknown",
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage,
    },
    gas: { ...gas, floorMethod: FLOOR_METHOD },
    throughput,
    aims: checkAims(gas, throughput, args.full),
    chart,
  };
  const markdown = renderMarkdown(results);
  fs.mkdirSync(args.out, { recursive: true });
  fs.writeFileSync(path.join(args.out, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(args.out, "latest.md"), markdown);
  fs.writeFileSync(
    path.join(args.out, chart),
    renderChart(gas.rows, `MedBill and baselines, measured in one run (${results.generatedAt.slice(0, 10)})`),
  );
  console.log(markdown);
  log(`wrote ${path.relative(process.cwd(), args.out) || "."}/latest.json, latest.md, ${chart}`);
  if (args.service) await runServiceBench(args, log);
}

/** The service section: written to service.json and service.md beside the other results. */
async function runServiceBench(args: Args, log: (line: string) => void): Promise<void> {
  const command = ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" ");
  const service = await benchService({ full: args.full, log, postgresUrl: process.env.MEDBILL_TEST_DATABASE_URL });
  const markdown = renderServiceMarkdown(service, command);
  fs.mkdirSync(args.out, { recursive: true });
  fs.writeFileSync(path.join(args.out, "service.json"), `${JSON.stringify(service, null, 2)}\n`);
  fs.writeFileSync(path.join(args.out, "service.md"), markdown);
  console.log(markdown);
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    if (error instanceof Error && error.stack && process.env.BENCH_DEBUG) console.error(error.stack);
    process.exit(1);
  });
