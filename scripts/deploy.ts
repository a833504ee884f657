/**
 * Deploys the MedBill registry with Hardhat Ignition and grants each consortium member its role.
 *
 *   npx hardhat run scripts/deploy.ts --network localhost
 *   MEDBILL_RPC_URL=http://127.0.0.1:8545 npx hardhat run scripts/deploy.ts --network rpc
 *
 * Idempotent: run again on the same chain, Ignition deploys nothing new (its record is
 * `ignition/deployments/chain-<chainId>/deployed_addresses.json`, key `MedBill#BillRegistry`) and only the roles
 * still missing are granted. A record whose address has no code (the local node was restarted) is moved aside and
 * the registry deployed afresh. Environment: MEDBILL_CONSORTIUM (member file, default consortium/local.json; keys as docs/DESIGN.md "Consortium file" says),
 * MEDBILL_ADMIN_DELAY (admin hand-over delay in seconds, default 86400), MEDBILL_DEPLOYMENT_ID (Ignition deployment
 * id, default `chain-<chainId>`).
 */
import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import MedBillModule from "../ignition/modules/MedBill";
import { MedBillClient } from "../src";
import type { Consortium, ConsortiumMember as Member } from "../src/consortium";
import { bindConsortium, readConsortiumFile } from "../src/consortium-accounts";
import { ignitionAddressesFile, ignitionDeploymentId, readIgnitionAddress } from "../src/ignition-record";

/** What {@link deployRegistry} did. */
export interface DeployOutcome {
  /** The registry's address. */
  readonly address: string;
  /** The chain it is on. */
  readonly chainId: bigint;
  /** Whether this run deployed it (false when Ignition's record already had it). */
  readonly deployedNow: boolean;
  /** The roles this run granted, as `role → member id`. */
  readonly granted: readonly { readonly role: "issuer" | "claimer"; readonly member: string }[];
  /** A client connected as the admin. */
  readonly admin: MedBillClient;
}

/** Options of {@link deployRegistry}. */
export interface DeployOptions {
  /** The consortium; read from MEDBILL_CONSORTIUM or consortium/local.json when omitted. */
  readonly consortium?: Consortium;
  /** Admin hand-over delay in seconds (default MEDBILL_ADMIN_DELAY or one day). */
  readonly adminDelay?: number;
  /** Ignition deployment id (default MEDBILL_DEPLOYMENT_ID or `chain-<chainId>`). */
  readonly deploymentId?: string;
  /** Where progress lines go (default: nowhere). */
  readonly log?: (line: string) => void;
}

/**
 * Deploys the registry (or finds the one Ignition deployed before) and grants every consortium member the role the
 * consortium file gives it, skipping roles already held.
 */
export async function deployRegistry(
  hre: HardhatRuntimeEnvironment,
  options: DeployOptions = {},
): Promise<DeployOutcome> {
  const log = options.log ?? (() => undefined);
  const consortium = options.consortium ?? readConsortiumFile(hre.config.paths.root);
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  const accounts = bindConsortium(consortium, chainId);
  const adminMember = consortium.members.find((m) => m.role === "admin");
  if (adminMember === undefined) throw new Error(`${consortium.source} names no member with role "admin"`);
  const adminSigner = accounts.wallet(adminMember, hre.ethers.provider);
  const adminAddress = adminSigner.address;
  const adminDelay = options.adminDelay ?? Number(process.env.MEDBILL_ADMIN_DELAY ?? 86_400);
  if (!Number.isSafeInteger(adminDelay) || adminDelay < 0) {
    throw new Error(`MEDBILL_ADMIN_DELAY must be a whole number of seconds, got "${process.env.MEDBILL_ADMIN_DELAY}"`);
  }

  const deploymentId = options.deploymentId ?? ignitionDeploymentId(chainId);
  const previous = await moveAsideIfStale(hre, deploymentId, log);

  const { registry } = await hre.ignition.deploy(MedBillModule, {
    parameters: { MedBill: { admin: adminAddress, adminDelay } },
    defaultSender: adminAddress,
    deploymentId: hre.network.name === "hardhat" ? undefined : deploymentId,
  });
  const address = await registry.getAddress();
  const deployedNow = previous?.toLowerCase() !== address.toLowerCase();
  log(`${deployedNow ? "Deployed" : "Found"} BillRegistry at ${address} on chain ${chainId}`);

  const admin = await MedBillClient.connect(address, adminSigner);
  const granted: { role: "issuer" | "claimer"; member: string }[] = [];
  for (const member of consortium.members) {
    if (member.role !== "issuer" && member.role !== "claimer") continue;
    const account = accounts.addressOf(member);
    if (await admin.hasRole(member.role, account)) continue;
    await admin.grantRole(member.role, account);
    granted.push({ role: member.role, member: member.id });
    log(`Granted ${member.role} to ${describe(member)} ${account}`);
  }
  if (granted.length === 0) log("Every member already holds its role: nothing granted");
  return { address, chainId, deployedNow, granted, admin };
}

/** Reads Ignition's recorded address; moves the record aside when no contract is there any more. */
async function moveAsideIfStale(
  hre: HardhatRuntimeEnvironment,
  deploymentId: string,
  log: (line: string) => void,
): Promise<string | undefined> {
  if (hre.network.name === "hardhat") return undefined;
  const dir = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  if (!fs.existsSync(ignitionAddressesFile(hre.config.paths.root, chainId, deploymentId))) return undefined;
  const recorded = await readIgnitionAddress(hre.config.paths.root, chainId, deploymentId);
  if (recorded !== undefined && (await hre.ethers.provider.getCode(recorded)) !== "0x") return recorded;
  const aside = `${dir}.stale-${Date.now()}`;
  fs.renameSync(dir, aside);
  const relative = (p: string): string => path.relative(hre.config.paths.root, p);
  log(`Ignition's record ${relative(dir)} names no contract on this chain (was the node restarted?)`);
  log(`Moved it to ${relative(aside)}; deploying afresh`);
  return undefined;
}

function describe(member: Member): string {
  return `${member.name} (${member.id})`;
}

async function main(): Promise<void> {
  const hre = (await import("hardhat")).default;
  const outcome = await deployRegistry(hre, { log: (line) => console.log(line) });
  console.log(`MEDBILL_REGISTRY=${outcome.address}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
