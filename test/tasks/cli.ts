/**
 * Runs `npx hardhat <task>` (and other project scripts) as child processes, for the tests of exit codes, stderr and
 * the absence of stack traces, and for the end-to-end import test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** The project root (where hardhat.config.ts is). */
export const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT = require.resolve("hardhat/internal/cli/bootstrap", { paths: [ROOT] });
const TS_NODE = require.resolve("ts-node/dist/bin", { paths: [ROOT] });

/** How a child process ended and what it printed. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A child process being run, with its output so far. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
  /** Kills the child's whole process group. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node <hardhat> ...args` in the project root, in its own process group, with `env` added. */
export function startHardhat(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  return start([HARDHAT, ...args], env);
}

/** Starts `ts-node --transpile-only <script> ...args` in the project root. */
export function startScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  return start([TS_NODE, "--transpile-only", script, ...args], env);
}

function start(args: readonly string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    kill(signal) {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        child.kill(signal);
      }
    },
  };
}

/** Runs `npx hardhat ...args` to the end. */
export function hardhat(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startHardhat(args, env).done;
}

/** The environment that points `--network localhost` at a node and isolates its Ignition record. */
export function localEnv(url: string, deploymentId: string): NodeJS.ProcessEnv {
  return { MEDBILL_LOCALHOST_URL: url, MEDBILL_DEPLOYMENT_ID: deploymentId };
}

/** Removes an Ignition deployment record made by a test (and any stale copies the deploy script moved aside). */
export function removeDeployment(deploymentId: string): void {
  const dir = path.join(ROOT, "ignition", "deployments");
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    if (name === deploymentId || name.startsWith(`${deploymentId}.stale-`)) {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/** Tells whether output holds a stack trace (`    at f (file:line)` lines). */
export function hasStackTrace(output: string): boolean {
  return /^\s+at .+[:(]/m.test(output);
}
