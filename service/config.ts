/**
 * The service's settings, read once from the environment (names fixed by docs/DESIGN.md "The MedBill service").
 * Every setting is checked before anything starts; a bad one ends the process with a one-line error naming it.
 */
import path from "node:path";

/** The settings of one service process. */
export interface ServiceConfig {
  /** JSON-RPC URL of the member's node (`MEDBILL_RPC_URL`, default `http://127.0.0.1:8545`). */
  readonly rpcUrl: string;
  /** The registry's address (`MEDBILL_REGISTRY`); when unset it is read from Ignition's record. */
  readonly registry: string | undefined;
  /** Ignition deployment id (`MEDBILL_DEPLOYMENT_ID`, default `chain-<chainId>`). */
  readonly deploymentId: string | undefined;
  /** The project directory holding `ignition/deployments` and `consortium/` (the working directory). */
  readonly projectDir: string;
  /** The consortium member whose key signs (`MEDBILL_AS`); undefined: a read-only service (indexer only). */
  readonly as: string | undefined;
  /** Bearer token required on every write (`MEDBILL_API_TOKEN`); undefined: writes are refused (401). */
  readonly apiToken: string | undefined;
  /** TCP port (`MEDBILL_SERVICE_PORT`, default 8787). */
  readonly port: number;
  /** Address to listen on (`MEDBILL_SERVICE_HOST`, default `127.0.0.1`). */
  readonly host: string;
  /** PostgreSQL server (`DATABASE_URL`); undefined: embedded PGlite in {@link dataDir}. */
  readonly databaseUrl: string | undefined;
  /** PGlite's directory (`MEDBILL_DATA_DIR`, default `.medbill/`). */
  readonly dataDir: string;
  /** Blocks the indexer stays behind the head (`MEDBILL_CONFIRMATIONS`, default 0: BFT finality). */
  readonly confirmations: number;
  /** Largest request body accepted, in bytes (`MEDBILL_BODY_LIMIT`, default 64 KiB); larger gets 413. */
  readonly bodyLimit: number;
  /** How long the intake batcher waits for more bills before sending a partial batch (`MEDBILL_BATCH_WAIT_MS`). */
  readonly batchWaitMs: number;
  /** Bills per `issueBatch` (`MEDBILL_BATCH_SIZE`, default `MAX_BATCH_SIZE` = 300). */
  readonly batchSize: number;
  /** How often the indexer polls the node for new blocks (`MEDBILL_POLL_MS`, default 250). */
  readonly pollMs: number;
  /** Blocks per `eth_getLogs` request while catching up (`MEDBILL_INDEX_BLOCK_RANGE`, default 2,000). */
  readonly indexBlockRange: number;
  /** The raw environment, for parts that read settings of their own. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A setting with a bad value: the message names the variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === "" ? undefined : raw.trim();
}

/**
 * Reads the settings from `env` (default `process.env`).
 *
 * @throws {@link ConfigError} naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ServiceConfig {
  const rpcUrl = nonEmpty(env, "MEDBILL_RPC_URL") ?? "http://127.0.0.1:8545";
  if (!/^https?:\/\//.test(rpcUrl)) throw new ConfigError(`MEDBILL_RPC_URL must be an http(s) URL, got "${rpcUrl}"`);
  const registry = nonEmpty(env, "MEDBILL_REGISTRY");
  if (registry !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(registry)) {
    throw new ConfigError(`MEDBILL_REGISTRY must be a 20-byte 0x address, got "${registry}"`);
  }
  const databaseUrl = nonEmpty(env, "DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL`);
  }
  return {
    rpcUrl,
    registry,
    deploymentId: nonEmpty(env, "MEDBILL_DEPLOYMENT_ID"),
    projectDir: cwd,
    as: nonEmpty(env, "MEDBILL_AS"),
    apiToken: nonEmpty(env, "MEDBILL_API_TOKEN"),
    port: integer(env, "MEDBILL_SERVICE_PORT", 8787, 0, 65535),
    host: nonEmpty(env, "MEDBILL_SERVICE_HOST") ?? "127.0.0.1",
    databaseUrl,
    dataDir: path.resolve(cwd, nonEmpty(env, "MEDBILL_DATA_DIR") ?? ".medbill"),
    confirmations: integer(env, "MEDBILL_CONFIRMATIONS", 0, 0, 10_000),
    bodyLimit: integer(env, "MEDBILL_BODY_LIMIT", 64 * 1024, 1024, 16 * 1024 * 1024),
    batchWaitMs: integer(env, "MEDBILL_BATCH_WAIT_MS", 500, 0, 60_000),
    batchSize: integer(env, "MEDBILL_BATCH_SIZE", 300, 1, 300),
    pollMs: integer(env, "MEDBILL_POLL_MS", 250, 10, 60_000),
    indexBlockRange: integer(env, "MEDBILL_INDEX_BLOCK_RANGE", 2_000, 1, 100_000),
    env: { ...env },
  };
}
