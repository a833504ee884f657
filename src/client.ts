import {
  Interface,
  ZeroHash,
  keccak256,
  type TransactionReceipt,
  type Log,
  type Provider,
  type Signer,
  type TransactionRequest,
} from "ethers";
import type { BillRegistry } from "../typechain-types/contracts/BillRegistry";
import { BillRegistry__factory } from "../typechain-types/factories/contracts/BillRegistry__factory";
import { toFen } from "./amount";
import { MAX_BATCH_SIZE, MAX_TX_GAS } from "./constants";
import {
  billIdOf,
  billNumberOf,
  billTypedData,
  hashBill,
  parseBill,
  parseBillInput,
  isSalt,
  toBillInput,
  type BillDomain,
  type BillInput,
  type BillTypedData,
  type MedicalBill,
} from "./bill";
import { addressArg, bytes32Arg, toBytes32 } from "./bytes";
import {
  BatchItemInvalidError,
  BillAlreadyIssuedError,
  InvalidArgumentError,
  InvalidBillError,
  MedBillError,
  NoContractError,
  NodeUnreachableError,
  ReadOnlyError,
  ROLES,
  statusName,
  toMedBillError,
  UnknownRevertError,
  WrongChainError,
  WrongRegistryError,
  type BillIssue,
  type RoleName,
} from "./errors";
import { signFast } from "./sign";
import { decodeBillUri, encodeBillUri, type BillUri } from "./uri";
import {
  type RegistryTarget,
  type ConnectOptions,
  type BillView,
  type WriteResult,
  type IssueResult,
  type IssueRequest,
  type IssueManyOptions,
  type BatchReceipt,
  type IssueManyResult,
  type ReimburseResult,
  type VoidResult,
  type Verdict,
  type Verification,
  type EventMeta,
  type BillIssuedEvent,
  type BillReimbursedEvent,
  type BillEvent,
  type HistoryEntry,
  type BlockRange,
  type BillsQuery,
  type AdminState,
} from "./client-types";

export type {
  RegistryTarget,
  ConnectOptions,
  BillView,
  WriteResult,
  IssueResult,
  IssueRequest,
  IssueProgress,
  IssueManyOptions,
  BatchReceipt,
  IssueManyResult,
  ReimburseResult,
  VoidResult,
  Verdict,
  Verification,
  EventMeta,
  BillIssuedEvent,
  BillReimbursedEvent,
  BillVoidedEvent,
  BillEvent,
  HistoryEntry,
  BlockRange,
  BillsQuery,
  AdminState,
} from "./client-types";

/**
 * A typed client of one MedBill registry. Connect with an ethers v6 Signer to write (as that account), or with a
 * Provider to read only. Every write checks its call first (a refusal throws the typed error before anything is
 * sent) and resolves once mined.
 */
export class MedBillClient {
  /** The registry's address (checksummed). */
  readonly address: string;
  /** The chain the node serves. */
  readonly chainId: bigint;
  /** The TypeChain contract, for anything the client does not wrap. */
  readonly contract: BillRegistry;
  /** The provider used for reads and event queries. */
  readonly provider: Provider;
  /** The signer used for writes, or null when read-only. */
  readonly signer: Signer | null;
  /** The EIP-712 domain of this registry's bills. */
  readonly domain: BillDomain;
  /** First block searched for events. */
  readonly fromBlock: number;
  /** Blocks per `eth_getLogs` request. */
  readonly blockRange: number;
  private readonly iface: Interface;
  /** Whether the signer signs locally (undefined until tried). */
  private signsLocally: boolean | undefined;

  private constructor(
    address: string,
    chainId: bigint,
    runner: Signer | Provider,
    provider: Provider,
    options: ConnectOptions,
  ) {
    this.address = address;
    this.chainId = chainId;
    this.provider = provider;
    this.signer = isSigner(runner) ? runner : null;
    this.contract = BillRegistry__factory.connect(address, runner);
    this.iface = this.contract.interface as unknown as Interface;
    this.domain = { chainId, verifyingContract: address };
    this.fromBlock = options.fromBlock ?? 0;
    this.blockRange = options.blockRange ?? 10_000;
  }

  /**
   * Connects to a registry.
   *
   * @param target - The registry's address, a map chain id → address, or a function of the chain id.
   * @param runner - An ethers v6 Signer (reads and writes) or Provider (reads only).
   * @param options - Expected chain, first event block, paging.
   * @returns The client.
   * @throws {@link NodeUnreachableError} when the node does not answer; {@link WrongChainError} when it serves
   * another chain than `options.chainId`; {@link NoContractError} when no address is known for the chain or no
   * contract is deployed there.
   */
  static async connect(
    target: RegistryTarget,
    runner: Signer | Provider,
    options: ConnectOptions = {},
  ): Promise<MedBillClient> {
    const provider = providerOf(runner);
    const timeoutMs = options.timeoutMs ?? 15_000;
    let chainId: bigint;
    try {
      chainId = (await withTimeout(provider.getNetwork(), timeoutMs)).chainId;
    } catch (e) {
      throw new NodeUnreachableError(`the node did not answer: ${(e as Error)?.message ?? String(e)}`, e);
    }
    if (options.chainId !== undefined && BigInt(options.chainId) !== chainId) {
      throw new WrongChainError(BigInt(options.chainId), chainId);
    }
    let raw: string | undefined;
    if (typeof target === "string") raw = target;
    else if (typeof target === "function") raw = await target(chainId);
    else if (target && typeof target === "object") raw = target[chainId.toString()];
    if (raw === undefined) {
      throw new NoContractError(null, chainId, `no registry address is known for chain ${chainId}`);
    }
    const address = addressArg("registry", raw);
    let code: string;
    try {
      code = await withTimeout(provider.getCode(address), timeoutMs);
    } catch (e) {
      throw new NodeUnreachableError(`the node did not answer: ${(e as Error)?.message ?? String(e)}`, e);
    }
    if (code === "0x") throw new NoContractError(address, chainId);
    return new MedBillClient(address, chainId, runner, provider, options);
  }

