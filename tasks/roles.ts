import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { parseAddressArg } from "./lib/args";
import { explained, loadMembers, openRegistry, type Members } from "./lib/context";
import { CliError, cliAction } from "./lib/errors";
import type { Member } from "./lib/members";
import { keyValues, print, table } from "./lib/output";
import { withMemberParams } from "./lib/task-params";

/** Roles the role tasks grant and revoke (the admin role changes hands only through the two-step hand-over). */
const GRANTABLE = ["issuer", "claimer"] as const;
type GrantableRole = (typeof GRANTABLE)[number];

interface CommonArgs {
  as?: string;
  registry?: string;
}

interface RoleArgs extends CommonArgs {
  role?: string;
  member?: string;
}

/** The acting member of an admin task: `--as`, else the consortium's admin. */
function adminMember(members: Members, as: string | undefined): Member {
  if (as !== undefined) return members.find(as);
  const admin = members.consortium.members.find((m) => m.role === "admin");
  if (admin === undefined) throw new CliError(`no admin member in ${members.consortium.source}: pass --as <member>`);
  return admin;
}

function parseRole(role: string | undefined): GrantableRole {
  if (role === undefined) throw new CliError(`--role is required: ${GRANTABLE.join(" or ")}`);
  const wanted = role.trim().toLowerCase();
  if (!(GRANTABLE as readonly string[]).includes(wanted)) {
    throw new CliError(
      `--role "${role}" is not one of ${GRANTABLE.join(", ")} (the admin role is handed over in two steps, not granted)`,
    );
  }
  return wanted as GrantableRole;
}

/** The account a role task targets: a member by name / id, or a bare address. */
async function targetAccount(members: Members, value: string | undefined): Promise<{ address: string; label: string }> {
  if (value === undefined) throw new CliError("--member is required: a member's id or name, or an address");
  if (/^0x/i.test(value.trim())) {
    const address = parseAddressArg(value, "--member") as string;
    return { address, label: await members.directory.label(address) };
  }
  const member = members.find(value);
  const address = await members.directory.addressOf(member);
  return { address, label: `${member.name} (${member.id}, ${address})` };
}

async function changeRole(args: RoleArgs, hre: HardhatRuntimeEnvironment, grant: boolean) {
  const role = parseRole(args.role);
  const registryAddress = parseAddressArg(args.registry, "--registry");
  const members = loadMembers(hre);
  const as = adminMember(members, args.as);
  const target = await targetAccount(members, args.member);
  const registry = await openRegistry(hre, members, { registry: registryAddress, as });
  const { client } = registry;
  const holds = await explained(registry, hre, () => client.hasRole(role, target.address));
  if (holds === grant) {
    print(`${target.label} ${grant ? "already holds" : "does not hold"} the ${role} role: nothing sent`);
    return { result: { changed: false, txHash: undefined as string | undefined } };
  }
  const receipt = await explained(registry, hre, () =>
    grant ? client.grantRole(role, target.address) : client.revokeRole(role, target.address),
  );
  print(
    `${grant ? "granted" : "revoked"} the ${role} role ${grant ? "to" : "from"} ${target.label}`,
    `tx ${receipt.txHash} (block ${receipt.blockNumber}) as ${as.name} (${as.id})`,
  );
  return { result: { changed: true, txHash: receipt.txHash as string | undefined } };
}

async function setPaused(args: CommonArgs, hre: HardhatRuntimeEnvironment, pause: boolean) {
  const registryAddress = parseAddressArg(args.registry, "--registry");
  const members = loadMembers(hre);
  const as = adminMember(members, args.as);
  const registry = await openRegistry(hre, members, { registry: registryAddress, as });
  const { client } = registry;
  if ((await explained(registry, hre, () => client.paused())) === pause) {
    print(`registry ${client.address} is already ${pause ? "paused" : "running (not paused)"}: nothing sent`);
    return { result: { changed: false } };
  }
  const receipt = await explained(registry, hre, () => (pause ? client.pause() : client.unpause()));
  print(
    pause
      ? `registry ${client.address} paused: no bill can be issued, reimbursed or voided until registry:unpause`
      : `registry ${client.address} unpaused: bills can be issued, reimbursed and voided again`,
    `tx ${receipt.txHash} (block ${receipt.blockNumber}) as ${as.name} (${as.id})`,
  );
  return { result: { changed: true } };
}

