/**
 * Builds and runs the service: settings → identity → database (migrated) → node link → HTTP routes → workers.
 * `startService` is what `npm run serve` and the tests call; each part comes in through {@link ServicePart}.
 */
import Fastify, { type FastifyError } from "fastify";
import { z } from "zod";
import { resolveIdentity } from "./chain/identity";
import { ChainLink } from "./chain/link";
import type { ServiceConfig } from "./config";
import { HttpApi } from "./http/api";
import { createLogger, type Logger } from "./log";
import type { PartContext, ServicePart, Worker } from "./part";
import { PARTS } from "./parts";
import { migrate } from "./storage/migrate";
import { openStorage } from "./storage/open";

/** A running service. */
export interface RunningService {
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** The names of the parts running. */
  readonly parts: readonly string[];
  /** What the parts were handed (database, node link, settings). */
  readonly context: PartContext;
  /** Stops the workers, the HTTP server and the database, in that order. */
  close(): Promise<void>;
}

const healthSchema = z.object({
  chainId: z.string().nullable(),
  registry: z.string().nullable(),
  indexedBlock: z.number().nullable(),
  headBlock: z.number().nullable(),
  node: z.enum(["up", "down"]),
  nodeError: z.string().optional(),
  store: z.enum(["pglite", "postgres"]),
  parts: z.array(z.string()),
});

/**
 * Starts the service with `config`.
 *
 * @param parts - The parts to consider (default: every part; each decides with `enabled`).
 * @throws `ConfigError` or `StorageError` (one line naming the setting) before anything listens.
 */
export async function startService(
  config: ServiceConfig,
  parts: readonly ServicePart[] = PARTS,
  log: Logger = createLogger(),
): Promise<RunningService> {
  const identity = resolveIdentity(config);
  const enabled = parts.filter((part) => part.enabled(config, identity));
  if (identity?.devKey && !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(config.rpcUrl)) {
    log.warn(`signing as ${identity.member.id} with the development mnemonic on ${config.rpcUrl}`);
  }
  const storage = await openStorage(config);
  const workers: Worker[] = [];
  const chain = new ChainLink(config, log.child("chain"), identity);
  try {
    const applied = await migrate(storage.db, enabled);
    if (applied.length > 0) log.info(`migrations applied: ${applied.join(", ")}`);
    const context: PartContext = {
      config,
      db: storage.db,
      store: storage.store,
      chain,
      log,
      hooks: { billDetails: [] },
    };
    void chain.connect();

    const server = Fastify({
      bodyLimit: config.bodyLimit,
      logger: false,
      forceCloseConnections: true,
      keepAliveTimeout: 65_000, // longer than clients' idle timeouts: fewer races on a connection closed as it is reused
    });
    server.setErrorHandler((error: FastifyError, _req, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) log.error(`${error.message}`);
      const message =
        error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? `request body larger than ${config.bodyLimit} bytes (MEDBILL_BODY_LIMIT)`
          : status >= 500
            ? "internal error"
            : error.message;
      return reply.code(status).send({ error: message });
    });
    server.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}` }));
    const api = new HttpApi(server, config.apiToken);
    api.route({
      method: "GET",
      path: "/health",
      summary: "Where the service stands: chain, registry, indexed block, the node's head block, node up or down",
      tags: ["service"],
      responses: { 200: { description: "The service's state", schema: healthSchema } },
      handler: async () => {
        const status = chain.status();
        const extra: Record<string, unknown> = {};
        for (const part of enabled) Object.assign(extra, await part.health?.(context));
        return {
          status: 200,
          body: {
            chainId: status.chainId,
            registry: status.registry,
            indexedBlock: null,
            headBlock: status.headBlock,
            ...extra,
            node: status.nodeUp ? "up" : "down",
            ...(status.error !== null ? { nodeError: status.error } : {}),
            store: storage.store,
            parts: enabled.map((p) => p.name),
          },
        };
      },
    });
    for (const part of enabled) part.routes?.(api, { ...context, log: log.child(part.name) });
    let openApi: unknown;
    server.get("/openapi.json", async (_req, reply) => {
      openApi ??= api.openApi({
        title: "MedBill service",
        version: "1.0.0",
        description: "Indexer, read and reconciliation API, intake and settlement of a MedBill consortium member.",
      });
      return reply.type("application/json; charset=utf-8").send(openApi);
    });
    await server.listen({ port: config.port, host: config.host });
    const address = server.server.address();
    const port = typeof address === "object" && address !== null ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    for (const part of enabled) {
      if (part.start) workers.push(await part.start({ ...context, log: log.child(part.name) }));
    }
    log.info(
      `listening on ${url} (${storage.store} ${storage.where}; parts: ${enabled.map((p) => p.name).join(", ")})`,
    );
    let closing: Promise<void> | undefined;
    return {
      url,
      parts: enabled.map((p) => p.name),
      context,
      close: () =>
        (closing ??= (async () => {
          for (const worker of workers.reverse()) await worker.stop();
          await server.close();
          chain.close();
          await storage.close();
        })()),
    };
  } catch (e) {
    for (const worker of workers.reverse()) await worker.stop().catch(() => undefined);
    chain.close();
    await storage.close().catch(() => undefined);
    throw e;
  }
}
