/**
 * Throughput: replays generated bills through the SDK's `issueMany` to a `hardhat node` started on a free port,
 * then reimburses a sample of them from two payers at once, measuring rates, wall time, the client's peak memory
 * and where the CPU time went (client vs node).
 *
 * Bills are streamed: documents are generated, hashed and issued in chunks, never all held at once, so the client's
 * memory stays flat whatever the count. While one chunk is on its way, the next one is hashed in small slices that
 * yield to the event loop, so hashing overlaps the node's work.
 */
import fs from "node:fs";
import http from "node:http";
import { FetchRequest, HDNodeWallet, JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import { SingleBar } from "cli-progress";
import { MedBillClient, NodeUnreachableError, type IssueManyResult } from "../../src";
import { toBillInput, type BillDomain, type BillInput } from "../../src/bill";
import { BillRegistry__factory } from "../../typechain-types";
import { makeBills } from "../make-bills";
import { startHardhatNode, type LocalNode } from "../lib/node";
import { DEV_MNEMONIC } from "../../src/node";
import { syntheticBill } from "./synthetic";

/** Zhejiang's first two weeks: 600,000 bills in 14 days. */
export const ZHEJIANG = { bills: 600_000, days: 14 } as const;

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Bills to issue. */
  bills: number;
  /**
   * Reimbursements to make, split across two payers: `sample / 2` bills, each reimbursed by both at once (social
   * security 70 %, the insurer the rest).
   */
  sample: number;
  /** Bills per `issueBatch` (default 300, the contract's maximum). */
  batchSize?: number;
  /** Transactions in flight (default 16). */
  inFlight?: number;
  /** Bills per `issueMany` call; the client holds at most two chunks at once (default 6,000). */
  chunkSize?: number;
  /** Seed of the generated bills (default "bench"). */
  seed?: string;
  /** Show progress bars (default true). */
  progress?: boolean;
}

/** Memory of the client at one point of the replay. */
export interface MemorySample {
  /** Bills issued when sampled. */
  issued: number;
  rssMB: number;
  heapUsedMB: number;
}

/** Where the time went during the issue phase. */
export interface IssueProfile {
  /** Wall-clock seconds of the issue phase. */
  wallSeconds: number;
  /** CPU seconds of the client process (generation, EIP-712 hashing, ABI encoding, signing, JSON-RPC). */
  clientCpuSeconds: number;
  /** Of which (CPU): generating the documents and hashing them (EIP-712 content hash, patient commitment). */
  prepareSeconds: number;
  /** CPU seconds of the node's processes (JSON-RPC server, EVM execution, mining), null if not readable. */
  nodeCpuSeconds: number | null;
  /** Transactions sent. */
  transactions: number;
  /** Total gas of those transactions. */
  gasUsed: number;
  /** JSON-RPC requests the client made during the issue phase, by method. */
  rpcCalls: Record<string, number>;
  /** `issueMany` calls rerun after a dropped connection (see {@link replay}). */
  issueManyReruns: number;
  /** Client CPU milliseconds per bill: preparing (generate + hash) and the rest (issueMany: checks, encode, sign, RPC). */
  clientMsPerBill: { prepare: number; issueMany: number };
  /**
   * The node alone: bills/s and node CPU ms per bill when pre-signed batches of 300 (ABI-encoded and signed before
   * the clock starts) are sent one after another with no SDK work in between: what the node could take.
   */
  nodeCeiling: { batches: number; billsPerSecond: number; nodeMsPerBill: number | null };
}

/** Where the time went during the reimbursement phase (both payers at once). */
export interface ReimburseProfile {
  /** CPU seconds of the client process (both payers' `reimburseMany`). */
  clientCpuSeconds: number;
  /** CPU seconds of the node's processes, null if not readable. */
  nodeCpuSeconds: number | null;
  /** JSON-RPC requests the client made during the phase, by method (a JSON-RPC batch counts each call in it). */
  rpcCalls: Record<string, number>;
  /** HTTP requests the client made during the phase (a JSON-RPC batch is one). */
  httpRequests: number;
}

