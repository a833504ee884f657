/**
 * Test helpers for the service: a hardhat node with a fresh registry (every hospital and payer admitted), the
 * service as a real process on a free port, and a PostgreSQL database of its own per test when
 * MEDBILL_TEST_DATABASE_URL is set.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HDNodeWallet, JsonRpcProvider, Network } from "ethers";
import { MedBillClient } from "../../src";
import { DEV_MNEMONIC } from "../../src/node";
import { BillRegistry__factory } from "../../typechain-types/factories/contracts/BillRegistry__factory";
import { freePort, startHardhatNode, type LocalNode } from "../../scripts/lib/node";

/** The project root. */
export const ROOT = path.resolve(__dirname, "..", "..");
const TS_NODE = require.resolve("ts-node/dist/bin", { paths: [ROOT] });

/** The development wallet of account `index` (consortium/local.json: 0 admin, 1-3 hospitals, 4-5 payers). */
export function devWallet(index: number, provider?: JsonRpcProvider): HDNodeWallet {
  const wallet = HDNodeWallet.fromPhrase(DEV_MNEMONIC, "", `m/44'/60'/0'/0/${index}`);
  return provider ? wallet.connect(provider) : wallet;
}

/** A node with a registry deployed and the local consortium's roles granted. */
export interface TestChain {
  readonly node: LocalNode;
  readonly provider: JsonRpcProvider;
  readonly registry: string;
  /** A client acting as account `index`. */
  client(index: number): Promise<MedBillClient>;
  stop(): Promise<void>;
}

/** Starts a hardhat node and deploys a registry straight from its factory (seconds, no Hardhat CLI). */
export async function startChain(): Promise<TestChain> {
  const node = await startHardhatNode();
  const network = Network.from(31337);
  const provider = new JsonRpcProvider(node.url, network, { staticNetwork: network, pollingInterval: 50 });
  const admin = devWallet(0, provider);
  const contract = await new BillRegistry__factory(admin).deploy(0, admin.address);
  await contract.waitForDeployment();
  const registry = await contract.getAddress();
  const adminClient = await MedBillClient.connect(registry, admin);
  for (const i of [1, 2, 3]) await adminClient.grantRole("issuer", devWallet(i).address);
  for (const i of [4, 5]) await adminClient.grantRole("claimer", devWallet(i).address);
  return {
    node,
    provider,
    registry,
    client: (index) => MedBillClient.connect(registry, devWallet(index, provider)),
    async stop() {
      provider.destroy();
      await node.stop();
    },
  };
}

/** A service process. */
export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Kills it (default SIGKILL) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with its exit code once it exits. */
  readonly exited: Promise<number | null>;
}

/** Runs the service (`service/main.ts`, as `npm run serve` does) with `env`, on a free port. */
export function spawnService(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", "service/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, MEDBILL_LOG: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

/** Starts the service and waits until `/health` answers (and, if asked, until it has connected to the node). */
export async function startService(
  env: NodeJS.ProcessEnv,
  options: { timeoutMs?: number; waitForNode?: boolean } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const { child, exited, stderr } = spawnService({ MEDBILL_SERVICE_PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the service exited with ${exitCode}: ${stderr()}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the service did not come up: ${stderr()}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      const health = (await response.json()) as { node?: string; chainId?: string | null };
      if (response.status === 200 && (!options.waitForNode || health.chainId !== null)) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    child,
    stderr,
    exited,
    async kill(signal = "SIGKILL") {
      if (exitCode === undefined) child.kill(signal);
      await exited;
    },
  };
}

/** Fresh temporary directories, removed by {@link removeTempDirs}. */
const dirs: string[] = [];

/** A fresh temporary directory (e.g. a PGlite MEDBILL_DATA_DIR). */
export function tempDir(prefix = "medbill-service-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Removes every directory {@link tempDir} made (the PGlite template stays until the process exits). */
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) {
    if (!dir.includes("medbill-pglite-template-")) fs.rmSync(dir, { recursive: true, force: true });
    else process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  }
}

/** The two stores the service tests run on: PGlite always, PostgreSQL when MEDBILL_TEST_DATABASE_URL is set. */
export interface TestStore {
  readonly name: "pglite" | "postgres";
  /** The environment selecting a fresh, empty database of this store. */
  fresh(): Promise<NodeJS.ProcessEnv>;
  /** Drops what {@link fresh} created. */
  cleanup(): Promise<void>;
}

let template: Promise<string> | undefined;

/**
 * PGlite in a temporary directory: a copy of one empty database made once per test run (PGlite's initdb takes
 * seconds; a copy of its files is the same empty cluster).
 */
export const pgliteStore: TestStore = {
  name: "pglite",
  async fresh() {
    template ??= (async () => {
      const dir = tempDir("medbill-pglite-template-");
      const { PGlite } = await import("@electric-sql/pglite");
      const pg = await PGlite.create(dir);
      await pg.close();
      return dir;
    })();
    const dir = tempDir();
    fs.cpSync(await template, dir, { recursive: true });
    return { MEDBILL_DATA_DIR: dir };
  },
  cleanup: async () => undefined,
};

/** PostgreSQL: a new database per {@link TestStore.fresh} on MEDBILL_TEST_DATABASE_URL's server. */
export function postgresStore(serverUrl: string): TestStore {
  const created: string[] = [];
  const admin = async <T>(fn: (client: import("pg").Client) => Promise<T>): Promise<T> => {
    const { Client } = await import("pg");
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgres",
    async fresh() {
      const name = `medbill_test_${process.pid}_${Date.now()}_${created.length}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return { DATABASE_URL: url.toString() };
    },
    async cleanup() {
      for (const name of created.splice(0)) {
        await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
      }
    },
  };
}

/** The stores to run on; warns loudly when PostgreSQL is skipped. */
export function testStores(): TestStore[] {
  const url = process.env.MEDBILL_TEST_DATABASE_URL;
  if (url === undefined || url === "") {
    console.warn("    ⚠ MEDBILL_TEST_DATABASE_URL is not set: the service tests did NOT run on PostgreSQL");
    return [pgliteStore];
  }
  return [pgliteStore, postgresStore(url)];
}

/** Fetches JSON: status and body. */
export async function getJson<T = Record<string, unknown>>(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (CSV)
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** Waits until `check` returns a value other than undefined (polling), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A TCP proxy on 127.0.0.1 in front of a node, that a test can cut and restore ("the node goes away"). */
export interface Proxy {
  readonly url: string;
  /** Refuses new connections and drops open ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`http://127.0.0.1:port`). */
export async function startProxy(target: string): Promise<Proxy> {
  const net = await import("node:net");
  const to = new URL(target);
  const port = await freePort();
  const sockets = new Set<import("node:net").Socket>();
  let server: import("node:net").Server | undefined;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(to.port), to.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = (): void => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
  const cut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}
