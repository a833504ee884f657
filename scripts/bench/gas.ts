/**
 * Gas per operation, MedBill and its baselines side by side, measured from real receipts on the in-process Hardhat
 * network (Osaka: 16,777,216 gas per transaction at most, EIP-7825). Every MedBill row also carries its floor
 * ({@link floorOf}): the least the same transaction could cost with the same storage writes, logs and calldata.
 */
import type { ContractTransactionResponse, JsonRpcApiProvider, Signer, TransactionReceipt } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  BenchEAS__factory,
  BenchERC721A__factory,
  BenchERC721__factory,
  BenchSchemaRegistry__factory,
  BillRegistry__factory,
} from "../../typechain-types";
import type { AttestationRequestDataStruct } from "../../typechain-types/contracts/bench/BenchEAS";
import { MAX_TX_GAS } from "../../src/constants";
import { floorOf, storageWritesOf, type Floor } from "./floor";
import { EAS_BILL_SCHEMA, easData, syntheticBill, type SyntheticBill } from "./synthetic";

/** The most gas one transaction may use: the SDK's `MAX_TX_GAS` (EIP-7825), as a number for the arithmetic here. */
export const TX_GAS_CAP = Number(MAX_TX_GAS);

/** The batch sizes of `reimburseBatch` rows (issue 13's aim is at 100; 300 is `MAX_BATCH_SIZE`). */
export const REIMBURSE_BATCH_SIZES = [1, 10, 100, 300] as const;

/** The batch sizes every batching system is measured at (plus the largest batch that fits {@link TX_GAS_CAP}). */
export const BATCH_SIZES: readonly number[] = [1, 10, 50, 100, 200];

/** Who a row measures. */
export type System = "MedBill" | "EAS" | "ERC721" | "ERC721A";

/** The kind of job a row measures, so rows of different systems can be compared. */
export type Job = "deploy" | "single" | "batch" | "reimburse" | "void";

/** One measured operation. */
export interface GasRow {
  /** Stable key, e.g. `medbill.issueBatch.100` or `eas.multiAttest.max`. */
  id: string;
  system: System;
  job: Job;
  /** Human label, e.g. `issueBatch (100 bills)`. */
  operation: string;
  /** Bills (or attestations, or tokens) the transaction handles; 1 for single operations and deployments. */
  items: number;
  /** Whether this row is the largest batch that fits one transaction. */
  largest: boolean;
  /** Gas of the whole transaction (receipt `gasUsed`); null if it does not fit one transaction. */
  txGas: number | null;
  /** `txGas / items`, rounded. */
  perItem: number | null;
  /** MedBill rows only: the floor of the same transaction. */
  floor?: Floor & { perItem: number };
  /** `txGas / floor.total`. */
  floorRatio?: number;
  /** Baseline rows: the id of the MedBill row doing the same job. */
  comparedTo?: string;
  /** Baseline rows: baseline per-item gas divided by MedBill's (above 1: MedBill is cheaper). */
  ratioToMedBill?: number;
  /** Anything a reader needs to know about the row. */
  note?: string;
}

/** The compiler settings the measured bytecode was built with. */
export interface BuildSettings {
  solc: string;
  optimizerRuns: number;
  evmVersion: string;
}

/** Everything the gas part of the benchmark produces. */
export interface GasResults {
  build: BuildSettings;
  hardfork: string;
  txGasCap: number;
  rows: GasRow[];
}

interface Sent {
  receipt: TransactionReceipt;
  data: string;
}

async function mined(pending: Promise<ContractTransactionResponse>): Promise<Sent> {
  const tx = await pending;
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
  return { receipt, data: tx.data };
}

function perItem(gas: number, items: number): number {
  return Math.round(gas / items);
}

/**
 * The largest `n` in (`lo`, `limit`] for which `fits(n)`, given that `fits(lo)` holds; `guess` is where to start
 * looking above `lo`. Binary search on `eth_estimateGas`, which refuses anything above the transaction cap.
 */