/** What {@link replay} measures. */
export interface ThroughputResults {
  bills: number;
  batchSize: number;
  inFlight: number;
  chunkSize: number;
  /** Seconds from the first bill prepared to the last batch mined. */
  issueSeconds: number;
  billsPerSecond: number;
  /** Bills in the reimbursed sample. */
  sampleBills: number;
  /** Reimbursement transactions (two per sampled bill). */
  reimbursements: number;
  reimburseSeconds: number;
  reimbursementsPerSecond: number;
  /** Where the reimbursement phase's time went. */
  reimburseProfile: ReimburseProfile;
  /** Wall time of the whole replay, node start and stop included. */
  wallSeconds: number;
  peakRssMB: number;
  peakHeapUsedMB: number;
  /** Client memory through the issue phase (about every 5 % of the bills). */
  memory: MemorySample[];
  profile: IssueProfile;
  /** Minutes 600,000 bills take at the measured rate. */
  zhejiangMinutes: number;
  /** The sentence the report prints. */
  zhejiangLine: string;
  /** Node and network used. */
  node: string;
}

const MB = 1024 * 1024;

/** Samples the client's memory every 200 ms and keeps the peaks. */
class MemoryMeter {
  peakRss = 0;
  peakHeapUsed = 0;
  readonly samples: MemorySample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
    this.timer.unref();
  }

  sample(): { rss: number; heapUsed: number } {
    const { rss, heapUsed } = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, rss);
    this.peakHeapUsed = Math.max(this.peakHeapUsed, heapUsed);
    return { rss, heapUsed };
  }

  record(issued: number): void {
    const { rss, heapUsed } = this.sample();
    this.samples.push({ issued, rssMB: round(rss / MB, 1), heapUsedMB: round(heapUsed / MB, 1) });
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** CPU seconds (user + system) of every process in the process group `pgid` (Linux /proc), or null. */
function groupCpuSeconds(pgid: number | undefined): number | null {
  if (pgid === undefined || !fs.existsSync("/proc/self/stat")) return null;
  let ticks = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may contain spaces) start at ") ".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[2] = pgrp, fields[11] = utime, fields[12] = stime (stat fields 5, 14, 15).
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux.
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** A JSON-RPC provider that counts the requests it makes, by method (for the profile). */
class CountingProvider extends JsonRpcProvider {
  readonly calls = new Map<string, number>();
  /** HTTP requests (one JSON-RPC batch is one). */
  requests = 0;

  override send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    return super.send(method, params);
  }

  override _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.requests++;
    return super._send(payload);
  }
}

/** A wallet of the development mnemonic at `index`, connected to `provider`. */
function devWallet(index: number, provider: JsonRpcProvider): HDNodeWallet {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);
}

/** A generated bill, hashed, with what the reimbursement phase needs to remember about it. */
interface Chunk {
  first: number;
  inputs: BillInput[];
}

/**
 * Generates and hashes bills `first`..`first + count - 1` of the stream, yielding to the event loop every few bills
 * so that mined batches are handled promptly while it runs.
 */
