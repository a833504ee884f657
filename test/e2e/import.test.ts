import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, id as topicOf } from "ethers";
import { startHardhatNode, type LocalNode } from "../../scripts/lib/node";
import { hardhat, localEnv, removeDeployment, startHardhat, startScript } from "../tasks/cli";
import { removeTempDirs, tempDir } from "../tasks/helpers";

const BILL_ISSUED = topicOf("BillIssued(bytes32,address,bytes32,bytes32,uint256,bytes32)");
const COUNT = 2_000;

/**
 * "Run your own local consortium", as the README tells operators: start `npx hardhat node`, deploy with
 * scripts/deploy.ts, generate bills, import them, kill the import with SIGKILL part-way, run the same command again,
 * and check every bill was issued exactly once; then reimburse and verify one bill.
 */
describe("e2e: crash-safe bulk import on a local consortium node", function () {
  let node: LocalNode | undefined;
  let provider: JsonRpcProvider | undefined;
  let deploymentId = "";
  let env: NodeJS.ProcessEnv = {};

  before(async function () {
    node = await startHardhatNode();
    deploymentId = `test-e2e-import-${node.port}`;
    env = localEnv(node.url, deploymentId);
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 });
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    removeDeployment(deploymentId);
    removeTempDirs();
  });

  async function issuedEvents(): Promise<string[]> {
    const logs = await provider!.getLogs({ topics: [BILL_ISSUED], fromBlock: 0, toBlock: "latest" });
    return logs.map((log) => log.topics[1]);
  }

  it("imports 2,000 bills exactly once across a SIGKILL, then reimburses and verifies one", async function () {
    const dir = tempDir();
    const deploy = await hardhat(["run", "scripts/deploy.ts", "--network", "localhost"], env);
    expect(deploy.code, deploy.stderr).to.equal(0);

    const file = path.join(dir, "bills.jsonl");
    const made = await startScript("scripts/make-bills.ts", ["--count", String(COUNT), "--seed", "e2e", "--out", file])
      .done;
    expect(made.code, made.stderr).to.equal(0);

    // Small batches (80 transactions) so the kill lands part-way whatever the machine's load: SIGKILL the import as
    // soon as its first batch is mined (the first block after the deployment), not after a time or a bill count.
    const command = ["bill:import", "--file", file, "--batch-size", "25", "--network", "localhost"];
    const deployed = await provider!.getBlockNumber();
    const first = startHardhat(command, env);
    let exited = false;
    void first.done.then(() => (exited = true));
    while (!exited && (await provider!.getBlockNumber()) === deployed) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal, `the import finished before the kill:\n${killed.stdout}`).to.equal("SIGKILL");
    // Transactions the node had already received are still mined: wait until the count stops moving.
    let before = (await issuedEvents()).length;
    for (let stable = 0; stable < 3;) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = (await issuedEvents()).length;
      stable = now === before ? stable + 1 : 0;
      before = now;
    }
    expect(before).to.be.greaterThan(0).and.lessThan(COUNT);

    const second = await hardhat(command, env);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(new RegExp(`^issued now: +${COUNT - before}$`, "m"));
    expect(second.stdout).to.match(new RegExp(`^already on chain: +${before}$`, "m"));
    expect(second.stdout).to.match(/^invalid: +0$/m);

    const ids = await issuedEvents();
    expect(ids).to.have.length(COUNT);
    expect(new Set(ids).size).to.equal(COUNT);

    // One bill: its URI from bill:show, reimbursed by social security, then verified by URI and by document.
    const show = await hardhat(["bill:show", ids[0], "--network", "localhost"], env);
    expect(show.code, show.stderr).to.equal(0);
    const uri = /^uri +(medbill:\S+)$/m.exec(show.stdout)?.[1] as string;
    const reimburse = await hardhat(
      [
        "bill:reimburse",
        "--bill",
        uri,
        "--amount",
        "0.50",
        "--claim-ref",
        "E2E-0001",
        "--as",
        "social-security",
        "--network",
        "localhost",
      ],
      env,
    );
    expect(reimburse.code, reimburse.stderr).to.equal(0);
    expect(reimburse.stdout).to.match(/^status +PartiallyReimbursed$/m);
    expect(reimburse.stdout).to.match(/^reimbursed +0\.50 yuan$/m);
    const verify = await hardhat(["bill:verify", "--uri", uri, "--network", "localhost"], env);
    expect(verify.code, verify.stdout + verify.stderr).to.equal(0);
    expect(verify.stdout).to.match(/^GENUINE: /);
    expect(verify.stdout).to.match(/^reimbursed +0\.50 yuan$/m);
    const document = path.join(dir, "first.json");
    fs.writeFileSync(document, fs.readFileSync(file, "utf8").split("\n")[0]);
    const byDocument = await hardhat(["bill:verify", "--file", document, "--network", "localhost"], env);
    expect(byDocument.code, byDocument.stdout + byDocument.stderr).to.equal(0);
    expect(byDocument.stdout).to.match(/^GENUINE: /);
  });
});
