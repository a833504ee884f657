/**
 * Who the service acts as: the consortium member `MEDBILL_AS` names, and its key, found as for the `rpc` network
 * (`MEDBILL_PRIVATE_KEYS`, comma-separated, indexed by the member's `account`; else `MEDBILL_MNEMONIC`, else the
 * development mnemonic).
 */
import { HDNodeWallet, Wallet } from "ethers";
import { findMember, loadConsortium, type Member } from "../../tasks/lib/members";
import { ConfigError, type ServiceConfig } from "../config";

/** Hardhat's and anvil's development mnemonic: the default keys of the local consortium. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The member the service acts as, with its signing key (not connected to a node). */
export interface Identity {
  readonly member: Member;
  readonly address: string;
  readonly wallet: Wallet | HDNodeWallet;
  /** True when the key comes from the development mnemonic. */
  readonly devKey: boolean;
}

/**
 * Resolves `MEDBILL_AS` against the consortium file (`MEDBILL_CONSORTIUM`, default `consortium/local.json`).
 *
 * @returns undefined when `MEDBILL_AS` is not set.
 * @throws {@link ConfigError} naming `MEDBILL_AS`, `MEDBILL_PRIVATE_KEYS` or `MEDBILL_MNEMONIC` when they do not fit.
 */
export function resolveIdentity(config: ServiceConfig): Identity | undefined {
  if (config.as === undefined) return undefined;
  let member: Member;
  try {
    member = findMember(loadConsortium(config.projectDir, config.env.MEDBILL_CONSORTIUM), config.as);
  } catch (e) {
    throw new ConfigError(`MEDBILL_AS: ${(e as Error).message}`);
  }
  const keys = config.env.MEDBILL_PRIVATE_KEYS?.trim();
  if (keys) {
    const list = keys.split(",").map((k) => k.trim());
    const key = list[member.account];
    if (key === undefined) {
      throw new ConfigError(
        `MEDBILL_PRIVATE_KEYS has ${list.length} key(s), but member "${member.id}" uses account #${member.account}`,
      );
    }
    try {
      const wallet = new Wallet(key);
      return { member, address: wallet.address, wallet, devKey: false };
    } catch {
      throw new ConfigError(`MEDBILL_PRIVATE_KEYS: key #${member.account} is not a 32-byte hex private key`);
    }
  }
  const phrase = config.env.MEDBILL_MNEMONIC?.trim() || DEV_MNEMONIC;
  let wallet: HDNodeWallet;
  try {
    wallet = HDNodeWallet.fromPhrase(phrase, "", `m/44'/60'/0'/0/${member.account}`);
  } catch {
    throw new ConfigError("MEDBILL_MNEMONIC is not a valid BIP-39 mnemonic");
  }
  return { member, address: wallet.address, wallet, devKey: phrase === DEV_MNEMONIC };
}
