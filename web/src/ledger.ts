import { JsonRpcProvider, Network } from "ethers";
import { MedBillClient, NodeUnreachableError } from "../../src";

/** How long the page waits for the node before saying it cannot be reached. */
const TIMEOUT_MS = 8_000;

/**
 * Asks the node for its chain id with one plain request and a timeout, so that an unreachable node fails fast and
 * clearly (a provider left to detect the network on its own keeps retrying in the background).
 *
 * @param rpcUrl - The node's JSON-RPC URL.
 * @returns The chain id.
 * @throws {@link NodeUnreachableError} when the node does not answer as a JSON-RPC node.
 */
async function chainIdOf(rpcUrl: string): Promise<bigint> {
  let response: Response;
  try {
    response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const why =
      error instanceof DOMException && error.name === "TimeoutError"
        ? `no answer in ${TIMEOUT_MS} ms`
        : (error as Error).message;
    throw new NodeUnreachableError(`the node at ${rpcUrl} could not be reached (${why})`, error);
  }
  const body = (await response.json().catch(() => ({}))) as { result?: unknown };
  if (!response.ok || typeof body.result !== "string") {
    throw new NodeUnreachableError(`${rpcUrl} answered HTTP ${response.status}, not as a JSON-RPC node`);
  }
  return BigInt(body.result);
}

/**
 * Connects the SDK, read-only, to `registry` on the node at `rpcUrl`.
 *
 * @param rpcUrl - The node's JSON-RPC URL.
 * @param registry - The registry's address.
 * @param chainId - The chain the registry must be on (a bill URI names it); any when omitted.
 * @returns The client.
 * @throws {@link NodeUnreachableError}, or the SDK's `WrongChainError` / `NoContractError`.
 */
export async function connectLedger(rpcUrl: string, registry: string, chainId?: bigint): Promise<MedBillClient> {
  const served = await chainIdOf(rpcUrl);
  const provider = new JsonRpcProvider(rpcUrl, Network.from(served), { staticNetwork: true });
  return MedBillClient.connect(registry, provider, { chainId, timeoutMs: TIMEOUT_MS });
}