async function prepareChunk(
  documents: Iterator<ReturnType<typeof makeBills> extends Generator<infer T> ? T : never>,
  first: number,
  count: number,
  domain: BillDomain,
): Promise<{ chunk: Chunk; seconds: number }> {
  const inputs: BillInput[] = [];
  let seconds = 0;
  for (let i = 0; i < count; i++) {
    if (i % 50 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const cpu = process.cpuUsage();
    const next = documents.next();
    if (next.done) throw new Error(`the bill generator ended after ${first + i} bills`);
    inputs.push(toBillInput(next.value, undefined, domain)); // patientRef made with the bill's own salt
    const used = process.cpuUsage(cpu);
    seconds += (used.user + used.system) / 1e6;
  }
  return { chunk: { first, inputs }, seconds };
}

/** How many of `inputs` are on chain already (after a failed `issueMany`, to account for what it issued). */
async function countIssued(client: MedBillClient, issuer: string, inputs: readonly BillInput[]): Promise<number> {
  let count = 0;
  for (let k = 0; k < inputs.length; k += 64) {
    const bills = await Promise.all(
      inputs.slice(k, k + 64).map((input) => client.getBill(client.billIdOf(issuer, input.billNumber))),
    );
    count += bills.filter((bill) => bill !== null).length;
  }
  return count;
}

/**
 * Measures what the node alone can take: 20 batches of 300 synthetic bills, ABI-encoded and signed before the clock
 * starts, sent one after another (each `eth_sendRawTransaction` returns once its block is mined).
 */
async function probeNode(
  provider: JsonRpcProvider,
  hospital: HDNodeWallet,
  registry: string,
  pid: number | undefined,
): Promise<IssueProfile["nodeCeiling"]> {
  const batches = 20;
  const size = 300;
  const iface = BillRegistry__factory.createInterface();
  let nonce = await provider.getTransactionCount(hospital.address, "pending");
  const { chainId } = await provider.getNetwork();
  const signed: string[] = [];
  for (let b = 0; b < batches; b++) {
    const bills = Array.from({ length: size }, (_, i) => syntheticBill(b * size + i, "node-probe"));
    signed.push(
      await hospital.signTransaction({
        to: registry,
        data: iface.encodeFunctionData("issueBatch", [bills]),
        nonce: nonce++,
        gasLimit: 16_000_000n,
        gasPrice: 0n,
        chainId,
        type: 0,
      }),
    );
  }
  const cpuStart = groupCpuSeconds(pid);
  const started = Date.now();
  for (const raw of signed) await provider.send("eth_sendRawTransaction", [raw]);
  const seconds = (Date.now() - started) / 1000;
  const cpuEnd = groupCpuSeconds(pid);
  const bills = batches * size;
  return {
    batches,
    billsPerSecond: round(bills / Math.max(0.001, seconds), 0),
    nodeMsPerBill: cpuStart === null || cpuEnd === null ? null : round(((cpuEnd - cpuStart) * 1000) / bills, 3),
  };
}

function progressBar(label: string, unit: string, enabled: boolean): SingleBar | null {
  if (!enabled) return null;
  return new SingleBar({
    format: `${label} |{bar}| {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
    barsize: 30,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 10_000,
    etaBuffer: 2_000,
  });
}

/**
 * Starts a `hardhat node`, deploys the registry, replays `options.bills` generated bills through `issueMany` as
 * hospital account 1, reimburses `options.sample` of them from accounts 4 and 5 at once, stops the node and
 * returns what it measured.
 */
export async function replay(options: ReplayOptions): Promise<ThroughputResults> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 300;
  const inFlight = options.inFlight ?? 16;
  const chunkSize = Math.max(batchSize, options.chunkSize ?? 6_000);
  const seed = options.seed ?? "bench";
  const showProgress = options.progress ?? true;
  const sampleBills = Math.min(Math.floor(options.sample / 2), options.bills);

  let node: LocalNode | null = null;
  const meter = new MemoryMeter();
  let results: ThroughputResults;
  // Stop the node on Ctrl-C or a kill as well: it runs in its own process group and would outlive us.
  const onSignal = (signal: NodeJS.Signals): void => {
    void (node?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    node = await startHardhatNode();
    // A fresh connection per request: Node's keep-alive sockets race the node's 5 s idle close ("socket hang up").
    const request = new FetchRequest(node.url);
    request.getUrlFunc = FetchRequest.createGetUrlFunc({ agent: new http.Agent({ keepAlive: false }) });
    const provider = new CountingProvider(request, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    const admin = devWallet(0, provider);
    const hospital = devWallet(1, provider);
    const socialSecurity = devWallet(4, provider);
    const insurer = devWallet(5, provider);

    const registry = await new BillRegistry__factory(admin).deploy(86_400, admin.address);
    await registry.waitForDeployment();
    const address = await registry.getAddress();
    await (await registry.grantRole(await registry.ISSUER_ROLE(), hospital.address)).wait();
    const claimerRole = await registry.CLAIMER_ROLE();
    await (await registry.grantRole(claimerRole, await socialSecurity.getAddress())).wait();
    await (await registry.grantRole(claimerRole, await insurer.getAddress())).wait();

    const client = await MedBillClient.connect(address, hospital);
    const domain = client.domain;

    // ------------------------------------------------------------------ issue
    const documents = makeBills({ count: options.bills, seed, hospitals: ["hz-hospital"] });
    const sampleEvery = Math.max(1, Math.floor(options.bills / Math.max(1, sampleBills)));
    const sample: { billId: string; amount: bigint }[] = [];
    const bar = progressBar("issue     ", "bills", showProgress);
    bar?.start(options.bills, 0, { rate: "0" });
    const issueStart = Date.now();
    const cpuStart = cpuSeconds();
    const nodeCpuStart = groupCpuSeconds(node.process.pid);
    provider.calls.clear();
    let prepareSeconds = 0;
    let transactions = 0;
    let gasUsed = 0n;
    let issued = 0;
    let reruns = 0;
    let nextSample = options.bills / 20;
    meter.record(0);

    const chunkCount = (first: number): number => Math.min(chunkSize, options.bills - first);
    let preparing = options.bills > 0 ? prepareChunk(documents, 0, chunkCount(0), domain) : null;
    while (preparing !== null) {
      const { chunk, seconds } = await preparing;
      prepareSeconds += seconds;
      const after = chunk.first + chunk.inputs.length;
      // Hash the next chunk while this one is on its way.
      preparing = after < options.bills ? prepareChunk(documents, after, chunkCount(after), domain) : null;
      const base = issued;
      const onProgress = (p: { done: number }): void => {
        const done = base + p.done;
        const rate = done / Math.max(0.001, (Date.now() - issueStart) / 1000);
        bar?.update(done, { rate: rate.toFixed(0) });
        while (done >= nextSample && nextSample <= options.bills) {
          meter.record(done);
          nextSample += options.bills / 20;
        }
      };
      // A dropped connection (e.g. a keep-alive socket the node closed as it was reused: "socket hang up") fails
      // issueMany with NodeUnreachableError; it is safe to rerun, skipping what was issued, so rerun it, as an
      // operator would, while the node is alive. Reruns are counted in the results.
      let result: IssueManyResult | null = null;
      let chunkIssued = 0;
      for (let attempt = 0; result === null; attempt++) {
        try {
          result = await client.issueMany(chunk.inputs, { batchSize, inFlight, onProgress });
        } catch (error) {
          if (!(error instanceof NodeUnreachableError) || node.process.exitCode !== null || attempt >= 3) throw error;
          bar?.stop();
          console.error(`[bench] issueMany rerun after: ${error.message} (the node is alive)`);
          bar?.start(options.bills, base, { rate: "…" });
          reruns++;
          // What the failed attempt issued is found on chain by the rerun (it counts as skipped there).
          chunkIssued = await countIssued(client, hospital.address, chunk.inputs);
        }
      }
      if (result.issued + chunkIssued !== chunk.inputs.length) {
        throw new Error(`issueMany issued ${result.issued + chunkIssued} of ${chunk.inputs.length} new bills`);
      }
      issued += chunk.inputs.length;
      transactions += result.transactions.length;
      gasUsed += result.gasUsed;
      for (let k = 0; k < chunk.inputs.length; k++) {
        const index = chunk.first + k;
        if (index % sampleEvery === 0 && sample.length < sampleBills) {
          sample.push({ billId: result.billIds[k], amount: chunk.inputs[k].amount });
        }
      }
    }
    const issueSeconds = (Date.now() - issueStart) / 1000;
    const clientCpuSeconds = cpuSeconds() - cpuStart;
    const nodeCpuEnd = groupCpuSeconds(node.process.pid);
    const rpcCalls = Object.fromEntries([...provider.calls].sort((a, b) => b[1] - a[1]));
    bar?.update(issued, { rate: (issued / Math.max(0.001, issueSeconds)).toFixed(0) });
    bar?.stop();
    meter.record(issued);

    // ------------------------------------------------------------------ reimburse
    const payers = [
      await MedBillClient.connect(address, socialSecurity),
      await MedBillClient.connect(address, insurer),
    ];
    const jobs = payers.length * sample.length;
    const rbar = progressBar("reimburse ", "payments", showProgress);
    rbar?.start(jobs, 0, { rate: "0" });
    const reimburseStart = Date.now();
    const reimburseCpuStart = cpuSeconds();
    const reimburseNodeCpuStart = groupCpuSeconds(node.process.pid);
    provider.calls.clear();
    provider.requests = 0;
    let paid = 0;
    // Both payers at once, each settling its claims with reimburseMany (atomic reimburseBatch transactions of
    // `batchSize`, several in flight): social security 70 % of each bill, the insurer the rest.
    const done = [0, 0];
    await Promise.all(
      payers.map(async (payer, p) => {
        const claims = sample.map(({ billId, amount }, k) => {
          const first = (amount * 70n) / 100n;
          return { billId, amount: p === 0 ? first : amount - first, claimRef: `bench-claim-${p}-${k}` };
        });
        const result = await payer.reimburseMany(claims, {
          batchSize,
          inFlight,
          onProgress: (progress) => {
            done[p] = progress.done;
            const now = done[0] + done[1];
            rbar?.update(now, { rate: (now / Math.max(0.001, (Date.now() - reimburseStart) / 1000)).toFixed(0) });
          },
        });
        if (result.paid !== claims.length) {
          throw new Error(`reimburseMany paid ${result.paid} of ${claims.length} claims (refused ${result.refused})`);
        }
        paid += result.paid;
      }),
    );
    const reimburseSeconds = (Date.now() - reimburseStart) / 1000;
    const reimburseNodeCpuEnd = groupCpuSeconds(node.process.pid);
    const reimburseProfile: ReimburseProfile = {
      clientCpuSeconds: round(cpuSeconds() - reimburseCpuStart, 2),
      nodeCpuSeconds:
        reimburseNodeCpuStart === null || reimburseNodeCpuEnd === null
          ? null
          : round(reimburseNodeCpuEnd - reimburseNodeCpuStart, 2),
      rpcCalls: Object.fromEntries([...provider.calls].sort((a, b) => b[1] - a[1])),
      httpRequests: provider.requests,
    };
    rbar?.stop();

    const nodeCeiling = await probeNode(provider, hospital, address, node.process.pid);

    // Spot check: the first and last sampled bills are now fully reimbursed.
    for (const { billId, amount } of sample.length > 0 ? [sample[0], sample[sample.length - 1]] : []) {
      const bill = await client.getBill(billId);
      if (bill?.reimbursed !== amount) throw new Error(`bill ${billId} reimbursed ${bill?.reimbursed} of ${amount}`);
    }
    provider.destroy();

    const billsPerSecond = issued / Math.max(0.001, issueSeconds);
    const zhejiangMinutes = ZHEJIANG.bills / billsPerSecond / 60;
    results = {
      bills: issued,
      batchSize,
      inFlight,
      chunkSize,
      issueSeconds: round(issueSeconds, 2),
      billsPerSecond: round(billsPerSecond, 1),
      sampleBills: sample.length,
      reimbursements: paid,
      reimburseSeconds: round(reimburseSeconds, 2),
      reimbursementsPerSecond: round(paid / Math.max(0.001, reimburseSeconds), 1),
      reimburseProfile,
      wallSeconds: 0, // set below, once the node has stopped
      peakRssMB: 0,
      peakHeapUsedMB: 0,
      memory: meter.samples,
      profile: {
        wallSeconds: round(issueSeconds, 2),
        clientCpuSeconds: round(clientCpuSeconds, 2),
        prepareSeconds: round(prepareSeconds, 2),
        nodeCpuSeconds: nodeCpuStart === null || nodeCpuEnd === null ? null : round(nodeCpuEnd - nodeCpuStart, 2),
        transactions,
        gasUsed: Number(gasUsed),
        rpcCalls,
        issueManyReruns: reruns,
        clientMsPerBill: {
          prepare: round((prepareSeconds * 1000) / Math.max(1, issued), 3),
          issueMany: round(((clientCpuSeconds - prepareSeconds) * 1000) / Math.max(1, issued), 3),
        },
        nodeCeiling,
      },
      zhejiangMinutes: round(zhejiangMinutes, 1),
      zhejiangLine: `600,000 bills: ${zhejiangMinutes.toFixed(1)} minutes here vs ${ZHEJIANG.days} days in reality`,
      node: `hardhat node (automine) at ${node.url}`,
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    meter.stop();
    await node?.stop();
  }
  results.wallSeconds = round((Date.now() - started) / 1000, 2);
  results.peakRssMB = round(meter.peakRss / MB, 1);
  results.peakHeapUsedMB = round(meter.peakHeapUsed / MB, 1);
  return results;
}
