/**
 * The benchmark's results: the JSON document written to `bench/results/latest.json`, the aims checked against it,
 * and its Markdown rendering (`latest.md`, also printed).
 */
import { GAS } from "./floor";
import type { GasResults, GasRow } from "./gas";
import type { ThroughputResults } from "./throughput";

/** How the floor is computed, as stored in the JSON and printed under the table. */
export const FLOOR_METHOD =
  `Floor = ${GAS.transaction.toLocaleString("en-US")} per transaction + calldata (${GAS.calldataZeroByte} per zero ` +
  `byte, ${GAS.calldataNonZeroByte} per other byte) + ${GAS.newSlot.toLocaleString("en-US")} per new storage slot ` +
  `(zero before, non-zero after) + ${GAS.slotUpdate.toLocaleString("en-US")} per updated slot + logs ` +
  `(${GAS.log} + ${GAS.logTopic} per topic + ${GAS.logDataByte} per data byte) + for a deployment ` +
  `${GAS.create.toLocaleString("en-US")} + ${GAS.codeDepositByte} per runtime code byte + ${GAS.initcodeWord} ` +
  `per initcode word; never below the EIP-7623 minimum (21,000 + 10 per calldata token). The slots written are ` +
  `read from a debug_traceTransaction of the very transaction measured (SSTOREs, classified against the state ` +
  `before it), the logs from its receipt, the calldata from the transaction itself. It leaves out everything an ` +
  `implementation could in principle avoid: access-control and pause reads, validation, hashing, memory, dispatch.`;

/** One aim of the issue, checked. */
export interface Aim {
  aim: string;
  target: string;
  measured: string;
  /** null when this run cannot tell (e.g. the throughput aim without `--full`). */
  met: boolean | null;
}

/** Where the benchmark ran. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  /** Load average at the start of the run (other work on the machine skews the throughput). */
  loadAverage: number[];
}

/** The whole result document. */
export interface BenchResults {
  generatedAt: string;
  command: string;
  machine: Machine;
  gas: GasResults & { floorMethod: string };
  throughput: ThroughputResults | null;
  aims: Aim[];
  /** File name of the chart, next to the results. */
  chart: string;
}

const n = (value: number): string => Math.round(value).toLocaleString("en-US");
const ratio = (value: number): string => `${value.toFixed(2)}×`;

function row(rows: readonly GasRow[], id: string): GasRow | undefined {
  return rows.find((candidate) => candidate.id === id);
}

/** Checks the aims of the issue against the results. */
export function checkAims(gas: GasResults, throughput: ThroughputResults | null, full: boolean): Aim[] {
  const aims: Aim[] = [];
  const perItem = (id: string): number | null => row(gas.rows, id)?.perItem ?? null;
  const atMost = (aim: string, id: string, limit: number): void => {
    const value = perItem(id);
    aims.push({
      aim,
      target: `≤ ${n(limit)} gas`,
      measured: value === null ? "not measured" : `${n(value)} gas`,
      met: value === null ? null : value <= limit,
    });
  };
  atMost("issueBatch per bill at 100 bills", "medbill.issueBatch.100", 55_000);
  atMost("issue", "medbill.issue", 80_000);
  atMost("first reimburse", "medbill.reimburse.first", 60_000);
  atMost("reimburseBatch per item at 100 bills", "medbill.reimburseBatch.100", 35_000);

  const batched = gas.rows.filter(
    (candidate) => candidate.system === "EAS" && candidate.job === "batch" && candidate.items >= 10,
  );
  const ratios = batched
    .filter((candidate) => candidate.ratioToMedBill !== undefined)
    .map((candidate) => ({ items: candidate.items, ratio: candidate.ratioToMedBill as number }));
  const worst = ratios.reduce<{ items: number; ratio: number } | null>(
    (low, next) => (low === null || next.ratio < low.ratio ? next : low),
    null,
  );
  aims.push({
    aim: "EAS multiAttest per attestation ÷ MedBill issueBatch per bill, batched (every batch of ≥ 10 that fits)",
    target: "≥ 4×",
    measured:
      worst === null
        ? "not measured"
        : `${ratios.map((r) => `${ratio(r.ratio)} at ${r.items}`).join(", ")} (lowest ${ratio(worst.ratio)})`,
    met: worst === null ? null : worst.ratio >= 4,
  });
  const attest = row(gas.rows, "eas.attest")?.ratioToMedBill;
  aims.push({
    aim: "EAS attest ÷ MedBill issue, a single bill",
    target: "≥ 3.5×",
    measured: attest === undefined ? "not measured" : ratio(attest),
    met: attest === undefined ? null : attest >= 3.5,
  });

  if (throughput === null) {
    aims.push({ aim: "--full replay throughput", target: "≥ 2,000 bills/s", measured: "not run", met: null });
  } else {
    aims.push({
      aim: `${full ? "--full replay" : "replay"} throughput (${n(throughput.bills)} bills)`,
      target: "≥ 2,000 bills/s (--full, 2 cores)",
      measured: `${n(throughput.billsPerSecond)} bills/s`,
      met: full ? throughput.billsPerSecond >= 2_000 : null,
    });
    aims.push({
      aim: `${full ? "--full " : ""}settlement throughput (${n(throughput.reimbursements)} reimbursements by reimburseMany, two payers)`,
      target: "≥ 1,500 reimbursements/s (--full, 2 cores)",
      measured: `${n(throughput.reimbursementsPerSecond)} reimbursements/s`,
      met: full ? throughput.reimbursementsPerSecond >= 1_500 : null,
    });
    const flat = memoryFlat(throughput);
    aims.push({
      aim: "flat client memory during the replay",
      target: "heap in the second half ≤ 1.25 × the first half's peak (+16 MB)",
      measured: flat.text,
      met: flat.met,
    });
  }
  return aims;
}