withMemberParams(
  task("roles:list", "Lists the consortium's members with the roles they hold on the registry, and any other holders"),
  "Unused (reading needs no member); accepted for symmetry",
).setAction(
  cliAction("roles:list", async (args: CommonArgs, hre) => {
    const registryAddress = parseAddressArg(args.registry, "--registry");
    const members = loadMembers(hre);
    if (args.as !== undefined) members.find(args.as);
    const registry = await openRegistry(hre, members, { registry: registryAddress });
    const { client } = registry;
    const roleNames = ["admin", "issuer", "claimer"] as const;
    const [paused, holders] = await explained(registry, hre, () =>
      Promise.all([client.paused(), Promise.all(roleNames.map((role) => client.roleMembers(role)))]),
    );
    const rolesOf = (address: string): string[] =>
      roleNames.filter((_, i) => holders[i].some((h) => h.toLowerCase() === address.toLowerCase()));
    const rows: string[][] = [["member", "name", "account", "roles on chain", "expected"]];
    const listed = new Set<string>();
    const result: { member: string; address: string; roles: string[] }[] = [];
    for (const member of members.consortium.members) {
      const address = await members.directory.addressOf(member);
      listed.add(address.toLowerCase());
      const roles = rolesOf(address);
      result.push({ member: member.id, address, roles });
      rows.push([member.id, member.name, address, roles.join(", ") || "-", member.role]);
    }
    const others = [...new Set(holders.flat().map((h) => h.toLowerCase()))].filter((a) => !listed.has(a));
    print(
      ...keyValues([
        ["registry", `${client.address} on chain ${client.chainId} (network ${hre.network.name})`],
        ["paused", paused ? "yes" : "no"],
      ]),
      "",
      ...table(rows),
    );
    if (others.length > 0) {
      print("", "holders outside the consortium file:");
      for (const address of others) {
        const roles = rolesOf(address);
        result.push({ member: "", address: hre.ethers.getAddress(address), roles });
        print(`  ${hre.ethers.getAddress(address)}  ${roles.join(", ")}`);
      }
    }
    return { result: { paused, members: result } };
  }),
);

withMemberParams(
  task("roles:grant", "Grants the issuer or claimer role to a member (or an address), as the consortium admin")
    .addOptionalParam("role", "The role: issuer (hospitals) or claimer (social security, insurers)")
    .addOptionalParam("member", "Who receives it: a member's id, short id or name, or an address"),
  "The admin member acting (default: the consortium file's admin, e.g. finance)",
).setAction(cliAction("roles:grant", (args: RoleArgs, hre) => changeRole(args, hre, true)));

withMemberParams(
  task("roles:revoke", "Revokes the issuer or claimer role from a member (or an address), as the consortium admin")
    .addOptionalParam("role", "The role: issuer or claimer")
    .addOptionalParam("member", "Who loses it: a member's id, short id or name, or an address"),
  "The admin member acting (default: the consortium file's admin, e.g. finance)",
).setAction(cliAction("roles:revoke", (args: RoleArgs, hre) => changeRole(args, hre, false)));

withMemberParams(
  task("registry:pause", "Pauses the registry in an emergency: no issue, reimbursement or void until unpaused"),
  "The admin member acting (default: the consortium file's admin, e.g. finance)",
).setAction(cliAction("registry:pause", (args: CommonArgs, hre) => setPaused(args, hre, true)));

withMemberParams(
  task("registry:unpause", "Unpauses the registry: issue, reimbursement and void resume"),
  "The admin member acting (default: the consortium file's admin, e.g. finance)",
).setAction(cliAction("registry:unpause", (args: CommonArgs, hre) => setPaused(args, hre, false)));
