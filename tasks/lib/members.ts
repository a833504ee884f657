import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import {
  ConsortiumError,
  findMember as sdkFindMember,
  lookupMember as sdkLookupMember,
  type Consortium,
  type ConsortiumMember,
} from "../../src/consortium";
import { bindConsortium, readConsortiumFile, type ConsortiumAccounts } from "../../src/consortium-accounts";
import { CliError } from "./errors";

/**
 * The tasks' view of the consortium file: loading, lookup and keys are the SDK's (`src/consortium.ts`,
 * `src/consortium-accounts.ts`, docs/DESIGN.md "Consortium file"); this module only binds them to Hardhat's network
 * and turns their errors into one-line {@link CliError}s.
 */
export type { Consortium, MemberRole } from "../../src/consortium";

/** One member of the consortium, as listed in the consortium file. */
export type Member = ConsortiumMember;

function asCliError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConsortiumError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Reads and checks the consortium file: MEDBILL_CONSORTIUM when set, else `consortium/local.json` under `root`.
 *
 * @throws {@link CliError} naming the file and the faulty field.
 */
export function loadConsortium(root: string, file?: string): Consortium {
  return asCliError(() => readConsortiumFile(root, process.env, file));
}

/**
 * Finds a member by id, short id or name, by the SDK's one rule ({@link sdkLookupMember}).
 *
 * @throws {@link CliError} `unknown member "x"` listing the known ids.
 */
export function findMember(consortium: Consortium, nameOrId: string): Member {
  return asCliError(() => sdkFindMember(consortium, nameOrId));
}

/** The member a text names (a bill's `hospital` field, an option), by the same rule; undefined when none. */
export function lookupMember(consortium: Consortium, text: string): Member | undefined {
  return sdkLookupMember(consortium, text);
}

/** The consortium bound to the current network's chain, with the keys from the environment; loaded once per run. */
export interface MemberDirectory {
  readonly consortium: Consortium;
  /** The consortium bound to the network's chain (checks it: chain id, `accountIndex` on local chains only). */
  accounts(): Promise<ConsortiumAccounts>;
  /** The member's wallet on the current network (its key from the environment, or its development account). */
  signerOf(member: Member): Promise<Signer>;
  /** The member's address. */
  addressOf(member: Member): Promise<string>;
  /** The member holding `address`, if any (case-insensitive). */
  memberAt(address: string): Promise<Member | undefined>;
  /** `Name (id)` for a member's address, or the address itself for a non-member. */
  label(address: string): Promise<string>;
}

/** Builds the member directory of the current network from the consortium file. */
export function memberDirectory(hre: HardhatRuntimeEnvironment, consortium: Consortium): MemberDirectory {
  let bound: Promise<ConsortiumAccounts> | undefined;
  const accounts = (): Promise<ConsortiumAccounts> => {
    bound ??= hre.ethers.provider
      .getNetwork()
      .then(({ chainId }) => asCliError(() => bindConsortium(consortium, chainId)));
    return bound;
  };
  return {
    consortium,
    accounts,
    async signerOf(member) {
      const bound = await accounts();
      return asCliError(() => bound.wallet(member, hre.ethers.provider));
    },
    async addressOf(member) {
      return (await accounts()).addressOf(member);
    },
    async memberAt(address) {
      return (await accounts()).memberAt(address);
    },
    async label(address) {
      return (await accounts()).label(address);
    },
  };
}
