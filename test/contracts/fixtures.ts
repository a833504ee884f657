/**
 * Shared chain fixtures and helpers for the `BillRegistry` contract tests.
 *
 * Every fixture is a named function meant for `loadFixture` from `@nomicfoundation/hardhat-network-helpers`, so
 * the deployment runs once per test file and each test starts from a snapshot. The exports of this module are
 * stable: other test files (properties, races, hostile input) import them.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BillRegistry } from "../../typechain-types";

/** Seconds a proposed admin must wait before accepting (3 days), as deployed by {@link deployRegistryFixture}. */
export const ADMIN_DELAY = 3n * 24n * 60n * 60n;

/** `IBillRegistry.BillStatus`, in declaration order. */
export enum BillStatus {
  None = 0,
  Issued = 1,
  PartiallyReimbursed = 2,
  Reimbursed = 3,
  Voided = 4,
}

/** The zero `bytes32`. */
export const ZERO_HASH = ethers.ZeroHash;

/** A bill as submitted to `issue` / `issueBatch`, with concrete types (assignable to TypeChain's `BillInputStruct`). */
export interface BillInput {
  billNumber: string;
  patientRef: string;
  contentHash: string;
  amount: bigint;
}

/** A bill as read back with `getBill`, as a plain object that `deep.equal` can compare. */
export interface BillView {
  issuer: string;
  status: BillStatus;
  amount: bigint;
  reimbursed: bigint;
  contentHash: string;
}

/** The named consortium members used by the tests (indices follow `consortium/local.json`). */
export interface Actors {
  /** Account 0: the finance bureau, holder of `DEFAULT_ADMIN_ROLE`. */
  admin: HardhatEthersSigner;
  /** Account 1: a hospital holding `ISSUER_ROLE`. */
  hospitalA: HardhatEthersSigner;
  /** Account 2: another hospital holding `ISSUER_ROLE`. */
  hospitalB: HardhatEthersSigner;
  /** Account 4: the social-security fund, holding `CLAIMER_ROLE`. */
  socialSecurity: HardhatEthersSigner;
  /** Account 5: an insurer, holding `CLAIMER_ROLE`. */
  insurer: HardhatEthersSigner;
  /** Account 7: an account with no role at all. */
  stranger: HardhatEthersSigner;
}

/** What {@link deployRegistryFixture} returns. */
export interface RegistryFixture extends Actors {
  /** The freshly deployed registry, connected to `admin`. */
  registry: BillRegistry;
  /** `registry`'s address. */
  registryAddress: string;
  /** `ISSUER_ROLE` as read from the contract. */
  ISSUER_ROLE: string;
  /** `CLAIMER_ROLE` as read from the contract. */
  CLAIMER_ROLE: string;
  /** `DEFAULT_ADMIN_ROLE` (zero). */
  DEFAULT_ADMIN_ROLE: string;
}

/** What {@link issuedBillFixture} returns: the registry plus one live bill issued by `hospitalA`. */
export interface IssuedBillFixture extends RegistryFixture {
  /** The input `hospitalA` issued. */
  bill: BillInput;
  /** Its id. */
  billId: string;
}

/** `keccak256` of a UTF-8 label: a convenient non-zero `bytes32`. */
export function label(text: string): string {
  return ethers.id(text);
}

/** `keccak256(abi.encode(issuer, billNumber))`, computed off chain exactly as docs/DESIGN.md defines a bill's id. */
export function billIdOf(issuer: string, billNumber: string): string {
  return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [issuer, billNumber]));
}

/**
 * Builds a valid `BillInput` whose fields derive from `seed` (distinct seeds give distinct bill numbers, patient
 * refs and content hashes); `overrides` replaces any field, e.g. `makeBill(1, { amount: 0n })` for a bad bill.
 */
export function makeBill(seed: number | string, overrides: Partial<BillInput> = {}): BillInput {
  return {
    billNumber: label(`bill-number:${seed}`),
    patientRef: label(`patient-ref:${seed}`),
    contentHash: label(`content-hash:${seed}`),
    amount: 12_345n,
    ...overrides,
  };
}

/** Builds `count` valid bills with seeds `${prefix}${0..count-1}`. */
export function makeBills(count: number, prefix = "batch-"): BillInput[] {
  return Array.from({ length: count }, (_, i) => makeBill(`${prefix}${i}`, { amount: BigInt(1_000 + i) }));
}

