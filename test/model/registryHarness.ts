/**
 * Drives a deployed `BillRegistry` with the model's {@link Action}s and reads its state in the model's shape, so the
 * property, race and hostile-input tests can compare the contract with {@link BillModel} step by step.
 *
 * Transactions go straight through the TypeChain contract (no SDK) with an explicit gas limit, so a refused call is
 * really mined (status 0) instead of being stopped by gas estimation; its revert data is decoded into the custom
 * error's name and arguments.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse, Log, TransactionReceipt } from "ethers";
import type { BillRegistry, RegistryCaller, RegistryLens } from "../../typechain-types";
import { deployRegistryFixture } from "../contracts/fixtures";
import {
  BillModel,
  CLAIMER_ROLE,
  ISSUER_ROLE,
  ROLES,
  type Action,
  type ModelBill,
  type ModelEvent,
  type Outcome,
  type Status,
  type Value,
} from "./billModel";

/** Gas limit of every single call: far above what any registry call needs (also under coverage instrumentation). */
export const CALL_GAS = 2_000_000n;
/** Gas limit of `issueBatch`: just under the 16,777,216 per-transaction cap (EIP-7825). */
export const BATCH_GAS = 16_000_000n;

/** An account that sends actions: an externally owned account, or the test-only `RegistryCaller` contract. */
export interface Actor {
  /** Short name for messages (e.g. `hospital-hz`, `contract`). */
  name: string;
  /** The `msg.sender` the registry sees, lowercase. */
  address: string;
  /** The signer that sends the transaction (for the contract actor: the forwarder's owner). */
  signer: HardhatEthersSigner;
  /** True if calls go through `RegistryCaller.forward`, so `msg.sender` is a contract. */
  viaContract: boolean;
}

/** What {@link harnessFixture} returns. */
export interface Harness {
  registry: BillRegistry;
  registryAddress: string;
  lens: RegistryLens;
  caller: RegistryCaller;
  /** Every actor, in a fixed order (see {@link harnessFixture}). */
  actors: Actor[];
  /** The model of the freshly set-up registry, built from the chain's own state. */
  initialModel: BillModel;
}

/**
 * The registry of the shared contract fixture (admin = account 0, hospitals 1 and 2 issuers, accounts 4 and 5
 * claimers) plus: account 3 (the third hospital) as issuer, a `RegistryCaller` owned by account 8 holding
 * `CLAIMER_ROLE` (a payer's contract wallet), and a `RegistryLens`. Actors, in order: admin (account 0),
 * hospital-hz, hospital-tz, hospital-jh (1-3), social-security (4), insurer (5), payment-platform (6), stranger (7),
 * contract (the forwarder; account 8 sends its transactions but is not itself an actor).
 * The initial model is read from the chain, so it stays right whatever the shared fixture grants.
 */
export async function harnessFixture(): Promise<Harness> {
  const base = await deployRegistryFixture();
  const signers = await ethers.getSigners();
  const { registry, registryAddress } = base;
  await registry.connect(signers[0]).grantRole(ISSUER_ROLE, signers[3].address);
  const lens = await ethers.deployContract("RegistryLens", [], signers[0]);
  const caller = await ethers.deployContract("RegistryCaller", [], signers[8]);
  const callerAddress = (await caller.getAddress()).toLowerCase();
  await registry.connect(signers[0]).grantRole(CLAIMER_ROLE, callerAddress);

  const names = [
    "admin",
    "hospital-hz",
    "hospital-tz",
    "hospital-jh",
    "social-security",
    "insurer",
    "payment-platform",
    "stranger",
  ];
  const actors: Actor[] = names.map((name, i) => ({
    name,
    address: signers[i].address.toLowerCase(),
    signer: signers[i],
    viaContract: false,
  }));
  actors.push({ name: "contract", address: callerAddress, signer: signers[8], viaContract: true });

  const model = new BillModel(await registry.defaultAdmin());
  const snap = await lens.snapshot(
    registryAddress,
    [],
    actors.map((a) => a.address),
    [...ROLES],
  );
  actors.forEach((actor, j) => {
    ROLES.forEach((role, r) => {
      if (snap.roles[j * ROLES.length + r]) model.roles.get(role)!.add(actor.address);
      else model.roles.get(role)!.delete(actor.address);
    });
  });
  model.paused = snap.paused;
  return { registry, registryAddress, lens, caller, actors, initialModel: model };
}

/** Lowercases strings and turns numbers into bigints, recursively flattening nothing: one ABI value. */
export function normalizeValue(value: unknown): Value {
  if (typeof value === "string") return value.toLowerCase();
  if (typeof value === "bigint" || typeof value === "boolean") return value;
  if (typeof value === "number") return BigInt(value);
  throw new Error(`unexpected ABI value ${String(value)}`);
}

/** The registry events among `logs`, decoded and normalized in the model's shape. */
export function registryEvents(registry: BillRegistry, registryAddress: string, logs: readonly Log[]): ModelEvent[] {
  const events: ModelEvent[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== registryAddress.toLowerCase()) continue;
    const parsed = registry.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) throw new Error(`undecodable registry log ${JSON.stringify(log)}`);
    events.push({ name: parsed.name, args: parsed.args.toArray().map(normalizeValue) });
  }
  return events;
}

