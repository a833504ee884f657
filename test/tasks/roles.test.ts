import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MedBillClient } from "../../src";
import { CliError } from "../../tasks/lib/errors";
import { bills, deployedRegistryFixture, removeTempDirs, runTask, tempDir, writeBillFile } from "./helpers";

const PAYMENT_PLATFORM = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"; // account 6
const STRANGER = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"; // account 7, not a member

describe("tasks: roles:list, roles:grant, roles:revoke, registry:pause, registry:unpause", function () {
  after(removeTempDirs);

  async function reader(registry: string): Promise<MedBillClient> {
    return MedBillClient.connect(registry, hre.ethers.provider);
  }

  it("roles:list shows each member's roles on chain next to the expected ones, and holders outside the file", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    await runTask("roles:grant", { role: "claimer", member: STRANGER, registry });
    const run = await runTask<{ paused: boolean; members: { member: string; roles: string[] }[] }>("roles:list", {
      registry,
    });
    expect(run.error).to.equal(undefined);
    expect(run.stdout).to.match(/^paused +no$/m);
    expect(run.stdout).to.match(
      /^finance +Zhejiang Provincial Finance Bureau +0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 +admin +admin$/m,
    );
    expect(run.stdout).to.match(
      /^hz-hospital +Hangzhou First People's Hospital +0x70997970C51812dc3A010C7d01b50e0d17dc79C8 +issuer +issuer$/m,
    );
    expect(run.stdout).to.match(/^insurer +.* +claimer +claimer$/m);
    expect(run.stdout).to.match(/^payment-platform +.* +- +none$/m);
    expect(run.stdout).to.contain(`holders outside the consortium file:\n  ${STRANGER}  claimer`);
    const roles = Object.fromEntries(run.result!.members.map((m) => [m.member || "stranger", m.roles]));
    expect(roles).to.deep.include({
      finance: ["admin"],
      "tz-hospital": ["issuer"],
      "payment-platform": [],
      stranger: ["claimer"],
    });
  });

  it("roles:grant and roles:revoke act as the admin by default, by member name or address, and are idempotent", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const client = await reader(registry);
    const granted = await runTask("roles:grant", {
      role: "claimer",
      member: "Zhejiang Public Payment Platform",
      registry,
    });
    expect(granted.error).to.equal(undefined);
    expect(granted.stdout).to.match(
      /^granted the claimer role to Zhejiang Public Payment Platform \(payment-platform, 0x976E/,
    );
    expect(granted.stdout).to.match(/as Zhejiang Provincial Finance Bureau \(finance\)$/m);
    expect(await client.hasRole("claimer", PAYMENT_PLATFORM)).to.equal(true);

    const block = await hre.ethers.provider.getBlockNumber();
    const again = await runTask("roles:grant", { role: "claimer", member: "payment", registry, as: "finance" });
    expect(again.stdout).to.match(/already holds the claimer role: nothing sent/);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);

    const revoked = await runTask("roles:revoke", { role: "CLAIMER", member: PAYMENT_PLATFORM, registry });
    expect(revoked.stdout).to.match(
      /^revoked the claimer role from Zhejiang Public Payment Platform \(payment-platform\)/,
    );
    expect(await client.hasRole("claimer", PAYMENT_PLATFORM)).to.equal(false);
    const twice = await runTask("roles:revoke", { role: "claimer", member: PAYMENT_PLATFORM, registry });
    expect(twice.stdout).to.match(/does not hold the claimer role: nothing sent/);
  });

  it("role tasks refuse unknown roles and members, a non-admin and a bad address, sending nothing", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const block = await hre.ethers.provider.getBlockNumber();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["roles:grant", { role: "doctor", member: "hz" }, /^--role "doctor" is not one of issuer, claimer/],
      ["roles:grant", { role: "admin", member: "hz" }, /admin role is handed over in two steps/],
      ["roles:grant", { member: "hz" }, /^--role is required/],
      ["roles:grant", { role: "issuer" }, /^--member is required/],
      ["roles:grant", { role: "issuer", member: "nobody" }, /^unknown member "nobody" \(known: finance, hz-hospital, /],
      ["roles:grant", { role: "issuer", member: "0x1234" }, /^--member "0x1234" is not an address/],
      ["roles:revoke", { role: "issuer", member: "tz", as: "nobody" }, /^unknown member "nobody"/],
      [
        "roles:grant",
        { role: "issuer", member: "payment-platform", as: "hz" },
        /^Hangzhou First People's Hospital \(hz-hospital\) lacks the admin role/,
      ],
      ["registry:pause", { as: "insurer" }, /^Xihu Commercial Health Insurance \(insurer\) lacks the admin role/],
      ["roles:list", { registry: "nope" }, /^--registry "nope" is not an address/],
    ];
    for (const [name, args, message] of cases) {
      const run = await runTask(name, { registry, ...args });
      expect(run.error, `${name} ${JSON.stringify(args)}`).to.be.instanceOf(CliError);
      expect(run.error!.message, `${name} ${JSON.stringify(args)}`).to.match(message);
    }
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("registry:pause stops issuing until registry:unpause; both are idempotent", async function () {
    const { registry } = await loadFixture(deployedRegistryFixture);
    const client = await reader(registry);
    const paused = await runTask("registry:pause", { registry });
    expect(paused.stdout).to.match(/^registry 0x[0-9a-fA-F]{40} paused: no bill can be issued/);
    expect(await client.paused()).to.equal(true);
    expect((await runTask("registry:pause", { registry })).stdout).to.match(/already paused: nothing sent/);
    const [bill] = bills(1, "roles-pause");
    const dir = tempDir();
    const refused = await runTask("bill:issue", { file: writeBillFile(dir, bill), registry });
    expect(refused.error!.message).to.match(/^the registry 0x[0-9a-fA-F]{40} is paused: nothing was sent/);
    const unpaused = await runTask("registry:unpause", { registry });
    expect(unpaused.stdout).to.match(/unpaused: bills can be issued/);
    expect(await client.paused()).to.equal(false);
    expect((await runTask("registry:unpause", { registry })).stdout).to.match(
      /already running \(not paused\): nothing sent/,
    );
    expect((await runTask("bill:issue", { file: writeBillFile(dir, bill), registry })).error).to.equal(undefined);
  });
});