async function largestFitting(
  fits: (n: number) => Promise<boolean>,
  lo: number,
  guess: number,
  limit = Number.MAX_SAFE_INTEGER,
): Promise<number> {
  let hi = Math.min(Math.max(guess, lo + 1), limit + 1);
  while (hi <= limit && (await fits(hi))) {
    lo = hi;
    hi = Math.min(hi * 2, limit + 1);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

async function estimates(estimate: () => Promise<bigint>): Promise<boolean> {
  try {
    return (await estimate()) <= BigInt(TX_GAS_CAP);
  } catch {
    return false;
  }
}

/**
 * Checks that the contracts about to be measured are the project's optimized build, as TypeChain's factories embed
 * it: a `hardhat coverage` run, for one, leaves instrumented, unoptimized artifacts and factories behind, which
 * would silently inflate every figure.
 */
export async function checkBuild(hre: HardhatRuntimeEnvironment): Promise<BuildSettings> {
  const name = "contracts/BillRegistry.sol:BillRegistry";
  const artifact = await hre.artifacts.readArtifact(name);
  const buildInfo = await hre.artifacts.getBuildInfo(name);
  const settings = buildInfo?.input.settings;
  const fix = "run `npx hardhat compile --force` (a coverage run leaves instrumented artifacts) and retry";
  if (!settings?.optimizer?.enabled) throw new Error(`BillRegistry's artifact was built without the optimizer: ${fix}`);
  if (artifact.bytecode !== BillRegistry__factory.bytecode) {
    throw new Error(`typechain-types/ and artifacts/ hold different BillRegistry bytecode: ${fix}`);
  }
  return {
    solc: buildInfo?.solcLongVersion ?? "unknown",
    optimizerRuns: settings.optimizer.runs ?? 200,
    evmVersion: settings.evmVersion ?? "default",
  };
}

/** Options of {@link measureGas}. */
export interface GasOptions {
  /** Called with a short label as each measurement starts. */
  log?: (line: string) => void;
  /**
   * Baseline rows with more items than this get no floor (tracing a large EAS batch takes tens of seconds); MedBill
   * rows always get one. Default: no limit.
   */
  baselineFloorMaxItems?: number;
  /** The result of {@link checkBuild} made when the run started (checked again here when absent). */
  build?: BuildSettings;
}

/**
 * Deploys MedBill and the baselines on `hre`'s network and measures every row. Uses accounts 0 (admin, and the
 * deployer of everything), 1 (hospital), 4 (social security) and 5 (insurer) of the development mnemonic.
 */
export async function measureGas(hre: HardhatRuntimeEnvironment, options: GasOptions = {}): Promise<GasResults> {
  const log = options.log ?? (() => undefined);
  const build = options.build ?? (await checkBuild(hre));
  const provider = hre.ethers.provider as unknown as JsonRpcApiProvider;
  const signers = await hre.ethers.getSigners();
  const [admin, hospital, socialSecurity, insurer] = [signers[0], signers[1], signers[4], signers[5]];
  const rows: GasRow[] = [];
  let nextBill = 0;
  const freshBills = (n: number): SyntheticBill[] => Array.from({ length: n }, () => syntheticBill(nextBill++));

  // ---------------------------------------------------------------- MedBill
  log("MedBill: deploy");
  const registryFactory = new BillRegistry__factory(admin as unknown as Signer);
  const registry = await registryFactory.deploy(86_400, admin.address);
  const deployTx = registry.deploymentTransaction();
  if (deployTx === null) throw new Error("BillRegistry deployment has no transaction");
  const deployReceipt = await deployTx.wait();
  if (deployReceipt === null) throw new Error("BillRegistry deployment was not mined");
  const registryAddress = await registry.getAddress();
  const runtimeCode = await provider.getCode(registryAddress);

  const medbillRow = async (
    id: string,
    job: Job,
    operation: string,
    items: number,
    sent: Sent,
    extra: { created?: boolean; largest?: boolean; note?: string } = {},
  ): Promise<GasRow> => {
    const writes = await storageWritesOf(provider, sent.receipt.hash, registryAddress, { created: extra.created });
    const floor = floorOf({
      data: sent.data,
      logs: sent.receipt.logs,
      writes,
      runtimeCodeBytes: extra.created ? (runtimeCode.length - 2) / 2 : undefined,
    });
    const txGas = Number(sent.receipt.gasUsed);
    const row: GasRow = {
      id,
      system: "MedBill",
      job,
      operation,
      items,
      largest: extra.largest ?? false,
      txGas,
      perItem: perItem(txGas, items),
      floor: { ...floor, perItem: perItem(floor.total, items) },
      floorRatio: txGas / floor.total,
      note: extra.note,
    };
    rows.push(row);
    return row;
  };

  await medbillRow(
    "medbill.deploy",
    "deploy",
    "deploy BillRegistry",
    1,
    { receipt: deployReceipt, data: deployTx.data },
    {
      created: true,
    },
  );

  const asAdmin = registry.connect(admin as unknown as Signer);
  await mined(asAdmin.grantRole(await registry.ISSUER_ROLE(), hospital.address));
  const CLAIMER_ROLE = await registry.CLAIMER_ROLE();
  await mined(asAdmin.grantRole(CLAIMER_ROLE, socialSecurity.address));
  await mined(asAdmin.grantRole(CLAIMER_ROLE, insurer.address));
  const asHospital = registry.connect(hospital as unknown as Signer);
  const maxBatch = Number(await registry.MAX_BATCH_SIZE());

  log("MedBill: issue");
  await medbillRow("medbill.issue", "single", "issue", 1, await mined(asHospital.issue(freshBills(1)[0])));
  for (const n of [...BATCH_SIZES, maxBatch]) {
    log(`MedBill: issueBatch ${n}`);
    const bills = freshBills(n);
    const fits = await estimates(() => asHospital.issueBatch.estimateGas(bills));
    if (!fits) throw new Error(`issueBatch of ${n} bills does not fit one transaction`);
    const largest = n === maxBatch;
    await medbillRow(
      largest ? "medbill.issueBatch.max" : `medbill.issueBatch.${n}`,
      "batch",
      `issueBatch (${n} bills${largest ? ", largest" : ""})`,
      n,
      await mined(asHospital.issueBatch(bills)),
      {
        largest,
        note: largest ? `MAX_BATCH_SIZE = ${maxBatch} is the contract's cap; it fits the transaction cap` : undefined,
      },
    );
  }

  log("MedBill: reimburse, voidBill");
  const [partBill, fullBill, voidable, voidableToo, replacement] = freshBills(5);
  await mined(asHospital.issueBatch([partBill, fullBill, voidable, voidableToo, replacement]));
  const idOf = (bill: SyntheticBill): Promise<string> => registry.billIdOf(hospital.address, bill.billNumber);
  const claimRef = (n: number): string => syntheticBill(n, "claim").contentHash;
  const first = (partBill.amount * 7n) / 10n;
  const bySocial = registry.connect(socialSecurity as unknown as Signer);
  const byInsurer = registry.connect(insurer as unknown as Signer);
  await medbillRow(
    "medbill.reimburse.first",
    "reimburse",
    "reimburse (first payer, 70 %)",
    1,
    await mined(bySocial.reimburse(await idOf(partBill), first, claimRef(1))),
  );
  await medbillRow(
    "medbill.reimburse.second",
    "reimburse",
    "reimburse (second payer, the rest)",
    1,
    await mined(byInsurer.reimburse(await idOf(partBill), partBill.amount - first, claimRef(2))),
  );
  await medbillRow(
    "medbill.reimburse.full",
    "reimburse",
    "reimburse (full, in one go)",
    1,
    await mined(bySocial.reimburse(await idOf(fullBill), fullBill.amount, claimRef(3))),
  );
  // reimburseBatch: each size pays fresh bills (issued beforehand, 36 % each), so every item is a first payment.
  for (const n of REIMBURSE_BATCH_SIZES) {
    log(`MedBill: reimburseBatch ${n}`);
    const bills = freshBills(n);
    for (let k = 0; k < n; k += maxBatch) await mined(asHospital.issueBatch(bills.slice(k, k + maxBatch)));
    const items = await Promise.all(
      bills.map(async (bill, i) => ({
        billId: await idOf(bill),
        amount: (bill.amount * 36n) / 100n > 0n ? (bill.amount * 36n) / 100n : 1n,
        claimRef: claimRef(1_000_000 + nextBill + i),
      })),
    );
    await medbillRow(
      `medbill.reimburseBatch.${n}`,
      "reimburse",
      `reimburseBatch (${n} bills${n === maxBatch ? ", largest" : ""})`,
      n,
      await mined(bySocial.reimburseBatch(items)),
      { largest: n === maxBatch },
    );
  }
  await medbillRow(
    "medbill.voidBill",
    "void",
    "voidBill",
    1,
    await mined(asHospital.voidBill(await idOf(voidable), claimRef(4), hre.ethers.ZeroHash)),
  );
  await medbillRow(
    "medbill.voidBill.replacement",
    "void",
    "voidBill (naming its replacement)",
    1,
    await mined(asHospital.voidBill(await idOf(voidableToo), claimRef(5), await idOf(replacement))),
  );

  const medbill = (id: string): GasRow => {
    const row = rows.find((candidate) => candidate.id === id);
    if (row === undefined) throw new Error(`no MedBill row ${id}`);
    return row;
  };
  /** MedBill's `issueBatch` row for a batch of `n`, or its largest batch for a baseline's largest batch. */
  const medbillBatch = (n: number | "max"): GasRow =>
    n === "max" || n >= maxBatch ? medbill("medbill.issueBatch.max") : medbill(`medbill.issueBatch.${n}`);
  const baselineRow = (
    id: string,
    system: System,
    job: Job,
    operation: string,
    items: number,
    txGas: number | null,
    comparedTo: GasRow,
    extra: { largest?: boolean; note?: string; floor?: Floor } = {},
  ): void => {
    const each = txGas === null ? null : perItem(txGas, items);
    const floor = extra.floor;
    rows.push({
      id,
      system,
      job,
      operation,
      items,
      largest: extra.largest ?? false,
      txGas,
      perItem: each,
      floor: floor === undefined ? undefined : { ...floor, perItem: perItem(floor.total, items) },
      floorRatio: floor === undefined || txGas === null ? undefined : txGas / floor.total,
      comparedTo: comparedTo.id,
      ratioToMedBill: each === null || comparedTo.perItem === null ? undefined : each / comparedTo.perItem,
      note: extra.note,
    });
  };
  const gasOf = (sent: Sent): number => Number(sent.receipt.gasUsed);
  /** The floor of a baseline transaction of `items` that wrote the storage of `address` (see `baselineFloorMaxItems`). */
  const floorAt = async (sent: Sent, address: string, items = 1): Promise<Floor | undefined> =>
    items > (options.baselineFloorMaxItems ?? Infinity)
      ? undefined
      : floorOf({
          data: sent.data,
          logs: sent.receipt.logs,
          writes: await storageWritesOf(provider, sent.receipt.hash, address),
        });
  const deployGas = async (pending: {
    deploymentTransaction(): ContractTransactionResponse | null;
  }): Promise<number> => {
    const receipt = await pending.deploymentTransaction()?.wait();
    if (!receipt) throw new Error("deployment was not mined");
    return Number(receipt.gasUsed);
  };

  /**
   * Measures a batching baseline at every size in {@link BATCH_SIZES} that fits, then at the largest size that fits.
   * `estimate(n)` and `send(n)` each build a fresh batch of `n`.
   */
  const batchRows = async (
    prefix: string,
    system: System,
    label: (n: number) => string,
    estimate: (n: number) => Promise<bigint>,
    send: (n: number) => Promise<Sent>,
    address: string,
  ): Promise<void> => {
    let lastFit = 0;
    let lastGas = 0;
    for (const n of BATCH_SIZES) {
      log(`${system}: ${label(n)}`);
      if (!(await estimates(() => estimate(n)))) {
        baselineRow(`${prefix}.${n}`, system, "batch", label(n), n, null, medbillBatch(n), {
          note: `does not fit one transaction (${TX_GAS_CAP.toLocaleString("en-US")} gas)`,
        });
        continue;
      }
      const sent = await send(n);
      const gas = gasOf(sent);
      baselineRow(`${prefix}.${n}`, system, "batch", label(n), n, gas, medbillBatch(n), {
        floor: await floorAt(sent, address, n),
      });
      lastFit = n;
      lastGas = gas;
    }
    const guess = Math.floor((TX_GAS_CAP * lastFit) / lastGas);
    log(`${system}: searching the largest batch that fits`);
    const largest = await largestFitting((n) => estimates(() => estimate(n)), lastFit, guess);
    log(`${system}: ${label(largest)}`);
    const sent = await send(largest);
    baselineRow(
      `${prefix}.max`,
      system,
      "batch",
      `${label(largest)}, largest`,
      largest,
      gasOf(sent),
      medbillBatch("max"),
      {
        largest: true,
        note: `largest batch within ${TX_GAS_CAP.toLocaleString("en-US")} gas`,
        floor: await floorAt(sent, address, largest),
      },
    );
  };

  // ---------------------------------------------------------------- EAS
  log("EAS: deploy, register schema");
  const schemaRegistry = await new BenchSchemaRegistry__factory(admin as unknown as Signer).deploy();
  const schemaRegistryGas = await deployGas(schemaRegistry);
  const eas = await new BenchEAS__factory(admin as unknown as Signer).deploy(await schemaRegistry.getAddress());
  const easDeployGas = await deployGas(eas);
  const registerSent = await mined(schemaRegistry.register(EAS_BILL_SCHEMA, hre.ethers.ZeroAddress, true));
  const registered = registerSent.receipt.logs
    .map((entry) => schemaRegistry.interface.parseLog(entry))
    .find((parsed) => parsed?.name === "Registered");
  if (!registered) throw new Error("schema registration emitted no Registered event");
  const schemaUid = registered.args[0] as string;
  baselineRow(
    "eas.deploy",
    "EAS",
    "deploy",
    "deploy SchemaRegistry + EAS, register the bill schema",
    1,
    schemaRegistryGas + easDeployGas + gasOf(registerSent),
    medbill("medbill.deploy"),
    {
      note: `SchemaRegistry ${schemaRegistryGas}, EAS ${easDeployGas}, register ${gasOf(registerSent)}`,
    },
  );
  const asAttester = eas.connect(hospital as unknown as Signer);
  const attestation = (bill: SyntheticBill): AttestationRequestDataStruct => ({
    recipient: hre.ethers.ZeroAddress,
    expirationTime: 0n,
    revocable: true,
    refUID: hre.ethers.ZeroHash,
    data: easData(bill),
    value: 0n,
  });
  log("EAS: attest");
  const easAddress = await eas.getAddress();
  const attested = await mined(asAttester.attest({ schema: schemaUid, data: attestation(freshBills(1)[0]) }));
  baselineRow("eas.attest", "EAS", "single", "attest", 1, gasOf(attested), medbill("medbill.issue"), {
    note: "revocable, no recipient, no expiry: the cheapest attestation carrying the bill's fields",
    floor: await floorAt(attested, easAddress),
  });
  const multi = (n: number): { schema: string; data: AttestationRequestDataStruct[] }[] => [
    { schema: schemaUid, data: freshBills(n).map(attestation) },
  ];
  await batchRows(
    "eas.multiAttest",
    "EAS",
    (n) => `multiAttest (${n} attestations)`,
    (n) => asAttester.multiAttest.estimateGas(multi(n)),
    (n) => mined(asAttester.multiAttest(multi(n))),
    easAddress,
  );

  // ---------------------------------------------------------------- ERC-721 (OpenZeppelin)
  log("ERC721: deploy, mint");
  const erc721 = await new BenchERC721__factory(admin as unknown as Signer).deploy();
  baselineRow(
    "erc721.deploy",
    "ERC721",
    "deploy",
    "deploy ERC721",
    1,
    await deployGas(erc721),
    medbill("medbill.deploy"),
  );
  const asMinter = erc721.connect(hospital as unknown as Signer);
  const erc721Address = await erc721.getAddress();
  // Warm-up: the holder's first token also creates its balance slot; every later mint only updates it.
  await mined(asMinter.mint(hospital.address, 1n));
  let nextToken = 2n;
  const minted = await mined(asMinter.mint(hospital.address, nextToken++));
  baselineRow("erc721.mint", "ERC721", "single", "mint", 1, gasOf(minted), medbill("medbill.issue"), {
    note: "a token id and its owner only, no bill fields; to a holder that already has a token",
    floor: await floorAt(minted, erc721Address),
  });
  await batchRows(
    "erc721.mintBatch",
    "ERC721",
    (n) => `mintBatch (${n} tokens)`,
    (n) => asMinter.mintBatch.estimateGas(hospital.address, nextToken, n),
    (n) => {
      const first = nextToken;
      nextToken += BigInt(n);
      return mined(asMinter.mintBatch(hospital.address, first, n));
    },
    erc721Address,
  );

  // ---------------------------------------------------------------- ERC721A
  log("ERC721A: deploy, mint");
  const erc721a = await new BenchERC721A__factory(admin as unknown as Signer).deploy();
  baselineRow(
    "erc721a.deploy",
    "ERC721A",
    "deploy",
    "deploy ERC721A",
    1,
    await deployGas(erc721a),
    medbill("medbill.deploy"),
  );
  const asBatchMinter = erc721a.connect(hospital as unknown as Signer);
  // Warm-up, as for ERC721: the holder's first mint also creates its balance record.
  await mined(asBatchMinter.mint(hospital.address, 1));
  await batchRows(
    "erc721a.mint",
    "ERC721A",
    (n) => `mint (${n} tokens)`,
    (n) => asBatchMinter.mint.estimateGas(hospital.address, n),
    (n) => mined(asBatchMinter.mint(hospital.address, n)),
    await erc721a.getAddress(),
  );

  const hardfork = String((hre.config.networks.hardhat as { hardfork?: string }).hardfork ?? "default");
  return { build, hardfork, txGasCap: TX_GAS_CAP, rows };
}