/** Compares the client's heap in the second half of the replay with the first half. */
export function memoryFlat(throughput: ThroughputResults): { met: boolean | null; text: string } {
  const half = throughput.bills / 2;
  const first = throughput.memory.filter((s) => s.issued <= half && s.issued > 0);
  const second = throughput.memory.filter((s) => s.issued > half);
  if (first.length === 0 || second.length === 0) return { met: null, text: "too few samples" };
  const a = Math.max(...first.map((s) => s.heapUsedMB));
  const b = Math.max(...second.map((s) => s.heapUsedMB));
  return {
    met: b <= a * 1.25 + 16,
    text: `heap peak ${a.toFixed(0)} MB in the first half, ${b.toFixed(0)} MB in the second; RSS peak ${throughput.peakRssMB.toFixed(0)} MB`,
  };
}

function gasTable(rows: readonly GasRow[]): string[] {
  const lines = [
    "| System | Operation | Items/tx | Gas (tx) | Gas per item | Floor per item | × floor | × MedBill (same job) |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const r of rows) {
    const compared = r.comparedTo === undefined ? undefined : row(rows, r.comparedTo);
    const vs =
      r.ratioToMedBill === undefined || compared === undefined
        ? r.system === "MedBill"
          ? ""
          : "—"
        : `${ratio(r.ratioToMedBill)} (vs ${compared.operation})`;
    lines.push(
      `| ${r.system} | ${r.operation} | ${n(r.items)} | ${r.txGas === null ? "does not fit" : n(r.txGas)} | ` +
        `${r.perItem === null ? "—" : n(r.perItem)} | ${r.floor === undefined ? "—" : n(r.floor.perItem)} | ` +
        `${r.floorRatio === undefined ? "—" : ratio(r.floorRatio)} | ${vs} |`,
    );
  }
  return lines;
}