/** A decoded custom error, or `{ error: "<empty>" }` for a revert without data. */
export interface DecodedError {
  error: string;
  args: Value[];
}

/** Decodes revert data with the registry's ABI (its own errors and OpenZeppelin's). */
export function decodeRevert(registry: BillRegistry, data: string): DecodedError {
  if (data === "0x" || data === "") return { error: "<empty>", args: [] };
  const parsed = registry.interface.parseError(data);
  if (parsed === null) {
    const forwarder = ethers.Interface.from([
      "error NotOwner(address caller)",
      "error FailedCall()",
      "error AddressEmptyCode(address target)",
    ]);
    const other = forwarder.parseError(data);
    if (other === null) throw new Error(`unknown revert data ${data}`);
    return { error: other.name, args: other.args.toArray().map(normalizeValue) };
  }
  return { error: parsed.name, args: parsed.args.toArray().map(normalizeValue) };
}

/** Finds the revert data Hardhat attaches to a failed `eth_sendTransaction` / `eth_call`, if any. */
export function revertDataOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    if (typeof record.data === "string" && record.data.startsWith("0x")) return record.data;
    current = record.error ?? record.info ?? record.cause;
  }
  return undefined;
}

/** The hash of the mined transaction Hardhat reports on a failed send, if any. */
function failedTxHashOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const hash = (error as Record<string, unknown>).transactionHash;
  return typeof hash === "string" ? hash : undefined;
}

/** The calldata of `action` for the registry. */
export function encodeAction(registry: BillRegistry, action: Action): string {
  const iface = registry.interface;
  switch (action.kind) {
    case "issue":
      return iface.encodeFunctionData("issue", [action.bill]);
    case "issueBatch":
      return iface.encodeFunctionData("issueBatch", [action.bills]);
    case "reimburse":
      return iface.encodeFunctionData("reimburse", [action.billId, action.amount, action.claimRef]);
    case "reimburseBatch":
      return iface.encodeFunctionData("reimburseBatch", [action.items]);
    case "voidBill":
      return iface.encodeFunctionData("voidBill", [action.billId, action.reason, action.replacementId]);
    case "pause":
      return iface.encodeFunctionData("pause");
    case "unpause":
      return iface.encodeFunctionData("unpause");
    case "grantRole":
      return iface.encodeFunctionData("grantRole", [action.role, action.account]);
    case "revokeRole":
      return iface.encodeFunctionData("revokeRole", [action.role, action.account]);
    case "renounceRole":
      return iface.encodeFunctionData("renounceRole", [action.role, action.account]);
  }
}

/**
 * Sends `action` from `actor` without waiting for it to be mined: straight through the TypeChain contract for an
 * externally owned account, through `RegistryCaller.forward` for the contract actor. With automine on, Hardhat
 * mines it at once and a refused call throws (see {@link execute}); with automine off it waits in the mempool.
 */
export async function sendAction(h: Harness, actor: Actor, action: Action): Promise<ContractTransactionResponse> {
  const gasLimit = action.kind === "issueBatch" || action.kind === "reimburseBatch" ? BATCH_GAS : CALL_GAS;
  if (actor.viaContract) {
    return h.caller.connect(actor.signer).forward(h.registryAddress, encodeAction(h.registry, action), { gasLimit });
  }
  const registry = h.registry.connect(actor.signer);
  switch (action.kind) {
    case "issue":
      return registry.issue(action.bill, { gasLimit });
    case "issueBatch":
      return registry.issueBatch(action.bills, { gasLimit });
    case "reimburse":
      return registry.reimburse(action.billId, action.amount, action.claimRef, { gasLimit });
    case "reimburseBatch":
      return registry.reimburseBatch(action.items, { gasLimit });
    case "voidBill":
      return registry.voidBill(action.billId, action.reason, action.replacementId, { gasLimit });
    case "pause":
      return registry.pause({ gasLimit });
    case "unpause":
      return registry.unpause({ gasLimit });
    case "grantRole":
      return registry.grantRole(action.role, action.account, { gasLimit });
    case "revokeRole":
      return registry.revokeRole(action.role, action.account, { gasLimit });
    case "renounceRole":
      return registry.renounceRole(action.role, action.account, { gasLimit });
  }
}

/** The chain's outcome of one mined action, in the model's shape, plus its receipt. */
export interface Executed {
  outcome: Outcome;
  receipt: TransactionReceipt;
}

/**
 * Sends `action` from `actor` with automine on and returns the chain's outcome: the registry events of a successful
 * receipt, or the decoded custom error of a mined, failed (status 0) transaction.
 */
