/**
 * Ignition's record of the registry's address, read the one way every tool reads it (docs/DESIGN.md, "Deployment
 * record"): `<project>/ignition/deployments/<deployment id>/deployed_addresses.json`, key `MedBill#BillRegistry`,
 * where the deployment id is `MEDBILL_DEPLOYMENT_ID` when set, else `chain-<chainId>`. Node-only (reads the disk).
 */
import fs from "node:fs";
import path from "node:path";

/** The key of the registry in Ignition's `deployed_addresses.json` (module `MedBill`, future `BillRegistry`). */
export const IGNITION_KEY = "MedBill#BillRegistry";

/**
 * The Ignition deployment id the tools use on a chain: `MEDBILL_DEPLOYMENT_ID` when set (non-empty), else
 * `chain-<chainId>` (Ignition's own default).
 *
 * @param chainId - The chain.
 * @param env - The environment (default `process.env`).
 */
export function ignitionDeploymentId(chainId: bigint | number, env: NodeJS.ProcessEnv = process.env): string {
  const id = env.MEDBILL_DEPLOYMENT_ID?.trim();
  return id !== undefined && id !== "" ? id : `chain-${chainId}`;
}

/**
 * Where Ignition records the registry deployed on a chain:
 * `<projectDir>/ignition/deployments/<deployment id>/deployed_addresses.json`.
 *
 * @param projectDir - The directory of the MedBill project that deployed it.
 * @param chainId - The chain.
 * @param deploymentId - The deployment id (default {@link ignitionDeploymentId}: `MEDBILL_DEPLOYMENT_ID`, else
 *   `chain-<chainId>`).
 */
export function ignitionAddressesFile(
  projectDir: string,
  chainId: bigint | number,
  deploymentId: string = ignitionDeploymentId(chainId),
): string {
  return path.join(projectDir, "ignition", "deployments", deploymentId, "deployed_addresses.json");
}

function addressIn(file: string, text: string): string | undefined {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new Error(`Ignition's record ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const address = (record as Record<string, unknown> | null)?.[IGNITION_KEY];
  return typeof address === "string" ? address : undefined;
}

/**
 * Reads the registry's address on a chain from Ignition's record (key `MedBill#BillRegistry`), synchronously.
 *
 * @param projectDir - The MedBill project directory.
 * @param chainId - The chain.
 * @param deploymentId - As for {@link ignitionAddressesFile}.
 * @returns The address, or undefined when nothing is recorded.
 */
export function readIgnitionAddressSync(
  projectDir: string,
  chainId: bigint | number,
  deploymentId?: string,
): string | undefined {
  const file = ignitionAddressesFile(projectDir, chainId, deploymentId);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return addressIn(file, text);
}

/**
 * Reads the registry's address on a chain from Ignition's record (key `MedBill#BillRegistry`).
 *
 * @param projectDir - The MedBill project directory.
 * @param chainId - The chain.
 * @param deploymentId - As for {@link ignitionAddressesFile}.
 * @returns The address, or undefined when nothing is recorded.
 */
export async function readIgnitionAddress(
  projectDir: string,
  chainId: bigint | number,
  deploymentId?: string,
): Promise<string | undefined> {
  const file = ignitionAddressesFile(projectDir, chainId, deploymentId);
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return addressIn(file, text);
}

/**
 * A `connect` target that finds the registry in Ignition's deployment record of `projectDir` for whatever chain
 * the node serves: `MedBillClient.connect(ignitionResolver(process.cwd()), signer)`. Honours
 * `MEDBILL_DEPLOYMENT_ID` as read when the resolver runs.
 *
 * @param projectDir - The MedBill project directory (default: the current directory).
 * @returns A resolver from chain id to address.
 */
export function ignitionResolver(projectDir: string = process.cwd()): (chainId: bigint) => Promise<string | undefined> {
  return (chainId) => readIgnitionAddress(projectDir, chainId);
}
