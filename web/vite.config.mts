import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getAddress } from "ethers";
import { defineConfig, type Plugin } from "vite";
import type { Consortium } from "../src/consortium";
import { readConsortiumFile, readIgnitionAddress } from "../src/node";
import { pageFont } from "./build/cjk-font";

/**
 * The bill verification page. `npm run web:build` builds it to `web/dist/` (static files, no server of our own);
 * `npm run web` builds it and serves it on 127.0.0.1 with a `/config.json` pointing at the node and the registry.
 *
 * Environment:
 * - `MEDBILL_CONSORTIUM` (read when building): the consortium file whose members the page names (default
 *   `consortium/local.json`). Every member needs its `address`: the page never derives accounts.
 * - `MEDBILL_RPC_URL` (read when serving): the node's JSON-RPC URL the page talks to (default http://127.0.0.1:8545).
 * - `MEDBILL_REGISTRY` (read when serving): the registry address; default: Ignition's record for the node's chain,
 *   read by the SDK (`medbill/node`), which honours `MEDBILL_DEPLOYMENT_ID`.
 * - `MEDBILL_SERVICE_URL` (read when serving): the delivery service the wallet (`wallet.html`) uses for its patient
 *   card's inbox.
 */

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.resolve(WEB_DIR, "..");
const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/**
 * The consortium as the page bundles it: every member by address (accountIndex dropped: the page never derives an
 * account), no chain id (the page reads the chain from the node).
 */
function pageConsortium(): Consortium {
  const consortium = readConsortiumFile(PROJECT_ROOT);
  const missing = consortium.members.filter((member) => member.address === undefined).map((member) => member.id);
  if (missing.length > 0) {
    throw new Error(
      `${consortium.source}: the page names members by address and never derives accounts; give ${missing.join(", ")} an "address"`,
    );
  }
  return {
    source: consortium.source,
    network: consortium.network,
    members: consortium.members.map(({ accountIndex: _index, ...member }) => member),
  };
}

/** The page's run-time configuration, served as `/config.json`. */
interface PageConfig {
  rpcUrl: string;
  chainId?: number;
  registry?: string;
  note?: string;
  serviceUrl?: string;
}

async function currentConfig(): Promise<PageConfig> {
  const serviceUrl = process.env.MEDBILL_SERVICE_URL || undefined;
  return { ...(await ledgerConfig()), ...(serviceUrl ? { serviceUrl } : {}) };
}

async function ledgerConfig(): Promise<PageConfig> {
  const rpcUrl = process.env.MEDBILL_RPC_URL ?? DEFAULT_RPC_URL;
  if (process.env.MEDBILL_REGISTRY) return { rpcUrl, registry: getAddress(process.env.MEDBILL_REGISTRY) };
  let chainId: number;
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await response.json()) as { result?: string };
    if (!body.result) throw new Error("no chain id in the answer");
    chainId = Number(BigInt(body.result));
  } catch (error) {
    return { rpcUrl, note: `the node at ${rpcUrl} did not answer (${(error as Error).message})` };
  }
  const registry = await readIgnitionAddress(PROJECT_ROOT, chainId);
  if (registry === undefined) return { rpcUrl, chainId, note: `no deployment recorded for chain ${chainId}` };
  return { rpcUrl, chainId, registry: getAddress(registry) };
}

/** Serves `/config.json` from the environment and Ignition's record (dev server and `vite preview`). */
function pageConfig(): Plugin {
  const handler = (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    if (request.url?.split("?")[0] !== "/config.json") return next();
    void currentConfig().then((config) => {
      response.setHeader("content-type", "application/json");
      response.setHeader("cache-control", "no-store");
      response.end(JSON.stringify(config));
    });
  };
  return {
    name: "medbill-page-config",
    configureServer: (server) => void server.middlewares.use(handler),
    configurePreviewServer: (server) => void server.middlewares.use(handler),
  };
}

export default defineConfig({
  root: WEB_DIR,
  base: "./",
  define: {
    __MEDBILL_CONSORTIUM__: JSON.stringify(pageConsortium()),
  },
  plugins: [pageConfig(), pageFont(PROJECT_ROOT)],
  build: {
    outDir: path.join(WEB_DIR, "dist"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1_000,
    rollupOptions: { input: { index: path.join(WEB_DIR, "index.html"), wallet: path.join(WEB_DIR, "wallet.html") } },
  },
  server: { host: "127.0.0.1", fs: { allow: [PROJECT_ROOT] } },
  preview: { host: "127.0.0.1" },
});
