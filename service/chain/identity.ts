/**
 * Who the service acts as: the consortium member `MEDBILL_AS` names, and its key, through the SDK's one consortium
 * module (`medbill/node`; docs/DESIGN.md "Consortium file"): keys from `MEDBILL_PRIVATE_KEYS` or an encrypted
 * keystore (`MEDBILL_KEYSTORE`, `MEDBILL_KEYSTORE_PASSWORD`) matched to the members' addresses, else, for a member
 * given by development `accountIndex`, its development account. The node's chain is checked against the file when
 * the service connects (`chain/link.ts`).
 */
import type { Wallet } from "ethers";
import { LOCAL_CHAIN_IDS } from "../../src/constants";
import { findMember, type Consortium, type ConsortiumMember } from "../../src/consortium";
import { bindConsortium, keysFromEnv, readConsortiumFile } from "../../src/node";
import { ConfigError, type ServiceConfig } from "../config";

/** The member the service acts as, with its signing key (not connected to a node). */
export interface Identity {
  /** The consortium file it was found in. */
  readonly consortium: Consortium;
  readonly member: ConsortiumMember;
  readonly address: string;
  readonly wallet: Wallet;
  /** True when the key is the member's development account (no key from the environment). */
  readonly devKey: boolean;
}

/**
 * Resolves `MEDBILL_AS` against the consortium file (`MEDBILL_CONSORTIUM`, default `consortium/local.json`).
 *
 * @returns undefined when `MEDBILL_AS` is not set.
 * @throws {@link ConfigError} naming `MEDBILL_AS` or the key variable when they do not fit.
 */
export function resolveIdentity(config: ServiceConfig): Identity | undefined {
  if (config.as === undefined) return undefined;
  let consortium: Consortium;
  let member: ConsortiumMember;
  try {
    consortium = readConsortiumFile(config.projectDir, config.env);
    member = findMember(consortium, config.as);
  } catch (e) {
    throw new ConfigError(`MEDBILL_AS: ${(e as Error).message}`);
  }
  try {
    const keys = keysFromEnv(config.env);
    // Bound to the file's chain, or provisionally to a local one; the node's own chain is checked on connect.
    const accounts = bindConsortium(consortium, consortium.chainId ?? LOCAL_CHAIN_IDS[0], { keys });
    const wallet = accounts.wallet(member);
    const devKey = !keys.some((key) => key.address === wallet.address);
    return { consortium, member, address: wallet.address, wallet, devKey };
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}
