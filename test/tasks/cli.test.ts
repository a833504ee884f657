import path from "node:path";
import { expect } from "chai";
import { freePort, startHardhatNode, type LocalNode } from "../../scripts/lib/node";
import { hardhat, hasStackTrace, localEnv, removeDeployment, type CliRun } from "./cli";
import { bills, removeTempDirs, tempDir, writeBillFile } from "./helpers";

/**
 * The tasks as operators run them: `npx hardhat <task> --network localhost|rpc` against a `hardhat node`, checking
 * exit codes, one-line errors on stderr and no stack trace even where Hardhat would print one (CI=true).
 */
describe("tasks from the command line (npx hardhat <task>)", function () {
  let node: LocalNode | undefined;
  let env: NodeJS.ProcessEnv = {};
  let deploymentId = "";
  let dir = "";

  before(async function () {
    node = await startHardhatNode();
    deploymentId = `test-tasks-cli-${node.port}`;
    env = { ...localEnv(node.url, deploymentId), CI: "true" };
    dir = tempDir();
    const deploy = await hardhat(["run", "scripts/deploy.ts", "--network", "localhost"], env);
    expect(deploy.code, deploy.stderr).to.equal(0);
  });

  after(async function () {
    await node?.stop();
    removeDeployment(deploymentId);
    removeTempDirs();
  });

  function expectOneLineError(run: CliRun, message: RegExp): void {
    expect(run.code, run.stdout + run.stderr).to.equal(1);
    const lines = run.stderr.split("\n").filter((line) => line.trim() !== "");
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^Error: /);
    expect(lines[0].slice("Error: ".length)).to.match(message);
    expect(hasStackTrace(run.stdout + run.stderr)).to.equal(false);
  }

  it("issues, verifies (exit 0 genuine, 2 tampered) over localhost and rpc, and refuses bad input with one line", async function () {
    const [bill] = bills(1, `cli-${node!.port}`);
    const file = writeBillFile(dir, bill);
    const issued = await hardhat(
      ["bill:issue", "--file", file, "--qr", path.join(dir, "qr.png"), "--network", "localhost"],
      env,
    );
    expect(issued.code, issued.stderr).to.equal(0);
    const uri = /^uri +(medbill:\S+)$/m.exec(issued.stdout)?.[1];
    const billId = /^billId +(0x[0-9a-f]{64})$/m.exec(issued.stdout)?.[1];
    expect(uri).to.match(/^medbill:31337\/0x[0-9a-fA-F]{40}\/0x[0-9a-f]{64}\?h=0x[0-9a-f]{64}$/);

    const genuine = await hardhat(["bill:verify", "--uri", uri!, "--network", "rpc"], {
      ...env,
      MEDBILL_RPC_URL: node!.url,
    });
    expect(genuine.code, genuine.stderr).to.equal(0);
    expect(genuine.stdout).to.match(/^GENUINE: /);

    const tampered = writeBillFile(
      dir,
      { ...bill, total: bill.total + 1n, items: [{ name: "x", quantity: 1, unitPrice: bill.total + 1n }] },
      {},
      "t.json",
    );
    const bad = await hardhat(["bill:verify", "--file", tampered, "--network", "localhost"], env);
    expect(bad.code).to.equal(2);
    expect(bad.stdout).to.match(/^TAMPERED: /);

    expectOneLineError(
      await hardhat(
        [
          "bill:reimburse",
          "--bill",
          billId!,
          "--amount",
          "1.234",
          "--claim-ref",
          "C",
          "--as",
          "social-security",
          "--network",
          "localhost",
        ],
        env,
      ),
      /^--amount 1\.234 has more than two decimals/,
    );
    expectOneLineError(
      await hardhat(
        [
          "bill:reimburse",
          "--bill",
          billId!,
          "--amount",
          "1",
          "--claim-ref",
          "C",
          "--as",
          "nobody",
          "--network",
          "localhost",
        ],
        env,
      ),
      /^unknown member "nobody"/,
    );
  });

  it("names an unreachable JSON-RPC node and a chain without deployment in one line", async function () {
    const id = "0x" + "1".repeat(64);
    const closed = `http://127.0.0.1:${await freePort()}`;
    expectOneLineError(
      await hardhat(["bill:show", id, "--network", "rpc"], { ...env, MEDBILL_RPC_URL: closed }),
      new RegExp(`^cannot reach the JSON-RPC node of network "rpc" at ${closed.replace(/\./g, "\\.")}`),
    );
    expectOneLineError(
      await hardhat(["roles:list", "--network", "localhost"], { ...env, MEDBILL_DEPLOYMENT_ID: "no-such-deployment" }),
      /^no MedBill deployment on chain 31337 \(network "localhost"\)/,
    );
  });

  it("documents every task in --help", async function () {
    const help = await hardhat(["help", "bill:import"]);
    expect(help.code).to.equal(0);
    for (const option of ["--file", "--batch-size", "--skip-invalid", "--as", "--registry", "--dry-run"]) {
      expect(help.stdout).to.contain(option);
    }
    const list = await hardhat(["--help"]);
    for (const name of [
      "roles:list",
      "roles:grant",
      "roles:revoke",
      "registry:pause",
      "registry:unpause",
      "bill:issue",
      "bill:import",
      "bill:reimburse",
      "bill:show",
      "bill:verify",
      "bill:qr",
    ]) {
      expect(list.stdout).to.match(new RegExp(`^  ${name}\\s+\\S`, "m"));
    }
  });
});
