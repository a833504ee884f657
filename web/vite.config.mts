import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HDNodeWallet, getAddress } from "ethers";
import { defineConfig, type Plugin } from "vite";

/**
 * The bill verification page. `npm run web:build` builds it to `web/dist/` (static files, no server of our own);
 * `npm run web` builds it and serves it on 127.0.0.1 with a `/config.json` pointing at the local node and the
 * registry Ignition deployed on its chain.
 *
 * Environment (read when serving):
 * - `MEDBILL_RPC_URL`: the node's JSON-RPC URL the page talks to (default http://127.0.0.1:8545).
 * - `MEDBILL_REGISTRY`: the registry address; default: Ignition's record for the node's chain.
 * - `MEDBILL_SERVICE_URL`: the delivery service the wallet (`wallet.html`) uses for its patient card's inbox.
 */

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.resolve(WEB_DIR, "..");
const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** A consortium member as the page shows it. */
interface MemberEntry {
  address: string;
  name: string;
  nameZh: string;
  kind: string;
}

/** Consortium members of `consortium/local.json`, with their addresses (account index → development mnemonic). */
function loadMembers(): MemberEntry[] {
  const file = path.join(PROJECT_ROOT, "consortium", "local.json");
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as {
    members: Array<{ name: string; nameZh: string; kind: string; account?: number; address?: string }>;
  };
  return parsed.members.map((member) => {
    let address: string;
    if (member.address) address = getAddress(member.address);
    else if (typeof member.account === "number")
      address = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${member.account}`).address;
    else throw new Error(`${file}: member "${member.name}" has neither an address nor an account index`);
    return { address, name: member.name, nameZh: member.nameZh, kind: member.kind };
  });
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
  const record = path.join(PROJECT_ROOT, "ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json");
  if (!fs.existsSync(record)) return { rpcUrl, chainId, note: `no deployment recorded for chain ${chainId}` };
  const addresses = JSON.parse(fs.readFileSync(record, "utf8")) as Record<string, string>;
  const registry = addresses["MedBill#BillRegistry"];
  return registry ? { rpcUrl, chainId, registry: getAddress(registry) } : { rpcUrl, chainId };
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
    __MEDBILL_MEMBERS__: JSON.stringify(loadMembers()),
  },
  plugins: [pageConfig()],
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