export async function execute(h: Harness, actor: Actor, action: Action): Promise<Executed> {
  try {
    const tx = await sendAction(h, actor, action);
    const receipt = await tx.wait();
    if (receipt === null) throw new Error("no receipt");
    return { outcome: { ok: true, events: registryEvents(h.registry, h.registryAddress, receipt.logs) }, receipt };
  } catch (error) {
    const data = revertDataOf(error);
    const hash = failedTxHashOf(error);
    if (data === undefined || hash === undefined) throw error;
    const receipt = await ethers.provider.getTransactionReceipt(hash);
    if (receipt === null || receipt.status !== 0) {
      throw new Error(`a refused ${action.kind} was not mined as a failed transaction (${hash})`, { cause: error });
    }
    if (receipt.logs.length !== 0) throw new Error(`a failed ${action.kind} left logs`, { cause: error });
    const decoded = decodeRevert(h.registry, data);
    return { outcome: { ok: false, error: decoded.error, args: decoded.args }, receipt };
  }
}

/**
 * The revert data of a mined, failed transaction, replayed by `debug_traceTransaction` (so it reflects the state
 * inside its block, after the transactions before it), or undefined if it succeeded.
 */
export async function revertDataOfMined(hash: string): Promise<string | undefined> {
  const trace = (await ethers.provider.send("debug_traceTransaction", [
    hash,
    { disableStorage: true, disableMemory: true, disableStack: true },
  ])) as { failed: boolean; returnValue: string };
  if (!trace.failed) return undefined;
  const value = trace.returnValue.startsWith("0x") ? trace.returnValue : `0x${trace.returnValue}`;
  return value.toLowerCase();
}

/** The registry's observable state for some bills and accounts, keyed for readable `deep.equal` diffs. */
export interface StateView {
  /** `getBill(id)` by id. */
  bills: Record<string, ModelBill>;
  /** `reimbursedBy(id, account)` by `${id}/${account}`. */
  reimbursedBy: Record<string, bigint>;
  /** `hasRole(role, account)` by `${role}/${account}`. */
  roles: Record<string, boolean>;
  paused: boolean;
  defaultAdmin: string;
}

/** Reads the chain's {@link StateView} for `billIds` × `accounts` in one call through the lens. */
export async function chainState(
  h: Harness,
  billIds: readonly string[],
  accounts: readonly string[],
): Promise<StateView> {
  const snap = await h.lens.snapshot(h.registryAddress, [...billIds], [...accounts], [...ROLES]);
  const view: StateView = {
    bills: {},
    reimbursedBy: {},
    roles: {},
    paused: snap.paused,
    defaultAdmin: snap.defaultAdmin.toLowerCase(),
  };
  billIds.forEach((billId, i) => {
    const b = snap.bills[i];
    view.bills[billId] = {
      issuer: b.issuer.toLowerCase(),
      status: Number(b.status) as Status,
      amount: b.amount,
      reimbursed: b.reimbursed,
      contentHash: b.contentHash.toLowerCase(),
    };
    accounts.forEach((account, j) => {
      view.reimbursedBy[`${billId}/${account}`] = snap.reimbursed[i * accounts.length + j];
    });
  });
  accounts.forEach((account, j) => {
    ROLES.forEach((role, r) => {
      view.roles[`${role}/${account}`] = snap.roles[j * ROLES.length + r];
    });
  });
  return view;
}

/** Reads the same {@link StateView} directly through the registry's own views (no lens), one call each. */
export async function chainStateDirect(
  h: Harness,
  billIds: readonly string[],
  accounts: readonly string[],
): Promise<StateView> {
  const r = h.registry;
  const view: StateView = {
    bills: {},
    reimbursedBy: {},
    roles: {},
    paused: await r.paused(),
    defaultAdmin: (await r.defaultAdmin()).toLowerCase(),
  };
  for (const billId of billIds) {
    const b = await r.getBill(billId);
    view.bills[billId] = {
      issuer: b.issuer.toLowerCase(),
      status: Number(b.status) as Status,
      amount: b.amount,
      reimbursed: b.reimbursed,
      contentHash: b.contentHash.toLowerCase(),
    };
    for (const account of accounts) view.reimbursedBy[`${billId}/${account}`] = await r.reimbursedBy(billId, account);
  }
  for (const account of accounts) {
    for (const role of ROLES) view.roles[`${role}/${account}`] = await r.hasRole(role, account);
  }
  return view;
}

/** The model's {@link StateView} for `billIds` × `accounts`. */
export function modelState(model: BillModel, billIds: readonly string[], accounts: readonly string[]): StateView {
  const view: StateView = {
    bills: {},
    reimbursedBy: {},
    roles: {},
    paused: model.paused,
    defaultAdmin: model.defaultAdmin,
  };
  for (const billId of billIds) {
    view.bills[billId] = { ...model.getBill(billId) };
    for (const account of accounts) view.reimbursedBy[`${billId}/${account}`] = model.getReimbursedBy(billId, account);
  }
  for (const account of accounts) {
    for (const role of ROLES) view.roles[`${role}/${account}`] = model.hasRole(role, account);
  }
  return view;
}

/**
 * The root of the registry's whole storage trie (`eth_getProof`): equal roots before and after a call prove that the
 * call changed nothing at all in the registry, not only in the bills and accounts a test happens to read.
 */
export async function storageRoot(h: Harness): Promise<string> {
  const proof = (await ethers.provider.send("eth_getProof", [h.registryAddress, [], "latest"])) as {
    storageHash: string;
  };
  return proof.storageHash;
}
