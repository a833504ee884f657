import type { HardhatRuntimeEnvironment } from "hardhat/types";

/**
 * An error the operator can act on: its message is one line naming what is wrong. The task wrapper prints it as
 * `Error: <message>` on stderr and exits non-zero, without a stack trace.
 */
export class CliError extends Error {
  override readonly name = "CliError";

  /** Exit code of the process when this error ends a task run from the command line (default 1). */
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
  }
}

/** What a task action returns: the value handed to in-process callers, and the exit code for the command line. */
export interface TaskOutcome<T> {
  /** Handed back by `hre.run(...)` to in-process callers (tests, scripts). */
  readonly result: T;
  /** Exit code of the process when the task runs from the command line; 0 when omitted. */
  readonly exitCode?: number;
}

/**
 * Tells whether `taskName` is the task the command line asked for (`npx hardhat <taskName> ...`), as opposed to a
 * task run in-process by `hre.run` from a test or a script.
 */
export function isCommandLineTask(taskName: string): boolean {
  return process.argv.slice(2).includes(taskName);
}

/**
 * Wraps a task action so that, when run from the command line, any error ends the process with a one-line message on
 * stderr and a non-zero exit code (Hardhat itself would print a stack trace on CI and display-less Linux), and the
 * outcome's exit code becomes the process's. In-process callers (`hre.run`) get the result, or a {@link CliError}.
 */
export function cliAction<A, T>(
  taskName: string,
  action: (args: A, hre: HardhatRuntimeEnvironment) => Promise<TaskOutcome<T>>,
): (args: A, hre: HardhatRuntimeEnvironment) => Promise<T | undefined> {
  return async (args, hre) => {
    const topLevel = isCommandLineTask(taskName);
    try {
      const outcome = await action(args, hre);
      if (topLevel && outcome.exitCode !== undefined && outcome.exitCode !== 0) process.exitCode = outcome.exitCode;
      return outcome.result;
    } catch (error) {
      const cliError = toCliError(error, hre);
      if (!topLevel) throw cliError;
      process.stderr.write(`Error: ${cliError.message}\n`);
      if (process.argv.includes("--show-stack-traces")) process.stderr.write(`${String((error as Error).stack)}\n`);
      process.exitCode = cliError.exitCode;
      return undefined;
    }
  };
}

/** Turns any error into a {@link CliError} with a one-line message, naming the network for transport errors. */
export function toCliError(error: unknown, hre?: HardhatRuntimeEnvironment): CliError {
  if (error instanceof CliError) return error;
  if (isConnectionError(error) && hre !== undefined) {
    return new CliError(unreachableMessage(hre), { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(firstLine(message), { cause: error });
}

/** The one-line message for a JSON-RPC node that cannot be reached. */
export function unreachableMessage(hre: HardhatRuntimeEnvironment): string {
  const config = hre.network.config as { url?: string };
  const where = config.url === undefined ? "" : ` at ${config.url}`;
  return `cannot reach the JSON-RPC node of network "${hre.network.name}"${where}: is the node running?`;
}

/** Tells whether an error means the JSON-RPC node could not be reached (refused, unknown host, timeout). */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    const record = e as { code?: unknown; number?: unknown; message?: unknown; cause?: unknown; error?: unknown };
    if (record.number === 108) return true; // HH108: cannot connect to the network
    if (
      typeof record.code === "string" &&
      /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.test(record.code)
    ) {
      return true;
    }
    if (
      typeof record.message === "string" &&
      /ECONNREFUSED|Cannot connect to the network|ENOTFOUND/.test(record.message)
    ) {
      return true;
    }
    e = record.cause ?? record.error;
  }
  return false;
}

/** The first non-empty line of a message, trimmed. */
export function firstLine(message: string): string {
  return (
    message
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? "unknown error"
  );
}
