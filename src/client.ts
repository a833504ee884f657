import { Interface, ZeroHash, type TransactionReceipt, type Provider, type Signer } from "ethers";
import type { BillRegistry } from "../typechain-types/contracts/BillRegistry";
import { BillRegistry__factory } from "../typechain-types/factories/contracts/BillRegistry__factory";
import { toFen } from "./amount";
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
  InvalidArgumentError,
  InvalidBillError,
  NodeUnreachableError,
  NoContractError,
  ROLES,
  statusName,
  toMedBillError,
  WrongChainError,
  WrongRegistryError,
  type RoleName,
} from "./errors";
import { decodeBillUri, encodeBillUri, type BillUri } from "./uri";
import { writeResult, type ActionContext } from "./actions/context";
import { issueMany } from "./actions/issue-many";
import { parseClaims, reimburseMany } from "./actions/reimburse-many";
import { addressFromTopic, LogReader, topicOfAddress } from "./logs";
import { TxSender } from "./pipeline/sender";
import { gasWithMargin, mapLimit, withTimeout } from "./pipeline/util";
import {
  type RegistryTarget,
  type ConnectOptions,
  type BillView,
  type WriteResult,
  type IssueResult,
  type IssueRequest,
  type IssueManyOptions,
  type IssueManyResult,
  type ReimburseResult,
  type VoidResult,
  type Verdict,
  type Verification,
  type BillIssuedEvent,
  type BillReimbursedEvent,
  type BillEvent,
  type HistoryEntry,
  type BlockRange,
  type BillsQuery,
  type AdminState,
  type Claim,
  type ReimburseBatchResult,
  type ReimburseManyOptions,
  type ReimburseManyResult,
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
  Claim,
  ClaimOutcome,
  ReimburseBatchResult,
  ReimburseManyOptions,
  ReimburseManyResult,
  ReimburseProgress,
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
  /** The transaction pipeline (signing, nonces, batches in flight, receipts, retries). */
  private readonly sender: TxSender;
  /** The registry's event log reader. */
  private readonly logReader: LogReader;
  /** What the actions (issueMany, reimburseMany) use of this client. */
  private readonly actions: ActionContext;

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
    this.sender = new TxSender(provider, this.signer, chainId, address);
    this.logReader = new LogReader(provider, address, this.iface, this.fromBlock, this.blockRange, (fn) =>
      this.sender.read(fn),
    );
    this.actions = {
      address,
      contract: this.contract,
      sender: this.sender,
      logs: this.logReader,
      ledgers: new Map(),
    };
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
    return issueMany(this.actions, (request) => this.normalise(request), requests, options);
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
   * Reimburses up to 300 bills in one atomic transaction (`reimburseBatch`) as the connected payer, each claim with
   * exactly the rules of {@link reimburse}. The call is checked first: a claim the registry refuses throws
   * {@link BatchItemInvalidError} naming its index and reason, and nothing is sent.
   *
   * @param claims - Bill, amount in fen and claim reference of each.
   * @throws {@link InvalidClaimsError} listing every malformed claim; the registry's typed errors.
   */
  async reimburseBatch(claims: readonly Claim[]): Promise<ReimburseBatchResult> {
    this.requireSigner("reimburseBatch");
    const items = parseClaims(claims);
    const receipt = await this.send("reimburseBatch", [items]);
    return { ...writeResult(receipt), count: items.length };
  }

  /**
   * Reimburses many claims as the connected payer, in atomic `reimburseBatch` transactions of up to `batchSize`,
   * several in flight. Every claim is validated first ({@link InvalidClaimsError} lists every fault), then judged
   * against the chain: a claim this payer already paid on the bill with the same claim reference and amount is
   * `alreadyPaid` (so a rerun after a crash pays exactly what is not yet paid); one the registry would refuse (an
   * unknown, voided or settled bill, an over-claim, a second claim on a bill) is `refused` with the typed error
   * `reimburse` would raise; the rest are paid. A batch that fails because of one claim (a race with another
   * payer) is resent without it. A refusal of the payer itself (role, pause) is thrown.
   *
   * @param claims - Bill, amount in fen and claim reference of each.
   * @param options - Batch size, transactions in flight, progress callback.
   * @returns Each claim's outcome in input order, counts and the transactions.
   */
  async reimburseMany(claims: readonly Claim[], options: ReimburseManyOptions = {}): Promise<ReimburseManyResult> {
    return reimburseMany(this.actions, claims, options);
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
    const topics = ["BillIssued", "BillReimbursed", "BillVoided"].map((n) => this.logReader.topic(n));
    const events: BillEvent[] = [];
    for await (const page of this.logReader.events([topics, id], range)) events.push(...page);
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
    const issued = this.logReader.topic("BillIssued");
    const reimbursed = this.logReader.topic("BillReimbursed");
    let topics: (string | string[] | null)[];
    if (q.issuer !== undefined) topics = [issued, null, topicOfAddress(addressArg("issuer", q.issuer))];
    else if (q.patientRef !== undefined) topics = [issued, null, null, bytes32Arg("patientRef", q.patientRef)];
    else topics = [reimbursed, null, topicOfAddress(addressArg("claimer", q.claimer))];
    for await (const page of this.logReader.events(topics, q)) yield* page;
  }

  /**
   * Every bill event of the registry (`BillIssued`, `BillReimbursed`, `BillVoided`) in a block range, in chain
   * order, one page per `eth_getLogs` request of `blockRange` blocks (pages without events are not yielded). This
   * is what an indexer follows.
   *
   * @param range - Blocks to read (default: from the client's `fromBlock` to the latest).
   */
  async *events(range: BlockRange = {}): AsyncGenerator<BillEvent[]> {
    const topics = ["BillIssued", "BillReimbursed", "BillVoided"].map((n) => this.logReader.topic(n));
    yield* this.logReader.events([topics], range);
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
    const granted = this.logReader.topic("RoleGranted");
    const revoked = this.logReader.topic("RoleRevoked");
    const members = new Set<string>();
    for await (const logs of this.logReader.logs([[granted, revoked], roleId(role)], range)) {
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
    return this.sender.requireSigner(method);
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
    return this.sender.mined(await this.sender.transact({ to: this.address, data, gasLimit: gasWithMargin(gas) }));
  }

  private findEvent(receipt: TransactionReceipt, name: string): ReturnType<Interface["parseLog"]> {
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const parsed = this.iface.parseLog(log);
      if (parsed?.name === name) return parsed;
    }
    return null;
  }

  /** Runs a read, retried past transport failures ({@link TxSender.read}). */
  private read<T>(fn: () => Promise<T>): Promise<T> {
    return this.sender.read(fn);
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

/** @internal Re-exported for the tests that check it against the ABI coder. */
export { encodeIssueBatch } from "./pipeline/calldata";
/** @internal */
export { mapLimit } from "./pipeline/util";