  /**
   * Connects read-only to the registry a bill URI names, checking that the node serves the URI's chain.
   *
   * @param uri - A bill URI.
   * @param provider - A provider for a node of that chain.
   * @returns The client.
   */
  static async fromUri(uri: string, provider: Provider, options: ConnectOptions = {}): Promise<MedBillClient> {
    const parsed = decodeBillUri(uri);
    return MedBillClient.connect(parsed.registry, provider, { ...options, chainId: parsed.chainId });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Documents

  /**
   * The on-chain input for a document in this registry (domain filled in).
   *
   * @param document - The bill document (version 2: it carries its salt).
   * @param patientSalt - The patient's own 32-byte secret (hex); by default the bill's salt makes `patientRef`.
   */
  toBillInput(document: MedicalBill, patientSalt?: string): BillInput {
    return toBillInput(document, patientSalt, this.domain);
  }

  /** The EIP-712 hash of a document in this registry. @param document - The bill document. */
  hashBill(document: MedicalBill): string {
    return hashBill(document, this.domain);
  }

  /** The EIP-712 typed data of a document in this registry, for a wallet to sign. @param document - The bill. */
  typedData(document: MedicalBill): BillTypedData {
    return billTypedData(document, this.domain);
  }

  /**
   * The URI of a bill of this registry (for its QR code).
   *
   * @param billId - The bill's id.
   * @param contentHash - Its document hash.
   */
  billUri(billId: string, contentHash: string): string {
    return encodeBillUri({ chainId: this.chainId, registry: this.address, billId, contentHash });
  }

  /** A bill's id for an issuer in this registry. @param issuer - Issuer. @param billNumber - On-chain number. */
  billIdOf(issuer: string, billNumber: string): string {
    return billIdOf(issuer, billNumber);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Writes

  /**
   * Issues one bill as the connected hospital (ISSUER_ROLE).
   *
   * @param request - A document (its salt makes `patientRef`), `{ document, patientSalt }` (the patient's own
   * secret makes it), or a `BillInput`.
   * @returns The bill id, its URI, the input sent and the transaction.
   * @throws {@link InvalidBillError} for an invalid document; the registry's typed errors, e.g.
   * {@link BillAlreadyIssuedError}, {@link UnauthorizedError}, {@link PausedError}.
   */
  async issue(request: IssueRequest): Promise<IssueResult> {
    const signer = this.requireSigner("issue");
    const { input, patientSalt } = this.normalise(request);
    const issuer = await signer.getAddress();
    const receipt = await this.send("issue", [input]);
    const billId = billIdOf(issuer, input.billNumber);
    return {
      ...writeResult(receipt),
      billId,
      input,
      uri: this.billUri(billId, input.contentHash),
      patientSalt,
    };
  }

  /**
   * Issues many bills as the connected hospital, in atomic batches of up to `batchSize`, several transactions in
   * flight. Every request is validated first (one {@link InvalidBillError} lists every fault); bills already on
   * chain are skipped, so a rerun after a crash issues nothing twice. A batch that reverts because one of its
   * bills was issued meanwhile is rechecked and the rest resent.
   *
   * @param requests - Documents, `{ document, patientSalt }` or `BillInput`s.
   * @param options - Batch size, transactions in flight, progress callback.
   * @returns Bill ids in input order, what was issued and skipped, and the transactions.
   */
  async issueMany(requests: readonly IssueRequest[], options: IssueManyOptions = {}): Promise<IssueManyResult> {
    const signer = this.requireSigner("issueMany");
    const started = Date.now();
    const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
    const inFlight = options.inFlight ?? 8;
    const checkConcurrency = options.checkConcurrency ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new InvalidArgumentError("batchSize", `must be an integer from 1 to ${MAX_BATCH_SIZE}`);
    }
    if (!Number.isInteger(inFlight) || inFlight < 1) throw new InvalidArgumentError("inFlight", "must be at least 1");
    if (!Number.isInteger(checkConcurrency) || checkConcurrency < 1) {
      throw new InvalidArgumentError("checkConcurrency", "must be at least 1");
    }
    if (!Array.isArray(requests)) throw new InvalidArgumentError("requests", "expected an array");

    // 1. Validate everything first: one error lists every fault of every bill.
    const inputs: BillInput[] = [];
    const patientSalts: (string | undefined)[] = [];
    const issues: BillIssue[] = [];
    requests.forEach((request, i) => {
      try {
        const { input, patientSalt } = this.normalise(request);
        inputs.push(input);
        patientSalts.push(patientSalt);
      } catch (e) {
        if (!(e instanceof InvalidBillError)) throw e;
        for (const issue of e.issues) {
          issues.push({ path: issue.path ? `${i}.${issue.path}` : String(i), message: issue.message });
        }
        inputs.push(undefined as unknown as BillInput);
        patientSalts.push(undefined);
      }
    });
    const issuer = await signer.getAddress();
    const billIds = inputs.map((input) => (input ? billIdOf(issuer, input.billNumber) : ""));
    const firstIndex = new Map<string, number>();
    billIds.forEach((id, i) => {
      if (!id) return;
      const first = firstIndex.get(id);
      if (first === undefined) firstIndex.set(id, i);
      else if (inputs[first].contentHash !== inputs[i].contentHash || inputs[first].amount !== inputs[i].amount) {
        issues.push({ path: `${i}.billNumber`, message: `same bill number as bill ${first} with other content` });
      }
    });
    if (issues.length > 0) throw new InvalidBillError(issues, `${requests.length} bills`);

    const total = inputs.length;
    const issuedNow = new Array<boolean>(total).fill(false);
    const transactions: BatchReceipt[] = [];
    let issued = 0;
    let skipped = 0;
    const progress = (): void => {
      const seconds = (Date.now() - started) / 1000;
      options.onProgress?.({
        done: issued + skipped,
        total,
        issued,
        skipped,
        billsPerSecond: seconds > 0 ? issued / seconds : 0,
      });
    };

    // A bill repeated in the input is skipped after its first occurrence.
    let pending: number[] = [];
    billIds.forEach((id, i) => {
      if (firstIndex.get(id) === i) pending.push(i);
      else skipped++;
    });
    // Bills to check one by one (a batch of theirs failed, or the caller asked for it).
    let suspects = new Set<number>(options.checkAll ? pending : []);

    for (let round = 0; pending.length > 0; round++) {
      if (round >= 6) {
        throw new MedBillError(
          `issueMany gave up after ${round} rounds with ${pending.length} bills left`,
          "ISSUE_MANY_STUCK",
        );
      }
      // 2. Skip what is already on chain (see `IssueManyOptions.checkAll` for how it is found).
      // The first round's preflight runs alongside its existence check, on the first bills asked for; if one of
      // them turns out to be on chain, its estimate fails and sendBatches plans again with the first batch.
      const prepared =
        round === 0 ? this.planBatches(pending.slice(0, 2).map((i) => inputs[i])).catch(() => null) : undefined;
      const onChain = await this.onChain(pending, billIds, issuer, suspects, batchSize, checkConcurrency);
      const todo = pending.filter((i) => !onChain.has(i));
      skipped += pending.length - todo.length;
      progress();
      if (todo.length === 0) break;

      // 3. Send the batches, several in flight.
      const batches: number[][] = [];
      for (let k = 0; k < todo.length; k += batchSize) batches.push(todo.slice(k, k + batchSize));
      const failed = await this.sendBatches(
        batches.map((batch) => batch.map((i) => inputs[i])),
        inFlight,
        (b, receipt) => {
          for (const i of batches[b]) issuedNow[i] = true;
          issued += batches[b].length;
          transactions.push({ ...writeResult(receipt), count: batches[b].length });
          progress();
        },
        prepared,
      );
      pending = todo.filter((i) => !issuedNow[i]);
      suspects = new Set(failed.flatMap((b) => batches[b]));
      if (pending.length > 0) await sleep(300); // let ethers' 250 ms request cache expire before counting again
    }

    transactions.sort((a, b) => a.blockNumber - b.blockNumber);
    const seconds = (Date.now() - started) / 1000;
    return {
      billIds,
      issuedNow,
      inputs,
      patientSalts,
      issued,
      skipped,
      transactions,
      txHashes: transactions.map((t) => t.txHash),
      blockNumber: transactions.length > 0 ? transactions[transactions.length - 1].blockNumber : null,
      gasUsed: transactions.reduce((sum, t) => sum + t.gasUsed, 0n),
      seconds,
      billsPerSecond: seconds > 0 ? issued / seconds : 0,
    };
  }

  /**
   * Reimburses `amount` of a bill as the connected payer (CLAIMER_ROLE): at most once per payer, never beyond
   * what is left.
   *
   * @param billId - The bill.
   * @param amount - Fen: a bigint, a safe integer or a decimal string of digits (no floats); zero, or more than
   * what is left on the bill, is refused by the registry ({@link ZeroAmountError},
   * {@link ReimbursementExceedsBalanceError}).
   * @param claimRef - The payer's claim number: 32-byte hex, or text (packed or hashed by {@link toBytes32}).
   * @throws {@link BillNotFoundError}, {@link AlreadyReimbursedError}, {@link ReimbursementExceedsBalanceError},
   * {@link BillNotReimbursableError}, {@link UnauthorizedError}, {@link PausedError}, ...
   */
  async reimburse(billId: string, amount: bigint | number | string, claimRef: string): Promise<ReimburseResult> {
    this.requireSigner("reimburse");
    const id = bytes32Arg("billId", billId);
    const fen = toFen(amount, "reimbursement amount", { allowZero: true, max: (1n << 256n) - 1n });
    const ref = toBytes32(claimRef);
    const receipt = await this.send("reimburse", [id, fen, ref]);
    const event = this.findEvent(receipt, "BillReimbursed");
    return {
      ...writeResult(receipt),
      billId: id,
      amount: fen,
      totalReimbursed: event ? (event.args.totalReimbursed as bigint) : 0n,
      claimRef: ref,
    };
  }

  /**
   * Voids one of the connected hospital's bills that has no reimbursement yet.
   *
   * @param billId - The bill.
   * @param reason - Reason code: 32-byte hex or text ({@link toBytes32}).
   * @param replacementId - A live bill of the same issuer replacing it; omitted or zero for none.
   * @throws {@link BillNotFoundError}, {@link NotBillIssuerError}, {@link BillNotVoidableError},
   * {@link InvalidReplacementError}, {@link ZeroReasonError}, ...
   */
  async voidBill(billId: string, reason: string, replacementId?: string): Promise<VoidResult> {
    this.requireSigner("voidBill");
    const id = bytes32Arg("billId", billId);
    const why = toBytes32(reason);
    const replacement = replacementId === undefined ? ZeroHash : bytes32Arg("replacementId", replacementId);
    const receipt = await this.send("voidBill", [id, why, replacement]);
    return { ...writeResult(receipt), billId: id, reason: why, replacementId: replacement };
  }

  /**
   * Grants a role (admin only). The admin role itself changes hands only by {@link beginAdminTransfer}.
   *
   * @param role - `"issuer"` or `"claimer"` (`"admin"` is refused by the registry: {@link AdminRulesError}).
   * @param account - Who receives it.
   */
  async grantRole(role: RoleName, account: string): Promise<WriteResult> {
    this.requireSigner("grantRole");
    return writeResult(await this.send("grantRole", [roleId(role), addressArg("account", account)]));
  }

  /** Revokes a role (admin only). @param role - The role. @param account - Who loses it. */
  async revokeRole(role: RoleName, account: string): Promise<WriteResult> {
    this.requireSigner("revokeRole");
    return writeResult(await this.send("revokeRole", [roleId(role), addressArg("account", account)]));
  }

  /**
   * Gives up a role held by the connected account.
   *
   * @param role - The role.
   * @param account - Must be the connected account (the registry's confirmation); defaults to it.
   */
  async renounceRole(role: RoleName, account?: string): Promise<WriteResult> {
    const signer = this.requireSigner("renounceRole");
    const who = account === undefined ? await signer.getAddress() : addressArg("account", account);
    return writeResult(await this.send("renounceRole", [roleId(role), who]));
  }

  /** Stops every issue, reimbursement and void until {@link unpause} (admin only). */
  async pause(): Promise<WriteResult> {
    this.requireSigner("pause");
    return writeResult(await this.send("pause", []));
  }

  /** Lets state changes resume (admin only). */
  async unpause(): Promise<WriteResult> {
    this.requireSigner("unpause");
    return writeResult(await this.send("unpause", []));
  }

  /**
   * Proposes a new admin (admin only); it may accept once the delay has passed.
   *
   * @param newAdmin - The proposed admin.
   */
  async beginAdminTransfer(newAdmin: string): Promise<WriteResult> {
    this.requireSigner("beginAdminTransfer");
    return writeResult(await this.send("beginDefaultAdminTransfer", [addressArg("newAdmin", newAdmin)]));
  }

  /** Accepts the admin role as the pending admin, once the delay has passed. */
  async acceptAdminTransfer(): Promise<WriteResult> {
    this.requireSigner("acceptAdminTransfer");
    return writeResult(await this.send("acceptDefaultAdminTransfer", []));
  }

  /** Cancels a proposed admin hand-over (admin only). */
  async cancelAdminTransfer(): Promise<WriteResult> {
    this.requireSigner("cancelAdminTransfer");
    return writeResult(await this.send("cancelDefaultAdminTransfer", []));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads

  /**
   * Reads a bill.
   *
   * @param billId - The bill's id.
   * @returns The bill, or null when it was never issued.
   */
  async getBill(billId: string): Promise<BillView | null> {
    const id = bytes32Arg("billId", billId);
    const bill = await this.read(() => this.contract.getBill(id));
    const status = statusName(bill.status);
    if (status === "None") return null;
    const amount = bill.amount;
    const reimbursed = bill.reimbursed;
    return {
      billId: id,
      issuer: bill.issuer,
      status,
      amount,
      reimbursed,
      remaining: status === "Voided" ? 0n : amount - reimbursed,
      contentHash: bill.contentHash,
    };
  }

  /**
   * How much a payer reimbursed on a bill.
   *
   * @param billId - The bill. @param claimer - The payer.
   * @returns Fen (0 when it did not).
   */
  async reimbursedBy(billId: string, claimer: string): Promise<bigint> {
    const id = bytes32Arg("billId", billId);
    const who = addressArg("claimer", claimer);
    return this.read(() => this.contract.reimbursedBy(id, who));
  }

  /**
   * Verifies a bill from its URI (QR code): is the hash in the URI the one recorded for the bill? Give the document
   * too to check that it hashes to that value.
   *
   * @param uri - The bill URI.
   * @param document - Optional document presented with it.
   * @throws {@link InvalidUriError}; {@link WrongChainError} / {@link WrongRegistryError} when the URI names
   * another chain or registry.
   */
  async verify(uri: string, document?: MedicalBill): Promise<Verification>;
  /**
   * Verifies a bill document: recomputes its hash and compares it with what its issuer recorded.
   *
   * @param document - The bill document.
   * @param issuer - The issuing hospital's address (the document names it only by name).
   */
  async verify(document: MedicalBill, issuer: string): Promise<Verification>;
  async verify(subject: string | MedicalBill, extra?: MedicalBill | string): Promise<Verification> {
    let billId: string;
    let contentHash: string;
    let claimed: string | undefined;
    if (typeof subject === "string") {
      const uri: BillUri = decodeBillUri(subject);
      if (uri.chainId !== this.chainId) throw new WrongChainError(uri.chainId, this.chainId);
      if (uri.registry !== this.address) throw new WrongRegistryError(this.address, uri.registry);
      billId = uri.billId;
      contentHash = uri.contentHash;
      if (extra !== undefined) {
        if (typeof extra === "string") throw new InvalidArgumentError("document", "expected a bill document");
        claimed = this.hashBill(extra);
      }
    } else {
      if (typeof extra !== "string") throw new InvalidArgumentError("issuer", "the issuer's address is needed");
      const document = parseBill(subject);
      contentHash = this.hashBill(document);
      billId = billIdOf(addressArg("issuer", extra), billNumberOf(document));
    }
    const bill = await this.getBill(billId);
    let verdict: Verdict;
    if (bill === null) verdict = "unknown";
    else if (bill.status === "Voided") verdict = "voided";
    else if (bill.contentHash !== contentHash || (claimed !== undefined && claimed !== contentHash))
      verdict = "tampered";
    else verdict = "genuine";
    return { verdict, billId, contentHash: claimed ?? contentHash, bill };
  }

  /**
   * A bill's history: its issue, each reimbursement and its void, in chain order, with block times.
   *
   * @param billId - The bill.
   * @param range - Blocks to search (default: from the client's `fromBlock` to the latest).
   */
  async history(billId: string, range: BlockRange = {}): Promise<HistoryEntry[]> {
    const id = bytes32Arg("billId", billId);
    const topics = ["BillIssued", "BillReimbursed", "BillVoided"].map((n) => this.iface.getEvent(n)!.topicHash);
    const events: BillEvent[] = [];
    for await (const page of this.logPages([topics, id], range)) events.push(...page);
    const times = new Map<number, number>();
    await mapLimit([...new Set(events.map((e) => e.blockNumber))], 16, async (n) => {
      const block = await this.read(() => this.provider.getBlock(n));
      times.set(n, block ? block.timestamp : 0);
    });
    return events.map((e) => ({ ...e, blockTime: times.get(e.blockNumber) ?? 0 }));
  }

  /**
   * Finds bills by issuer, by patient commitment (issue events) or by payer (reimbursement events), paging over
   * block ranges of `blockRange` blocks. Iterate with `for await`.
   *
   * @param query - Exactly one of `issuer`, `patientRef`, `claimer`; optional block range.
   */
  bills(query: BlockRange & { readonly claimer: string }): AsyncGenerator<BillReimbursedEvent>;
  bills(
    query: BlockRange & ({ readonly issuer: string } | { readonly patientRef: string }),
  ): AsyncGenerator<BillIssuedEvent>;
  bills(query: BillsQuery): AsyncGenerator<BillEvent>;
  async *bills(query: BillsQuery): AsyncGenerator<BillEvent> {
    const q = query as { issuer?: string; patientRef?: string; claimer?: string } & BlockRange;
    const given = [q.issuer, q.patientRef, q.claimer].filter((v) => v !== undefined).length;
    if (given !== 1) throw new InvalidArgumentError("query", "give exactly one of issuer, patientRef, claimer");
    const issued = this.iface.getEvent("BillIssued")!.topicHash;
    const reimbursed = this.iface.getEvent("BillReimbursed")!.topicHash;
    let topics: (string | string[] | null)[];
    if (q.issuer !== undefined) topics = [issued, null, topicOfAddress(addressArg("issuer", q.issuer))];
    else if (q.patientRef !== undefined) topics = [issued, null, null, bytes32Arg("patientRef", q.patientRef)];
    else topics = [reimbursed, null, topicOfAddress(addressArg("claimer", q.claimer))];
    for await (const page of this.logPages(topics, q)) yield* page;
  }

  /**
   * Every bill event of the registry (`BillIssued`, `BillReimbursed`, `BillVoided`) in a block range, in chain
   * order, one page per `eth_getLogs` request of `blockRange` blocks (pages without events are not yielded). This
   * is what an indexer follows.
   *
   * @param range - Blocks to read (default: from the client's `fromBlock` to the latest).
   */
  async *events(range: BlockRange = {}): AsyncGenerator<BillEvent[]> {
    const topics = ["BillIssued", "BillReimbursed", "BillVoided"].map((n) => this.iface.getEvent(n)!.topicHash);
    yield* this.logPages([topics], range);
  }

  /** Whether an account holds a role. @param role - The role. @param account - The account. */
  async hasRole(role: RoleName, account: string): Promise<boolean> {
    const who = addressArg("account", account);
    return this.read(() => this.contract.hasRole(roleId(role), who));
  }

  /**
   * The current holders of a role, replayed from `RoleGranted` / `RoleRevoked` events, in order of grant.
   *
   * @param role - The role.
   * @param range - Blocks to search (default: from the client's `fromBlock`).
   */
  async roleMembers(role: RoleName, range: BlockRange = {}): Promise<string[]> {
    const granted = this.iface.getEvent("RoleGranted")!.topicHash;
    const revoked = this.iface.getEvent("RoleRevoked")!.topicHash;
    const members = new Set<string>();
    for await (const logs of this.logs([[granted, revoked], roleId(role)], range)) {
      for (const log of logs) {
        const account = addressFromTopic(log.topics[2]);
        members.delete(account);
        if (log.topics[0] === granted) members.add(account);
      }
    }
    return [...members];
  }

  /** Whether the registry is paused. */
  async paused(): Promise<boolean> {
    return this.read(() => this.contract.paused());
  }

  /** The admin, the pending admin and the hand-over delay. */
  async adminState(): Promise<AdminState> {
    const [admin, pending, delay] = await Promise.all([
      this.read(() => this.contract.defaultAdmin()),
      this.read(() => this.contract.pendingDefaultAdmin()),
      this.read(() => this.contract.defaultAdminDelay()),
    ]);
    return { admin, pendingAdmin: pending.newAdmin, schedule: pending.schedule, delay };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  private requireSigner(method: string): Signer {
    if (this.signer === null) throw new ReadOnlyError(method);
    return this.signer;
  }

  private normalise(request: IssueRequest): { input: BillInput; patientSalt: string | undefined } {
    if (typeof request !== "object" || request === null) {
      throw new InvalidBillError([{ path: "", message: "expected a bill document or a bill input" }]);
    }
    if ("contentHash" in request) return { input: parseBillInput(request), patientSalt: undefined };
    if ("document" in request) {
      if ("salt" in request) {
        throw new InvalidBillError([
          {
            path: "salt",
            message: "the bill's salt is a field of its document (version 2); the patient's own secret is patientSalt",
          },
        ]);
      }
      const patientSalt = request.patientSalt;
      if (patientSalt !== undefined && (typeof patientSalt !== "string" || !isSalt(patientSalt))) {
        throw new InvalidBillError([
          { path: "patientSalt", message: "patientSalt must be 32 bytes as 0x-prefixed hex, not zero" },
        ]);
      }
      return { input: this.toBillInput(request.document, patientSalt), patientSalt: patientSalt?.toLowerCase() };
    }
    return { input: this.toBillInput(request), patientSalt: undefined };
  }

  private async exists(billId: string): Promise<boolean> {
    const bill = await this.read(() => this.contract.getBill(billId));
    return bill.status !== 0n;
  }

  /** Preflights (estimateGas), sends and waits for one transaction, turning failures into typed errors. */
  private async send(method: string, args: unknown[]): Promise<TransactionReceipt> {
    const fn = this.contract.getFunction(method);
    let gas: bigint;
    try {
      gas = await fn.estimateGas(...args);
    } catch (e) {
      throw toMedBillError(e);
    }
    const data = this.iface.encodeFunctionData(method, args);
    return this.mined(await this.transact({ to: this.address, data, gasLimit: gasWithMargin(gas) }));
  }

  /**
   * Sends one transaction and returns its hash once the node has taken it. The nonce is `nonce` when given (a
   * pipeline, which reserved it), else the node's pending count, asked past ethers' 250 ms request cache, or past
   * the last nonce this process used while its transactions are being sent. A node that cannot queue a nonce yet
   * (Hardhat's automine, with transactions arriving out of order) is asked again shortly; a nonce used meanwhile by
   * someone else is replaced, unless it was given.
   */
  private async transact(request: TransactionRequest, nonce?: number, turn?: Turn): Promise<string> {
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

  /** Waits for a sent transaction's receipt (its logs included), which must show success. */
  private async mined(hash: string): Promise<TransactionReceipt> {
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

  /**
   * The preflight of a pipeline, with one and two bills of it: a refusal (role, pause, a bill issued meanwhile)
   * throws before anything is sent, and the two estimates give the gas of a batch of any size without simulating a
   * full batch. Also the fees, fixed for the whole pipeline.
   */
  private async planBatches(sample: readonly BillInput[]): Promise<BatchPlan> {
    const fn = this.contract.getFunction("issueBatch");
    const [one, two, fee] = await Promise.all([
      fn.estimateGas([sample[0]]),
      sample.length > 1 ? fn.estimateGas(sample.slice(0, 2)) : null,
      this.provider.getFeeData(),
    ]);
    const feeFields: Partial<TransactionRequest> =
      fee.maxFeePerGas !== null && fee.maxPriorityFeePerGas !== null
        ? { type: 2, maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas }
        : { type: 0, gasPrice: fee.gasPrice ?? 0n };
    return { one, perBill: two !== null && two > one ? two - one : 60_000n, feeFields };
  }

  /**
   * Sends `batches` with `inFlight` transactions at once and consecutive nonces, and returns the indices of the
   * batches that failed in a way a recheck can mend (a bill issued meanwhile, a revert without data, a nonce
   * clash). Any other failure (a refusal such as a pause or a revoked role) is thrown once the transactions in
   * flight have settled.
   */
  private async sendBatches(
    batches: BillInput[][],
    inFlight: number,
    onMined: (batch: number, receipt: Mined) => void,
    prepared?: Promise<BatchPlan | null>,
  ): Promise<number[]> {
    if (batches.length === 0) return [];
    const signer = this.requireSigner("issueMany");
    const address = await signer.getAddress();
    let plan = prepared === undefined ? null : await prepared;
    if (plan === null) {
      try {
        plan = await this.planBatches(batches[0]);
      } catch (e) {
        const error = toMedBillError(e);
        if (isRecheckable(error)) return [0];
        throw error;
      }
    }
    const { one, perBill, feeFields } = plan;
    const firstNonce = await reserveNonce(signer, this.provider, address);
    // Batch b goes out once the node has taken batch b - 1.
    const passes: (() => void)[] = [];
    const gone = batches.map((_, b) => new Promise<void>((resolve) => (passes[b] = resolve)));
    let next = 0;
    let fatal: unknown = null;
    const failed: number[] = [];
    const worker = async (): Promise<void> => {
      while (fatal === null && next < batches.length) {
        const b = next++;
        const nonce = b === 0 ? firstNonce : takeNonce(this.provider, address, firstNonce + b);
        const batch = batches[b];
        const data = encodeIssueBatch(batch);
        // 10% above the estimate: calldata costs vary a little from bill to bill.
        const gasLimit = minBig(MAX_TX_GAS, ((one + perBill * BigInt(batch.length - 1)) * 11n) / 10n);
        try {
          const turn = { ready: b === 0 ? Promise.resolve() : gone[b - 1], pass: passes[b] };
          onMined(
            b,
            await this.minedLean(await this.transact({ to: this.address, data, gasLimit, ...feeFields }, nonce, turn)),
          );
        } catch (e) {
          if (isRecheckable(e)) failed.push(b);
          else fatal ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, batches.length) }, worker));
    if (fatal !== null) throw fatal;
    return failed;
  }

  /**
   * Which of the `pending` bills are on chain. `suspects` are read one by one (`getBill`). The other bills are cut
   * into batches as they will be sent, and only the first and last bill of each batch are read; when one of them
   * is on chain, the whole batch is looked up in the `BillIssued` logs (one query for the batch, rather than a
   * read per bill). A batch of a crashed run is all on chain or not at all, so a rerun finds every bill this way;
   * a bill missed makes its batch revert, and that batch is then read bill by bill and resent.
   */
  private async onChain(
    pending: readonly number[],
    billIds: readonly string[],
    issuer: string,
    suspects: ReadonlySet<number>,
    batchSize: number,
    concurrency: number,
  ): Promise<Set<number>> {
    const found = new Set<number>();
    const read = async (indices: readonly number[]): Promise<void> => {
      const exists = await mapLimit(indices, concurrency, (i) => this.exists(billIds[i]));
      indices.forEach((i, k) => exists[k] && found.add(i));
    };
    await read(pending.filter((i) => suspects.has(i)));
    const rest = pending.filter((i) => !suspects.has(i));
    const samples: number[][] = [];
    for (let k = 0; k < rest.length; k += batchSize) samples.push(rest.slice(k, k + batchSize));
    const ends = samples.flatMap((batch) => (batch.length > 1 ? [batch[0], batch[batch.length - 1]] : [batch[0]]));
    await read(ends);
    const touched = samples.filter((batch) => found.has(batch[0]) || found.has(batch[batch.length - 1]));
    if (touched.length === 0) return found;
    const topic = this.iface.getEvent("BillIssued")!.topicHash;
    try {
      const toBlock = await this.read(() => this.provider.getBlockNumber());
      await mapLimit(touched, 4, async (batch) => {
        const byId = new Map(batch.map((i) => [billIds[i], i]));
        const topics = [topic, [...byId.keys()], topicOfAddress(issuer)];
        for await (const logs of this.logs(topics, { toBlock })) {
          for (const log of logs) {
            const i = byId.get(log.topics[1].toLowerCase());
            if (i !== undefined) found.add(i);
          }
        }
      });
    } catch {
      await read(touched.flat().filter((i) => !found.has(i))); // a node that refuses such filters: read them
    }
    return found;
  }

  private findEvent(receipt: TransactionReceipt, name: string): ReturnType<Interface["parseLog"]> {
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const parsed = this.iface.parseLog(log);
      if (parsed?.name === name) return parsed;
    }
    return null;
  }

  /**
   * Runs a read, turning failures into the SDK's errors. A read that fails in transport is tried again, up to
   * `attempts` times in all (a keep-alive socket the node closed as it was reused fails one request: "socket hang
   * up").
   */
  private async read<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
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

  private async rangeOf(range: BlockRange): Promise<[number, number]> {
    const from = range.fromBlock ?? this.fromBlock;
    const to = range.toBlock ?? (await this.read(() => this.provider.getBlockNumber()));
    for (const [name, v] of [
      ["fromBlock", from],
      ["toBlock", to],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(name, "must be a block number");
    }
    return [from, to];
  }

  /** The registry's logs matching `topics`, a page of `blockRange` blocks at a time, in chain order. */
  private async *logs(topics: (string | string[] | null)[], range: BlockRange): AsyncGenerator<Log[]> {
    const [from, to] = await this.rangeOf(range);
    for (let start = from; start <= to; start += this.blockRange) {
      const end = Math.min(to, start + this.blockRange - 1);
      const logs = await this.read(() =>
        this.provider.getLogs({ address: this.address, topics, fromBlock: start, toBlock: end }),
      );
      if (logs.length > 0) yield sortLogs(logs);
    }
  }

  /** Like {@link logs}, parsed into bill events. */
  private async *logPages(topics: (string | string[] | null)[], range: BlockRange): AsyncGenerator<BillEvent[]> {
    for await (const logs of this.logs(topics, range)) {
      const events = logs.map((log) => this.toEvent(log)).filter((e): e is BillEvent => e !== null);
      if (events.length > 0) yield events;
    }
  }

  private toEvent(log: Log): BillEvent | null {
    const parsed = this.iface.parseLog(log);
    if (!parsed) return null;
    const meta: EventMeta = { blockNumber: log.blockNumber, logIndex: log.index, txHash: log.transactionHash };
    const a = parsed.args;
    switch (parsed.name) {
      case "BillIssued":
        return {
          kind: "issued",
          ...meta,
          billId: a.billId,
          issuer: a.issuer,
          patientRef: a.patientRef,
          billNumber: a.billNumber,
          amount: a.amount,
          contentHash: a.contentHash,
        };
      case "BillReimbursed":
        return {
          kind: "reimbursed",
          ...meta,
          billId: a.billId,
          claimer: a.claimer,
          claimRef: a.claimRef,
          amount: a.amount,
          totalReimbursed: a.totalReimbursed,
        };
      case "BillVoided":
        return {
          kind: "voided",
          ...meta,
          billId: a.billId,
          issuer: a.issuer,
          reason: a.reason,
          replacementId: a.replacementId,
        };
      default:
        return null;
    }
  }
}

function isSigner(runner: Signer | Provider): runner is Signer {
  return (
    typeof (runner as Signer).getAddress === "function" && typeof (runner as Signer).signTransaction === "function"
  );
}

function providerOf(runner: Signer | Provider): Provider {
  if (runner === null || typeof runner !== "object")
    throw new InvalidArgumentError("runner", "expected a Signer or a Provider");
  if (isSigner(runner)) {
    if (!runner.provider) throw new InvalidArgumentError("runner", "the signer is not connected to a provider");
    return runner.provider;
  }
  if (typeof (runner as Provider).getNetwork !== "function") {
    throw new InvalidArgumentError("runner", "expected a Signer or a Provider");
  }
  return runner as Provider;
}

function roleId(role: RoleName): string {
  const id = (ROLES as Record<string, string>)[role];
  if (id === undefined)
    throw new InvalidArgumentError("role", `"${String(role)}" is not one of admin, issuer, claimer`);
  return id;
}

function writeResult(receipt: Mined): WriteResult {
  return { txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}

function gasWithMargin(gas: bigint): bigint {
  const padded = gas + gas / 5n;
  return gas > MAX_TX_GAS ? gas : minBig(padded, MAX_TX_GAS);
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** A batch failure that a bill-by-bill recheck can mend: a bill issued meanwhile, a bare revert, a nonce clash. */
function isRecheckable(error: unknown): boolean {
  const e = toMedBillError(error);
  if (e instanceof BatchItemInvalidError) return e.reasonName === "BillAlreadyIssued";
  if (e instanceof BillAlreadyIssuedError) return true;
  // A batch lost in transport may or may not have landed: the recheck finds out.
  return e instanceof UnknownRevertError || e instanceof NodeUnreachableError || nonceClash(error) !== null;
}

/** "low": the nonce was used already; "high": the node cannot queue it (Hardhat automine); else null. */
function nonceClash(error: unknown): "low" | "high" | null {
  const code = (error as { code?: unknown })?.code;
  if (code === "NONCE_EXPIRED") return "low";
  const message = JSON.stringify(errorText(error));
  if (/nonce too low|nonce has already been used|already known/i.test(message)) return "low";
  if (/nonce too high/i.test(message)) return "high";
  return null;
}

function errorText(error: unknown, depth = 0): string {
  if (depth > 5 || error === null || typeof error !== "object") return typeof error === "string" ? error : "";
  const e = error as Record<string, unknown>;
  let text = typeof e.message === "string" ? e.message : "";
  for (const key of ["error", "info", "cause", "data"]) text += " " + errorText(e[key], depth + 1);
  return text;
}

const ISSUE_BATCH_SELECTOR = BillRegistry__factory.createInterface().getFunction("issueBatch").selector;

/**
 * @internal The calldata of `issueBatch(BillInput[])` for validated inputs, written out: an array of static tuples is its offset, its length and
 * four words per bill (what `encodeFunctionData` gives, about ten times faster for a full batch).
 */
export function encodeIssueBatch(inputs: readonly BillInput[]): string {
  const words = [
    ISSUE_BATCH_SELECTOR,
    (32).toString(16).padStart(64, "0"),
    inputs.length.toString(16).padStart(64, "0"),
  ];
  for (const input of inputs) {
    words.push(
      input.billNumber.slice(2),
      input.patientRef.slice(2),
      input.contentHash.slice(2),
      input.amount.toString(16).padStart(64, "0"),
    );
  }
  return words.join("");
}

/** What a write's result needs of its receipt. */
type Mined = Pick<TransactionReceipt, "hash" | "blockNumber" | "gasUsed">;

/** What a pipeline of batches needs to know before sending: gas of one bill, of each more, and the fees. */
interface BatchPlan {
  readonly one: bigint;
  readonly perBill: bigint;
  readonly feeFields: Partial<TransactionRequest>;
}

/** A transaction's place in a pipeline: `ready` once the node took the one before; `pass` once it took this one. */
interface Turn {
  readonly ready: Promise<void>;
  readonly pass: () => void;
}

/** The provider's raw JSON-RPC `send`, where it has one. */
function rawSend(provider: Provider): ((method: string, params: unknown[]) => Promise<unknown>) | null {
  const send = (provider as unknown as { send?: (method: string, params: unknown[]) => Promise<unknown> }).send;
  return typeof send === "function" ? (method, params) => send.call(provider, method, params) : null;
}

/** Per provider and account: the next nonce this process will use, and how many of its transactions are in flight. */
const nonceBooks = new WeakMap<Provider, Map<string, { next: number; inFlight: number }>>();

/** The account's pending transaction count, asked of the node itself where the provider allows (no cache). */
async function pendingNonce(signer: Signer, provider: Provider, address: string): Promise<number> {
  const send = rawSend(provider);
  return send !== null
    ? Number(await send("eth_getTransactionCount", [address, "pending"]))
    : signer.getNonce("pending");
}

/** Reserves the next nonce of `address`; {@link settleNonce} once its transaction is settled. */
async function reserveNonce(signer: Signer, provider: Provider, address: string): Promise<number> {
  return takeNonce(provider, address, await pendingNonce(signer, provider, address));
}

/**
 * Reserves `atLeast`, or past the last nonce reserved while transactions of this process are still in flight
 * (the node may not count those yet). With nothing in flight the node's count is the truth (even after a chain
 * snapshot was reverted), so nothing is remembered.
 */
function takeNonce(provider: Provider, address: string, atLeast: number): number {
  let book = nonceBooks.get(provider);
  if (book === undefined) {
    book = new Map();
    nonceBooks.set(provider, book);
  }
  const entry = book.get(address);
  const nonce = entry ? Math.max(atLeast, entry.next) : atLeast;
  book.set(address, { next: nonce + 1, inFlight: (entry?.inFlight ?? 0) + 1 });
  return nonce;
}

/** Marks one transaction of `address` settled (mined or failed). */
function settleNonce(provider: Provider, address: string): void {
  const book = nonceBooks.get(provider);
  const entry = book?.get(address);
  if (!book || !entry) return;
  if (--entry.inFlight <= 0) book.delete(address);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function topicOfAddress(address: string): string {
  return "0x" + address.slice(2).toLowerCase().padStart(64, "0");
}

function addressFromTopic(topic: string): string {
  return addressArg("topic", "0x" + topic.slice(26));
}

function sortLogs(logs: readonly Log[]): Log[] {
  return [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** @internal Maps with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
