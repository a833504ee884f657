import path from "node:path";
import type { Provider, Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { MedBillClient } from "../../src/client";
import { CliError, unreachableMessage } from "./errors";
import {
  findMember,
  loadConsortium,
  lookupMember,
  memberDirectory,
  type Consortium,
  type Member,
  type MemberDirectory,
} from "./members";

/** The SDK's main entry, loaded lazily (its TypeChain types do not exist before the first compile). */
export type Sdk = typeof import("../../src");

/** Loads the SDK (lazily, from an action). */
export async function loadSdk(): Promise<Sdk> {
  try {
    return await import("../../src");
  } catch (error) {
    const message = (error as Error).message;
    if (/typechain-types/.test(message))
      throw new CliError('contract types are missing: run "npx hardhat compile" first');
    throw error;
  }
}

/** The consortium and its accounts on the current network. */
export interface Members {
  readonly consortium: Consortium;
  readonly directory: MemberDirectory;
  /** Finds a member by id, short id or name; {@link CliError} when unknown. */
  find(nameOrId: string): Member;
  /** The member a bill's `hospital` field names, by the same rule as {@link Members.find}; undefined when none. */
  byHospitalName(hospital: string): Member | undefined;
}

/** Loads the consortium file (MEDBILL_CONSORTIUM, default `consortium/local.json`) for the current network. */
export function loadMembers(hre: HardhatRuntimeEnvironment): Members {
  const consortium = loadConsortium(hre.config.paths.root);
  const directory = memberDirectory(hre, consortium);
  return {
    consortium,
    directory,
    find: (nameOrId) => findMember(consortium, nameOrId),
    byHospitalName: (hospital) => lookupMember(consortium, hospital),
  };
}

/** A connection to the registry, acting as a member or read-only. */
export interface Registry {
  readonly sdk: Sdk;
  readonly client: MedBillClient;
  readonly members: Members;
  /** The acting member, when connected with a signer. */
  readonly as?: Member;
}

/** Options of {@link openRegistry}. */
export interface OpenOptions {
  /** `--registry`: the registry's address; else the URI's registry, else Ignition's record for the chain. */
  readonly registry?: string;
  /** The registry named by a bill URI, and its chain. */
  readonly uri?: { readonly chainId: bigint; readonly registry: string };
  /** Act as this member (writes); read-only when omitted. */
  readonly as?: Member;
}

/**
 * Connects to the registry through the SDK: the address comes from `--registry`, a bill URI, or Ignition's record
 * as the SDK reads it (`medbill/node`: `ignition/deployments/<MEDBILL_DEPLOYMENT_ID or chain-<id>>/...`); the node
 * must answer and hold a contract there.
 *
 * @throws {@link CliError} naming the network when the node cannot be reached, or when there is no deployment.
 */
export async function openRegistry(
  hre: HardhatRuntimeEnvironment,
  members: Members,
  options: OpenOptions = {},
): Promise<Registry> {
  const sdk = await loadSdk();
  const node = await import("../../src/node");
  if (
    options.registry !== undefined &&
    options.uri !== undefined &&
    options.registry.toLowerCase() !== options.uri.registry.toLowerCase()
  ) {
    throw new CliError(`the bill URI names registry ${options.uri.registry}, not --registry ${options.registry}`);
  }
  // The member's wallet (its key from the environment, or its development account on a local chain): the SDK signs
  // locally and sends batches raw.
  const runner: Signer | Provider =
    options.as === undefined ? hre.ethers.provider : await members.directory.signerOf(options.as);
  const root = hre.config.paths.root;
  const fromRecord = (chainId: bigint): Promise<string | undefined> => node.readIgnitionAddress(root, chainId);
  const target = options.registry ?? options.uri?.registry ?? fromRecord;
  let client: MedBillClient;
  try {
    // The consortium file is checked against the node's chain before anything else (its chain id, accountIndex on
    // local chains only, every key from the environment matched to a member).
    await members.directory.accounts();
    client = await sdk.MedBillClient.connect(target, runner, { chainId: options.uri?.chainId, timeoutMs: 10_000 });
  } catch (error) {
    if (error instanceof sdk.NodeUnreachableError) throw new CliError(unreachableMessage(hre), { cause: error });
    if (error instanceof sdk.WrongChainError) {
      throw new CliError(
        `the bill URI is for chain ${error.expected}, but network "${hre.network.name}" serves chain ${error.actual}`,
        { cause: error },
      );
    }
    if (error instanceof sdk.NoContractError) {
      if (error.address === null) {
        throw new CliError(
          `no MedBill deployment on chain ${error.chainId} (network "${hre.network.name}"): ${path.relative(root, node.ignitionAddressesFile(root, error.chainId))} has no "${node.IGNITION_KEY}"; deploy with "npx hardhat run scripts/deploy.ts --network ${hre.network.name}" or pass --registry <address>`,
          { cause: error },
        );
      }
      throw new CliError(
        `no contract at ${error.address} on chain ${error.chainId} (network "${hre.network.name}"): deploy the registry there (was the node restarted?) or pass the right --registry`,
        { cause: error },
      );
    }
    throw error;
  }
  return { sdk, client, members, as: options.as };
}

/**
 * Turns an SDK error into a one-line {@link CliError} naming members instead of bare addresses where it can.
 */
export async function explainSdkError(
  error: unknown,
  registry: Registry,
  hre: HardhatRuntimeEnvironment,
): Promise<CliError> {
  const { sdk, members } = registry;
  if (error instanceof CliError) return error;
  if (error instanceof sdk.NodeUnreachableError) return new CliError(unreachableMessage(hre), { cause: error });
  if (error instanceof sdk.UnauthorizedError) {
    return new CliError(
      `${await members.directory.label(error.account)} lacks the ${error.roleName ?? error.neededRole} role on registry ${registry.client.address}`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof sdk.PausedError) {
    return new CliError(
      `the registry ${registry.client.address} is paused: nothing was sent (the admin runs registry:unpause)`,
      { cause: error },
    );
  }
  if (error instanceof sdk.ReimbursementExceedsBalanceError) {
    return new CliError(
      `reimbursement of ${sdk.formatYuan(error.requested)} yuan exceeds the ${sdk.formatYuan(error.remaining)} yuan left on bill ${error.billId}: nothing sent`,
      { cause: error },
    );
  }
  if (error instanceof sdk.AlreadyReimbursedError) {
    return new CliError(
      `${await members.directory.label(error.claimer)} already reimbursed bill ${error.billId}: each payer reimburses a bill once`,
      { cause: error },
    );
  }
  if (error instanceof sdk.MedBillError) return new CliError(error.message.split("\n")[0], { cause: error });
  return new CliError(error instanceof Error ? error.message.split("\n")[0] : String(error), { cause: error });
}

/** Runs `fn`, turning any SDK error into a one-line {@link CliError}. */
export async function explained<T>(
  registry: Registry,
  hre: HardhatRuntimeEnvironment,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw await explainSdkError(error, registry, hre);
  }
}
