/**
 * The service's link to its node and registry, through the SDK only. The node may be down when the service starts
 * or go away later: the link keeps trying, and tells `/health` where it stands. Once the node has answered, the
 * chain id and the registry's address are fixed for the life of the process.
 */
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { MedBillClient } from "../../src";
import { checkConsortiumChain } from "../../src/consortium";
import { ignitionDeploymentId, readIgnitionAddressSync } from "../../src/node";
import type { ServiceConfig } from "../config";
import type { Logger } from "../log";
import type { Identity } from "./identity";

/** Where the link stands, as `/health` shows it. */
export interface ChainStatus {
  /** Whether the node answered its last request. */
  readonly nodeUp: boolean;
  /** The chain id (decimal), once the node has answered. */
  readonly chainId: string | null;
  /** The registry's address, once known. */
  readonly registry: string | null;
  /** The node's latest block, as last seen. */
  readonly headBlock: number | null;
  /** Why the node is down or the registry unknown, when it is. */
  readonly error: string | null;
}

/** A node and registry reached through the SDK. */
export class ChainLink {
  private readClient: MedBillClient | undefined;
  private writeClient: MedBillClient | undefined;
  private connecting: Promise<MedBillClient | undefined> | undefined;
  private up = false;
  private head: number | null = null;
  private lastError: string | null = "not connected yet";

  constructor(
    private readonly config: ServiceConfig,
    private readonly log: Logger,
    /** The member the service acts as, when `MEDBILL_AS` is set. */
    readonly identity: Identity | undefined,
  ) {}

  /** The read-only client, or undefined while the node has never answered. */
  get client(): MedBillClient | undefined {
    return this.readClient;
  }

  /** The client signing as {@link identity}, or undefined (no identity, or not connected yet). */
  get writer(): MedBillClient | undefined {
    return this.writeClient;
  }

  /** Where the link stands. */
  status(): ChainStatus {
    return {
      nodeUp: this.up,
      chainId: this.readClient?.chainId.toString() ?? null,
      registry: this.readClient?.address ?? null,
      headBlock: this.head,
      error: this.up ? null : this.lastError,
    };
  }

  /** Records that the node answered (with its head block, when known). */
  markUp(headBlock?: number): void {
    if (!this.up && this.readClient !== undefined) this.log.info(`node ${this.config.rpcUrl} is up`);
    this.up = true;
    this.lastError = null;
    if (headBlock !== undefined) this.head = headBlock;
  }

  /** Records that a request to the node failed. */
  markDown(error: unknown): void {
    const message = ((error as Error)?.message ?? String(error)).split("\n")[0];
    if (this.up) this.log.warn(`node ${this.config.rpcUrl} is down: ${message}`);
    this.up = false;
    this.lastError = message;
  }

  /**
   * Connects once the node answers: resolves the chain id and the registry (`MEDBILL_REGISTRY`, else Ignition's
   * record), and builds the SDK clients. Tries once per call; concurrent calls share one attempt.
   *
   * @returns the read client, or undefined when the node did not answer or no registry is known yet.
   */
  async connect(): Promise<MedBillClient | undefined> {
    if (this.readClient !== undefined) return this.readClient;
    this.connecting ??= this.tryConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** The latest block number, marking the node up or down. */
  async headBlock(): Promise<number> {
    const client = await this.connect();
    if (client === undefined) throw new Error(this.lastError ?? "node down");
    try {
      const n = await client.provider.getBlockNumber();
      this.markUp(n);
      return n;
    } catch (e) {
      this.markDown(e);
      throw e;
    }
  }

  private async tryConnect(): Promise<MedBillClient | undefined> {
    const request = new FetchRequest(this.config.rpcUrl);
    request.timeout = 5_000;
    let chainId: bigint;
    try {
      // One raw eth_chainId first: an ethers provider built for a node that is down retries in the background.
      request.body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
      request.setHeader("content-type", "application/json");
      const response = await request.send();
      chainId = BigInt((response.bodyJson as { result: string }).result);
    } catch (e) {
      this.markDown(e);
      return undefined;
    }
    if (this.identity !== undefined) {
      try {
        checkConsortiumChain(this.identity.consortium, chainId);
      } catch (e) {
        this.markDown(e);
        return undefined;
      }
    }
    const network = Network.from(chainId);
    const provider = new JsonRpcProvider(this.config.rpcUrl, network, { staticNetwork: network, batchMaxCount: 1 });
    const registry = this.config.registry ?? this.ignitionAddress(chainId);
    if (registry === undefined) {
      this.up = true;
      this.lastError = `no registry: set MEDBILL_REGISTRY or deploy (no Ignition record for chain ${chainId})`;
      provider.destroy();
      return undefined;
    }
    const options = { blockRange: this.config.indexBlockRange, timeoutMs: 5_000 };
    try {
      const client = await MedBillClient.connect(registry, provider, options);
      if (this.identity !== undefined) {
        this.writeClient = await MedBillClient.connect(registry, this.identity.wallet.connect(provider), options);
      }
      this.readClient = client;
      this.log.info(`connected to chain ${chainId}, registry ${client.address}, at ${this.config.rpcUrl}`);
      this.markUp();
      return client;
    } catch (e) {
      this.markDown(e);
      provider.destroy();
      return undefined;
    }
  }

  private ignitionAddress(chainId: bigint): string | undefined {
    try {
      return readIgnitionAddressSync(this.config.projectDir, chainId, ignitionDeploymentId(chainId, this.config.env));
    } catch {
      return undefined;
    }
  }

  /** Stops the providers' timers. */
  close(): void {
    this.readClient?.provider.destroy?.();
  }
}
