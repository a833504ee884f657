/**
 * The consortium file on disk and the members' keys (docs/DESIGN.md, "Consortium file"): the one module that
 * scripts, tasks, the web page's build and the service load members and keys through. Node-only (reads the disk and
 * the environment); imported as `medbill/node`.
 *
 * Keys come only from the environment: `MEDBILL_PRIVATE_KEYS` (comma-separated hex private keys) and/or
 * `MEDBILL_KEYSTORE` (comma-separated paths of encrypted JSON keystore files, ethers' format, all opened with the
 * password in `MEDBILL_KEYSTORE_PASSWORD`). Each key is matched to the member whose address it controls; a key that
 * matches no member is an error. A member given by development `accountIndex` (local chains only) signs with that
 * account of the development mnemonic unless a key from the environment is its own.
 */
import fs from "node:fs";
import path from "node:path";
import { HDNodeWallet, Wallet, decryptKeystoreJsonSync, type Provider } from "ethers";
import {
  ConsortiumError,
  checkConsortiumChain,
  parseConsortium,
  type Consortium,
  type ConsortiumMember,
} from "./consortium";

/**
 * The development mnemonic of Hardhat's network and node and of anvil: local chains only, never a real member's key.
 */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The consortium file used when MEDBILL_CONSORTIUM is not set, relative to the project directory. */
export const DEFAULT_CONSORTIUM_FILE: string = path.join("consortium", "local.json");

let devRoot: HDNodeWallet | undefined;

/**
 * Account `index` of the development mnemonic (`m/44'/60'/0'/0/<index>`). For local chains and tests only.
 *
 * @param index - The account index.
 */
export function devAccount(index: number): HDNodeWallet {
  devRoot ??= HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0");
  return devRoot.deriveChild(index);
}

/**
 * The path of the consortium file: `file` when given, else MEDBILL_CONSORTIUM, else `consortium/local.json`;
 * relative paths are taken from `projectDir`.
 */
export function consortiumFilePath(
  projectDir: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
  file?: string,
): string {
  const chosen = file ?? (env.MEDBILL_CONSORTIUM?.trim() || DEFAULT_CONSORTIUM_FILE);
  return path.resolve(projectDir, chosen);
}

/**
 * Reads and checks a consortium file ({@link consortiumFilePath}).
 *
 * @throws {@link ConsortiumError} naming the file and the faulty field.
 */
export function readConsortiumFile(
  projectDir: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
  file?: string,
): Consortium {
  const full = consortiumFilePath(projectDir, env, file);
  const shown = path.relative(projectDir, full) || full;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(full, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConsortiumError(`cannot read the consortium file ${shown}: ${reason}`);
  }
  return parseConsortium(raw, `consortium file ${shown.startsWith("..") ? full : shown}`);
}

/** A private key from the environment, and where it came from (never the key itself, for messages). */
export interface EnvKey {
  /** The private key, 0x-prefixed hex. */
  readonly privateKey: string;
  /** The address it controls, checksummed. */
  readonly address: string;
  /** `MEDBILL_PRIVATE_KEYS[0]` or `MEDBILL_KEYSTORE <file>`. */
  readonly from: string;
}

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;
const keyCache = new Map<string, readonly EnvKey[]>();

/**
 * The keys the environment gives: MEDBILL_PRIVATE_KEYS and the keystore files of MEDBILL_KEYSTORE (decrypted with
 * MEDBILL_KEYSTORE_PASSWORD). Synchronous, so that a Hardhat config can use it; a keystore is decrypted once per
 * process.
 *
 * @throws {@link ConsortiumError} naming the variable and position of a bad key, or the keystore that fails.
 */