/** The throughput lines of the report (also the closing lines the console shows). */
export function throughputLines(t: ThroughputResults): string[] {
  const p = t.profile;
  const rpc = Object.entries(p.rpcCalls)
    .map(([method, count]) => `${method} ${n(count)}`)
    .join(", ");
  const r = t.reimburseProfile;
  const reimburseRpc = Object.entries(r.rpcCalls)
    .map(([method, count]) => `${method} ${n(count)}`)
    .join(", ");
  const perPayment = (seconds: number | null): string =>
    seconds === null ? "n/a" : ((seconds * 1000) / Math.max(1, t.reimbursements)).toFixed(3);
  return [
    `- Issued ${n(t.bills)} generated bills through \`issueMany\` (batches of ${t.batchSize}, ${t.inFlight} in flight, ` +
      `chunks of ${n(t.chunkSize)}) in ${t.issueSeconds.toFixed(1)} s: **${n(t.billsPerSecond)} bills/s**.`,
    `- ${n(t.reimbursements)} reimbursements split across two payers (${n(t.sampleBills)} of the bills, each ` +
      `reimbursed by both at once through \`reimburseMany\`: social security 70 %, an insurer the rest) in ${t.reimburseSeconds.toFixed(1)} s: ` +
      `**${n(t.reimbursementsPerSecond)} reimbursements/s**.`,
    `- Wall time ${t.wallSeconds.toFixed(1)} s (node start and stop included); client peak RSS ` +
      `${t.peakRssMB.toFixed(0)} MB, peak heap ${t.peakHeapUsedMB.toFixed(0)} MB.`,
    `- **${t.zhejiangLine}.**`,
    `- Profile of the issue phase: ${p.wallSeconds.toFixed(1)} s wall; client CPU ${p.clientCpuSeconds.toFixed(1)} s ` +
      `(of which generating and EIP-712 hashing the documents ${p.prepareSeconds.toFixed(1)} s); node CPU ` +
      `${p.nodeCpuSeconds === null ? "n/a" : `${p.nodeCpuSeconds.toFixed(1)} s`}; ${n(p.transactions)} transactions, ` +
      `${n(p.gasUsed / Math.max(1, t.bills))} gas per bill; JSON-RPC requests: ${rpc}` +
      `${p.issueManyReruns > 0 ? `; issueMany rerun ${p.issueManyReruns} time(s) after a dropped connection` : ""}.`,
    `- Profile of the reimbursement phase: client CPU ${r.clientCpuSeconds.toFixed(1)} s, node CPU ` +
      `${r.nodeCpuSeconds === null ? "n/a" : `${r.nodeCpuSeconds.toFixed(1)} s`} ` +
      `(${perPayment(r.clientCpuSeconds)} and ${perPayment(r.nodeCpuSeconds)} ms a reimbursement); ` +
      `${n(r.httpRequests)} HTTP requests carrying JSON-RPC calls: ${reimburseRpc}.`,
    `- Client CPU per bill: ${p.clientMsPerBill.prepare.toFixed(3)} ms generating and hashing, ` +
      `${p.clientMsPerBill.issueMany.toFixed(3)} ms in \`issueMany\` (validation, existence reads, encoding, signing, ` +
      `JSON-RPC). The node alone (pre-signed batches of 300 sent back to back) takes ` +
      `${n(p.nodeCeiling.billsPerSecond)} bills/s` +
      `${p.nodeCeiling.nodeMsPerBill === null ? "" : ` at ${p.nodeCeiling.nodeMsPerBill.toFixed(3)} ms node CPU per bill`}.`,
  ];
}

/** Renders the results as Markdown. */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const out: string[] = [
    "# MedBill benchmark",
    "",
    `Run \`${results.command}\` at ${results.generatedAt} on ${m.cpus} × ${m.cpuModel}, Node ${m.node} ` +
      `(load average at start ${m.loadAverage.map((l) => l.toFixed(2)).join(" ")}). Contracts compiled with solc ` +
      `${results.gas.build.solc}, optimizer ${results.gas.build.optimizerRuns} runs, EVM ${results.gas.build.evmVersion}. ` +
      `Gas on the in-process Hardhat ` +
      `network (hardfork ${results.gas.hardfork}, at most ${n(results.gas.txGasCap)} gas per transaction); ` +
      `throughput on a \`hardhat node\` started for the run.`,
    "",
    "## Gas per operation",
    "",
    ...gasTable(results.gas.rows),
    "",
    `"× MedBill" is the baseline's gas per item divided by MedBill's for the same job (above 1: MedBill is cheaper). ` +
      `Baselines have no access control (MedBill checks a role and the pause flag: two cold reads, 4,200 gas); ` +
      `ERC-721 rows store a token id and its owner only, none of the bill's fields.`,
    "",
    `**The floor.** ${results.gas.floorMethod}`,
    "",
    `![gas per bill against batch size](${results.chart})`,
    "",
    "## Aims",
    "",
    "| Aim | Target | Measured | Met |",
    "|---|---|---|---|",
    ...results.aims.map(
      (a) => `| ${a.aim} | ${a.target} | ${a.measured} | ${a.met === null ? "n/a" : a.met ? "yes" : "**no**"} |`,
    ),
    "",
    "## Throughput",
    "",
    ...(results.throughput === null ? ["Not run (`--no-throughput`)."] : throughputLines(results.throughput)),
    "",
  ];
  return out.join("\n");
}
