/**
 * @internal The transaction pipeline shared by every write of the SDK: reads retried past transport failures,
 * signing (locally where the signer allows, sent raw), nonces, several transactions in flight in nonce order,
 * receipts, and the resend or lookup of a transaction whose answer was lost. `issueMany` and `reimburseMany` send
 * their batches through {@link TxSender.sendBatches}; single writes through {@link TxSender.transact}.
 */
import { keccak256, type Provider, type Signer, type TransactionReceipt, type TransactionRequest } from "ethers";
import { MedBillError, NodeUnreachableError, ReadOnlyError, toMedBillError, UnknownRevertError } from "../errors";
import { signFast } from "../sign";
import { nonceClash, rawSend, reserveNonce, settleNonce, takeNonce } from "./nonces";
import { MAX_TX_GAS } from "../constants";
import { minBig, sleep } from "./util";

/** What a write's result needs of its receipt. */
export type Mined = Pick<TransactionReceipt, "hash" | "blockNumber" | "gasUsed">;

/** What a pipeline of batches needs to know before sending: gas of one item, of each more, and the fees. */
export interface BatchPlan {
  readonly one: bigint;
  readonly perItem: bigint;
  readonly feeFields: Partial<TransactionRequest>;
}

/** One batch of a pipeline: how many items it carries and its calldata (encoded when it is sent). */
export interface BatchJob {
  readonly count: number;
  readonly data: () => string;
}

/** A batch of a pipeline that failed in a way its caller mends (recheck, refuse one item, resend the rest). */
export interface BatchFailure {
  readonly batch: number;
  readonly error: unknown;
}

/** A transaction's place in a pipeline: `ready` once the node took the one before; `pass` once it took this one. */
interface Turn {
  readonly ready: Promise<void>;
  readonly pass: () => void;
}

/** Sends the transactions of one signer to one contract. */
export class TxSender {
  /** Whether the signer signs locally (undefined until tried). */
  private signsLocally: boolean | undefined;

  constructor(
    readonly provider: Provider,
    readonly signer: Signer | null,
    readonly chainId: bigint,
    readonly to: string,
  ) {}

  /** The signer, or {@link ReadOnlyError} naming `method`. */
  requireSigner(method: string): Signer {
    if (this.signer === null) throw new ReadOnlyError(method);
    return this.signer;
  }