/** Reads a bill back as a plain {@link BillView}. */
export async function readBill(registry: BillRegistry, billId: string): Promise<BillView> {
  const b = await registry.getBill(billId);
  return {
    issuer: b.issuer,
    status: Number(b.status) as BillStatus,
    amount: b.amount,
    reimbursed: b.reimbursed,
    contentHash: b.contentHash,
  };
}

/** A comparable snapshot of everything the registry stores that a test may want to prove unchanged. */
export interface RegistryState {
  paused: boolean;
  defaultAdmin: string;
  bills: Record<string, BillView>;
  reimbursedBy: Record<string, string>;
  roles: Record<string, boolean>;
}

/**
 * Snapshots the registry: pause flag, default admin, the given bills, every claimer-by-bill reimbursement among
 * `claimers`, and every role of every account among `accounts`. Compare two snapshots with `deep.equal` to prove
 * that a reverted call changed nothing.
 */
export async function registryState(
  registry: BillRegistry,
  billIds: readonly string[],
  accounts: readonly string[],
): Promise<RegistryState> {
  const roleIds = [await registry.DEFAULT_ADMIN_ROLE(), await registry.ISSUER_ROLE(), await registry.CLAIMER_ROLE()];
  const state: RegistryState = {
    paused: await registry.paused(),
    defaultAdmin: await registry.defaultAdmin(),
    bills: {},
    reimbursedBy: {},
    roles: {},
  };
  for (const id of billIds) {
    state.bills[id] = await readBill(registry, id);
    for (const account of accounts) {
      state.reimbursedBy[`${id}/${account}`] = (await registry.reimbursedBy(id, account)).toString();
    }
  }
  for (const account of accounts) {
    for (const role of roleIds) state.roles[`${role}/${account}`] = await registry.hasRole(role, account);
  }
  return state;
}

/** The addresses of every named actor, for {@link registryState}. */
export function actorAddresses(actors: Actors): string[] {
  return [actors.admin, actors.hospitalA, actors.hospitalB, actors.socialSecurity, actors.insurer, actors.stranger].map(
    (s) => s.address,
  );
}

/** Gets the named actors from the Hardhat accounts (see {@link Actors} for the indices). */
export async function getActors(): Promise<Actors> {
  const signers = await ethers.getSigners();
  return {
    admin: signers[0],
    hospitalA: signers[1],
    hospitalB: signers[2],
    socialSecurity: signers[4],
    insurer: signers[5],
    stranger: signers[7],
  };
}

/**
 * Deploys `BillRegistry` with `admin` as default admin and a 3-day admin delay, grants `ISSUER_ROLE` to
 * `hospitalA` and `hospitalB` and `CLAIMER_ROLE` to `socialSecurity` and `insurer`.
 */
export async function deployRegistryFixture(): Promise<RegistryFixture> {
  const actors = await getActors();
  const registry = await ethers.deployContract("BillRegistry", [ADMIN_DELAY, actors.admin.address], actors.admin);
  await registry.waitForDeployment();
  const ISSUER_ROLE = await registry.ISSUER_ROLE();
  const CLAIMER_ROLE = await registry.CLAIMER_ROLE();
  await registry.grantRole(ISSUER_ROLE, actors.hospitalA.address);
  await registry.grantRole(ISSUER_ROLE, actors.hospitalB.address);
  await registry.grantRole(CLAIMER_ROLE, actors.socialSecurity.address);
  await registry.grantRole(CLAIMER_ROLE, actors.insurer.address);
  return {
    ...actors,
    registry,
    registryAddress: await registry.getAddress(),
    ISSUER_ROLE,
    CLAIMER_ROLE,
    DEFAULT_ADMIN_ROLE: await registry.DEFAULT_ADMIN_ROLE(),
  };
}

/** {@link deployRegistryFixture} plus one live bill (`makeBill("A-1")`, 12,345 fen) issued by `hospitalA`. */
export async function issuedBillFixture(): Promise<IssuedBillFixture> {
  const base = await deployRegistryFixture();
  const bill = makeBill("A-1");
  await base.registry.connect(base.hospitalA).issue(bill);
  return { ...base, bill, billId: billIdOf(base.hospitalA.address, bill.billNumber) };
}
