import { HDNodeWallet, Wallet, type Provider } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/**
 * The wallet of account `index` of the current network, when its key is in the Hardhat config (a mnemonic or a list
 * of private keys, as for `localhost` and `rpc`): the SDK then signs batches itself and sends them raw, which is
 * much faster for bulk imports than a JSON-RPC signer. `undefined` for `remote` accounts (the node signs).
 *
 * @param hre - The Hardhat runtime (its network's `accounts` config).
 * @param index - The account index (a consortium member's `account`).
 * @param provider - The provider the wallet sends through.
 */
export function localWallet(
  hre: HardhatRuntimeEnvironment,
  index: number,
  provider: Provider,
): Wallet | HDNodeWallet | undefined {
  const accounts: unknown = hre.network.config.accounts;
  if (Array.isArray(accounts)) {
    const entry: unknown = accounts[index];
    const key = typeof entry === "string" ? entry : (entry as { privateKey?: unknown } | undefined)?.privateKey;
    return typeof key === "string" ? new Wallet(key, provider) : undefined;
  }
  if (accounts === null || typeof accounts !== "object") return undefined;
  const hd = accounts as { mnemonic?: unknown; path?: unknown; initialIndex?: unknown; passphrase?: unknown };
  if (typeof hd.mnemonic !== "string") return undefined;
  const base = typeof hd.path === "string" ? hd.path : "m/44'/60'/0'/0";
  const first = typeof hd.initialIndex === "number" ? hd.initialIndex : 0;
  const passphrase = typeof hd.passphrase === "string" ? hd.passphrase : "";
  return HDNodeWallet.fromPhrase(hd.mnemonic, passphrase, `${base}/${first + index}`).connect(provider);
}
