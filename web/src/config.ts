/** Where the page reads the ledger: served next to the page as `config.json` (all fields optional). */
export interface PageConfig {
  /** The node's JSON-RPC URL. */
  rpcUrl: string;
  /** The chain the server found the node on, when it could ask. */
  chainId?: number;
  /** The consortium's registry on that chain; bill URIs naming another registry are refused. */
  registry?: string;
  /** Why the server could not fill in the registry, when it could not. */
  note?: string;
  /** The delivery service the wallet's patient card uses for its inbox (`MEDBILL_SERVICE_URL`). */
  serviceUrl?: string;
}

/** Used when the page is served without a `config.json`: a node on this machine. */
export const DEFAULT_CONFIG: PageConfig = { rpcUrl: "http://127.0.0.1:8545" };

/**
 * Loads `config.json` from next to the page; falls back to {@link DEFAULT_CONFIG} when there is none.
 *
 * @returns The configuration.
 */
export async function loadConfig(): Promise<PageConfig> {
  try {
    const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
    if (!response.ok) return { ...DEFAULT_CONFIG };
    const body = (await response.json()) as Partial<PageConfig>;
    return {
      rpcUrl: typeof body.rpcUrl === "string" && body.rpcUrl ? body.rpcUrl : DEFAULT_CONFIG.rpcUrl,
      chainId: typeof body.chainId === "number" ? body.chainId : undefined,
      registry: typeof body.registry === "string" && body.registry ? body.registry : undefined,
      note: typeof body.note === "string" ? body.note : undefined,
      serviceUrl: typeof body.serviceUrl === "string" && body.serviceUrl ? body.serviceUrl : undefined,
    };
  } catch {
    return { ...DEFAULT_CONFIG };
  }
}