export function keysFromEnv(env: NodeJS.ProcessEnv = process.env): readonly EnvKey[] {
  const cacheKey = JSON.stringify([env.MEDBILL_PRIVATE_KEYS, env.MEDBILL_KEYSTORE, env.MEDBILL_KEYSTORE_PASSWORD]);
  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const keys: EnvKey[] = [];
  const list = (value: string | undefined): string[] =>
    (value ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  list(env.MEDBILL_PRIVATE_KEYS).forEach((text, i) => {
    const from = `MEDBILL_PRIVATE_KEYS[${i}]`;
    if (!PRIVATE_KEY.test(text)) throw new ConsortiumError(`${from} is not a private key (32 bytes as hex)`);
    const wallet = new Wallet(text.startsWith("0x") ? text : `0x${text}`);
    keys.push({ privateKey: wallet.privateKey, address: wallet.address, from });
  });
  const stores = list(env.MEDBILL_KEYSTORE);
  if (stores.length > 0 && env.MEDBILL_KEYSTORE_PASSWORD === undefined)
    throw new ConsortiumError("MEDBILL_KEYSTORE is set but MEDBILL_KEYSTORE_PASSWORD is not");
  for (const file of stores) {
    const from = `MEDBILL_KEYSTORE ${file}`;
    let json: string;
    try {
      json = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new ConsortiumError(`${from}: cannot read it: ${(error as Error).message}`);
    }
    let account: { privateKey: string; address: string };
    try {
      account = decryptKeystoreJsonSync(json, env.MEDBILL_KEYSTORE_PASSWORD as string);
    } catch (error) {
      const reason = /password/i.test((error as Error).message)
        ? "wrong MEDBILL_KEYSTORE_PASSWORD"
        : (error as Error).message;
      throw new ConsortiumError(`${from}: cannot decrypt it: ${reason}`);
    }
    keys.push({ privateKey: account.privateKey, address: new Wallet(account.privateKey).address, from });
  }
  keyCache.set(cacheKey, keys);
  return keys;
}

/** A consortium bound to the chain it is used on: every member's address, and the keys the process holds. */
export interface ConsortiumAccounts {
  /** The consortium file's content. */
  readonly consortium: Consortium;
  /** The chain it was checked against. */
  readonly chainId: bigint;
  /** The member's address (its `address`, or its development account on a local chain). */
  addressOf(member: ConsortiumMember): string;
  /** The member holding `address` (case-insensitive), or undefined. */
  memberAt(address: string): ConsortiumMember | undefined;
  /** `Name (id)` for a member's address, or the address itself for a non-member. */
  label(address: string): string;
  /** Whether this process holds the member's key. */
  hasKey(member: ConsortiumMember): boolean;
  /**
   * The member's wallet, connected to `provider` when given.
   *
   * @throws {@link ConsortiumError} when no key of the member is given (saying how to give it).
   */
  wallet(member: ConsortiumMember, provider?: Provider | null): Wallet;
}

/** Options of {@link bindConsortium}. */
export interface BindOptions {
  /** The keys (default {@link keysFromEnv} of `env`). */
  readonly keys?: readonly EnvKey[];
  /** The environment (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Binds a consortium to a chain: checks the file may be used there (its `chainId`; `accountIndex` on local chains
 * only), resolves every member's address, and matches each key to its member.
 *
 * @throws {@link ConsortiumError} when the file is for another chain, a member's `address` and `accountIndex`
 *   disagree, or a key matches no member.
 */
export function bindConsortium(
  consortium: Consortium,
  chainId: bigint | number,
  options: BindOptions = {},
): ConsortiumAccounts {
  checkConsortiumChain(consortium, chainId);
  const addresses = new Map<string, string>();
  const byAddress = new Map<string, ConsortiumMember>();
  const keys = new Map<string, string>();
  for (const member of consortium.members) {
    let address = member.address;
    if (member.accountIndex !== undefined) {
      const dev = devAccount(member.accountIndex);
      if (address !== undefined && address !== dev.address) {
        throw new ConsortiumError(
          `${consortium.source}: member "${member.id}" has address ${address}, but development account #${member.accountIndex} is ${dev.address}`,
        );
      }
      address = dev.address;
      keys.set(member.id, dev.privateKey);
    }
    addresses.set(member.id, address as string);
    byAddress.set((address as string).toLowerCase(), member);
  }
  for (const key of options.keys ?? keysFromEnv(options.env)) {
    const member = byAddress.get(key.address.toLowerCase());
    if (member === undefined) {
      throw new ConsortiumError(
        `${key.from} is the key of ${key.address}, which is no member of ${consortium.source} (members: ${consortium.members.map((m) => `${m.id} ${addresses.get(m.id)}`).join(", ")})`,
      );
    }
    keys.set(member.id, key.privateKey);
  }
  const addressOf = (member: ConsortiumMember): string => {
    const address = addresses.get(member.id);
    if (address === undefined) throw new ConsortiumError(`"${member.id}" is no member of ${consortium.source}`);
    return address;
  };
  const memberAt = (address: string): ConsortiumMember | undefined => byAddress.get(address.toLowerCase());
  return {
    consortium,
    chainId: BigInt(chainId),
    addressOf,
    memberAt,
    label: (address) => {
      const member = memberAt(address);
      return member === undefined ? address : `${member.name} (${member.id})`;
    },
    hasKey: (member) => keys.has(member.id),
    wallet(member, provider) {
      const key = keys.get(member.id);
      if (key === undefined) {
        throw new ConsortiumError(
          `no key for member "${member.id}" (${addressOf(member)}): give it in MEDBILL_PRIVATE_KEYS, or as an encrypted keystore in MEDBILL_KEYSTORE with MEDBILL_KEYSTORE_PASSWORD`,
        );
      }
      return new Wallet(key, provider ?? null);
    },
  };
}