  /**
   * Runs a read, turning failures into the SDK's errors. A read that fails in transport is tried again, up to
   * `attempts` times in all (a keep-alive socket the node closed as it was reused fails one request: "socket hang
   * up").
   */
  async read<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const error = toMedBillError(e);
        if (!(error instanceof NodeUnreachableError) || attempt >= attempts) throw error;
        await sleep(Math.min(2000, 300 * 2 ** (attempt - 1))); // past ethers' 250 ms cache of the failure
      }
    }
  }

  /**
   * Sends one transaction and returns its hash once the node has taken it. The nonce is `nonce` when given (a
   * pipeline, which reserved it), else the node's pending count, asked past ethers' 250 ms request cache, or past
   * the last nonce this process used while its transactions are being sent. A node that cannot queue a nonce yet
   * (Hardhat's automine, with transactions arriving out of order) is asked again shortly; a nonce used meanwhile by
   * someone else is replaced, unless it was given.
   */
  async transact(request: TransactionRequest, nonce?: number, turn?: Turn): Promise<string> {
    const signer = this.requireSigner("transact");
    const address = await signer.getAddress();
    let current = nonce ?? (await reserveNonce(signer, this.provider, address));
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.sendSigned(signer, { ...request, nonce: current, chainId: this.chainId }, turn);
        } catch (e) {
          const clash = nonceClash(e);
          if (clash === "high" && attempt < 50) {
            await sleep(Math.min(200, 10 * (attempt + 1)));
          } else if (clash === "low" && nonce === undefined && attempt < 5) {
            settleNonce(this.provider, address);
            current = await reserveNonce(signer, this.provider, address);
          } else {
            throw toMedBillError(e);
          }
        }
      }
    } finally {
      settleNonce(this.provider, address);
    }
  }

  /** Waits for a sent transaction's receipt (its logs included), which must show success. */
  async mined(hash: string): Promise<TransactionReceipt> {
    // The transaction is out: its receipt is worth waiting for longer than an ordinary read (about 10 s).
    const receipt =
      (await this.read(() => this.provider.getTransactionReceipt(hash), 8)) ??
      (await this.read(() => this.provider.waitForTransaction(hash), 8));
    if (receipt === null) throw new MedBillError(`transaction ${hash} was dropped`, "TX_DROPPED");
    if (receipt.status !== 1) {
      throw new UnknownRevertError("0x", `transaction ${hash} reverted (status ${receipt.status})`);
    }
    return receipt;
  }

  /**
   * The preflight of a pipeline: the estimates of one and of two items (a refusal such as a role, a pause or an
   * invalid item throws before anything is sent) give the gas of a batch of any size without simulating a full
   * batch. Also the fees, fixed for the whole pipeline.
   *
   * @param estimateOne - `estimateGas` of a batch of its first item.
   * @param estimateTwo - Of its first two items, or null for a batch of one.
   */
  async planBatches(
    estimateOne: () => Promise<bigint>,
    estimateTwo: (() => Promise<bigint>) | null,
  ): Promise<BatchPlan> {
    const [one, two, fee] = await Promise.all([
      estimateOne(),
      estimateTwo === null ? null : estimateTwo(),
      this.provider.getFeeData(),
    ]);
    const feeFields: Partial<TransactionRequest> =
      fee.maxFeePerGas !== null && fee.maxPriorityFeePerGas !== null
        ? { type: 2, maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas }
        : { type: 0, gasPrice: fee.gasPrice ?? 0n };
    return { one, perItem: two !== null && two > one ? two - one : 60_000n, feeFields };
  }

  /**
   * Sends `jobs` with `inFlight` transactions at once and consecutive nonces (batch b goes out once the node has
   * taken batch b - 1), calling `onMined` as each is mined, and returns the batches that failed in a way
   * `mendable` accepts, with their errors. Any other failure (a refusal such as a pause or a revoked role) is
   * thrown once the transactions in flight have settled.
   *
   * @param plan - The pipeline's preflight ({@link planBatches}); a mendable refusal of it fails batch 0.
   */
  async sendBatches(
    jobs: readonly BatchJob[],
    plan: () => Promise<BatchPlan>,
    inFlight: number,
    onMined: (batch: number, receipt: Mined) => void,
    mendable: (error: unknown) => boolean,
  ): Promise<BatchFailure[]> {
    if (jobs.length === 0) return [];
    const signer = this.requireSigner("sendBatches");
    const address = await signer.getAddress();
    let planned: BatchPlan;
    try {
      planned = await plan();
    } catch (e) {
      const error = toMedBillError(e);
      if (mendable(error)) return [{ batch: 0, error }];
      throw error;
    }
    const { one, perItem, feeFields } = planned;
    const firstNonce = await reserveNonce(signer, this.provider, address);
    const passes: (() => void)[] = [];
    const gone = jobs.map((_, b) => new Promise<void>((resolve) => (passes[b] = resolve)));
    let next = 0;
    let fatal: unknown = null;
    const failed: BatchFailure[] = [];
    const worker = async (): Promise<void> => {
      while (fatal === null && next < jobs.length) {
        const b = next++;
        const nonce = b === 0 ? firstNonce : takeNonce(this.provider, address, firstNonce + b);
        const job = jobs[b];
        // 10% above the estimate: calldata costs vary a little from item to item.
        const gasLimit = minBig(MAX_TX_GAS, ((one + perItem * BigInt(job.count - 1)) * 11n) / 10n);
        try {
          const turn = { ready: b === 0 ? Promise.resolve() : gone[b - 1], pass: passes[b] };
          const hash = await this.transact({ to: this.to, data: job.data(), gasLimit, ...feeFields }, nonce, turn);
          onMined(b, await this.minedLean(hash));
        } catch (e) {
          if (mendable(e)) failed.push({ batch: b, error: toMedBillError(e) });
          else fatal ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, jobs.length) }, worker));
    if (fatal !== null) throw fatal;
    return failed.sort((a, b) => a.batch - b.batch);
  }

  /**
   * Sends a transaction and returns its hash. A complete one (fees given) from a signer that signs locally (an
   * ethers Wallet) is signed here (by {@link signFast} where it can) and sent raw, sparing ethers' re-parsing of
   * the signed transaction, which costs as much as signing for a full batch; any other goes through
   * `signer.sendTransaction`. With a `turn`, the transaction goes out only once the node has taken the previous one
   * of a pipeline (nonce order: a node that mines at once cannot queue a nonce that arrives early); signing and
   * waiting for receipts overlap.
   */
  private async sendSigned(signer: Signer, request: TransactionRequest, turn?: Turn): Promise<string> {
    try {
      const send = rawSend(this.provider);
      const complete = request.gasPrice != null || request.maxFeePerGas != null;
      let signed: string | undefined;
      if (complete && send !== null && this.signsLocally !== false) {
        try {
          signed = signFast(signer, request) ?? (await signer.signTransaction(request));
          this.signsLocally = true;
        } catch (e) {
          if (this.signsLocally === true) throw e;
          this.signsLocally = false; // a JSON-RPC signer: the node signs
        }
      }
      await turn?.ready;
      if (signed !== undefined && send !== null) return await this.sendRaw(send, signed);
      return (await signer.sendTransaction(request)).hash;
    } finally {
      turn?.pass();
    }
  }

  /**
   * Like {@link mined}, for a pipeline that needs only the block and the gas: the node's receipt is read as it
   * comes, not made into ethers objects (a full batch's receipt has 300 logs, each with a checksummed address).
   */
  private async minedLean(hash: string): Promise<Mined> {
    const send = rawSend(this.provider);
    if (send !== null) {
      const raw = (await this.read(() => send("eth_getTransactionReceipt", [hash]), 8)) as {
        status?: string;
        blockNumber?: string;
        gasUsed?: string;
      } | null;
      if (raw && raw.blockNumber != null && raw.gasUsed != null) {
        if (Number(raw.status) !== 1) {
          throw new UnknownRevertError("0x", `transaction ${hash} reverted (status ${raw.status})`);
        }
        return { hash, blockNumber: Number(raw.blockNumber), gasUsed: BigInt(raw.gasUsed) };
      }
    }
    return this.mined(hash);
  }

  /**
   * Sends a signed transaction. Sending the same bytes again is harmless, so a send that fails in transport (a
   * dropped socket) is tried again, and a transaction the node knows already (the answer was lost, not the request)
   * counts as sent.
   */
  private async sendRaw(
    send: (method: string, params: unknown[]) => Promise<unknown>,
    signed: string,
  ): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return String(await send("eth_sendRawTransaction", [signed]));
      } catch (e) {
        const lost = toMedBillError(e) instanceof NodeUnreachableError;
        if (lost || attempt > 0) {
          const hash = keccak256(signed); // 40 kB for a full batch: only worth hashing when it is needed
          const known = await this.provider.getTransaction(hash).catch(() => null);
          if (known !== null) return hash;
        }
        if (!lost || attempt >= 2) throw e;
        await sleep(300 * 2 ** attempt);
      }
    }
  }
}
