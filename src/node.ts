/**
 * Node-only helpers of the MedBill SDK (they read the disk), imported as `medbill/node`. The main entry `medbill`
 * stays free of Node built-ins so it bundles for browsers.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

/** The key of the registry in Ignition's `deployed_addresses.json` (module `MedBill`, future `BillRegistry`). */
export const IGNITION_KEY = "MedBill#BillRegistry";

/**
 * Where Ignition records the registry deployed on a chain:
 * `<projectDir>/ignition/deployments/chain-<chainId>/deployed_addresses.json`.
 *
 * @param projectDir - The directory of the MedBill project that deployed it.
 * @param chainId - The chain.
 */
export function ignitionAddressesFile(projectDir: string, chainId: bigint | number): string {
  return path.join(projectDir, "ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json");
}

/**
 * Reads the registry's address on a chain from Ignition's record (key `MedBill#BillRegistry`).
 *
 * @param projectDir - The MedBill project directory.
 * @param chainId - The chain.
 * @returns The address, or undefined when nothing is recorded for that chain.
 */
export async function readIgnitionAddress(projectDir: string, chainId: bigint | number): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(ignitionAddressesFile(projectDir, chainId), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const record = JSON.parse(text) as Record<string, unknown>;
  const address = record[IGNITION_KEY];
  return typeof address === "string" ? address : undefined;
}

/**
 * A `connect` target that finds the registry in Ignition's deployment record of `projectDir` for whatever chain
 * the node serves: `MedBillClient.connect(ignitionResolver(process.cwd()), signer)`.
 *
 * @param projectDir - The MedBill project directory (default: the current directory).
 * @returns A resolver from chain id to address.
 */
export function ignitionResolver(projectDir: string = process.cwd()): (chainId: bigint) => Promise<string | undefined> {
  return (chainId) => readIgnitionAddress(projectDir, chainId);
}
