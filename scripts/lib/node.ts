import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

/** A local EVM node started by {@link startHardhatNode} or {@link startAnvil}. */
export interface LocalNode {
  /** JSON-RPC URL, always on 127.0.0.1. */
  readonly url: string;
  /** The TCP port the node listens on. */
  readonly port: number;
  /** The node's process. */
  readonly process: ChildProcess;
  /** Stops the node and waits until its process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options for starting a node. */
export interface StartNodeOptions {
  /** Port to listen on; a free one on 127.0.0.1 is picked when omitted. */
  port?: number;
  /** Working directory (the project root, where hardhat.config.ts is). Defaults to the repository root. */
  cwd?: string;
  /** How long to wait for the node to come up, in milliseconds (default 120 s). */
  timeoutMs?: number;
  /** Extra environment variables for the node's process. */
  env?: NodeJS.ProcessEnv;
}

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not determine a free port"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Starts `npx hardhat node` (the in-process consortium network: zero gas price, zero base fee, development
 * accounts) on 127.0.0.1 and resolves once it accepts JSON-RPC requests.
 */
export async function startHardhatNode(options: StartNodeOptions = {}): Promise<LocalNode> {
  const port = options.port ?? (await freePort());
  const cwd = options.cwd ?? PROJECT_ROOT;
  const hardhatBin = require.resolve("hardhat/internal/cli/bootstrap", { paths: [cwd] });
  const child = spawn(process.execPath, [hardhatBin, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return waitForNode(child, port, /Started HTTP and WebSocket JSON-RPC server/, options.timeoutMs);
}

/**
 * Starts anvil from the npm package `@foundry-rs/anvil-linux-amd64` on 127.0.0.1 with the development mnemonic,
 * chain id 31337 and zero base fee / gas price, and resolves once it accepts JSON-RPC requests.
 */
export async function startAnvil(options: StartNodeOptions & { chainId?: number } = {}): Promise<LocalNode> {
  const port = options.port ?? (await freePort());
  const cwd = options.cwd ?? PROJECT_ROOT;
  const pkgDir = path.dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json", { paths: [cwd] }));
  const anvilBin = path.join(pkgDir, "bin", "anvil");
  const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(options.chainId ?? 31337)];
  args.push("--base-fee", "0", "--gas-price", "0", "--disable-code-size-limit");
  const child = spawn(anvilBin, args, {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return waitForNode(child, port, /Listening on/, options.timeoutMs);
}

function waitForNode(child: ChildProcess, port: number, ready: RegExp, timeoutMs = 120_000): Promise<LocalNode> {
  const url = `http://127.0.0.1:${port}`;
  let exited = child.exitCode !== null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited) return;
    try {
      // The process group: `npx`-style wrappers and their children all go.
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, 5_000);
    await exitPromise;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`node on port ${port} did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        // Keep draining output so the node never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ url, port, process: child, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node on port ${port} exited with code ${code} before it was ready:\n${output.slice(-2000)}`));
    });
  });
}
