import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, id as topicOf } from "ethers";
import { startHardhatNode, type LocalNode } from "../../scripts/lib/node";
import { makeBills } from "../../scripts/make-bills";
import { MedBillClient } from "../../src/client";
import { ledgerFromCsv, ledgerTotals } from "../../src/ledger";
import { hardhat, localEnv, removeDeployment, ROOT, startHardhat } from "../tasks/cli";
import { removeTempDirs, tempDir } from "../tasks/helpers";

const BILL_ISSUED = topicOf("BillIssued(bytes32,address,bytes32,bytes32,uint256,bytes32)");
const BILL_REIMBURSED = topicOf("BillReimbursed(bytes32,address,bytes32,uint256,uint256)");
const COUNT = 1_200;
const MNEMONIC = "test test test test test test test test test test test junk";
/** The social-security fund of consortium/local.json (development account 4). */
const SOCIAL_SECURITY = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

/**
 * A payer's daily run, as the README tells operators: bills issued on a `npx hardhat node`, then `bill:settle`
 * pays a claims file, is killed with SIGKILL part-way, and the same command run again pays every claim exactly
 * once; `payer:reconcile` then writes the ledger, whose total equals the sum of the payer's `reimbursedBy`.
 */
describe("e2e: crash-safe bulk settlement and reconciliation on a local consortium node", function () {
  // Three hardhat processes and 1,200 claims: about a minute on an idle machine, more on a loaded one.
  this.timeout(480_000);
  let node: LocalNode | undefined;
  let provider: JsonRpcProvider | undefined;
  let deploymentId = "";
  let env: NodeJS.ProcessEnv = {};

  before(async function () {
    node = await startHardhatNode();
    deploymentId = `test-e2e-settle-${node.port}`;
    env = localEnv(node.url, deploymentId);
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 });
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    removeDeployment(deploymentId);
    removeTempDirs();
  });

  async function logs(topic: string) {
    return provider!.getLogs({ topics: [topic], fromBlock: 0, toBlock: "latest" });
  }

  it("settles 1,200 claims exactly once across a SIGKILL; the reconciled ledger matches reimbursedBy", async function () {
    const dir = tempDir();
    const deploy = await hardhat(["run", "scripts/deploy.ts", "--network", "localhost"], env);
    expect(deploy.code, deploy.stderr).to.equal(0);
    // The bills, issued by the Hangzhou hospital (account 1) through the SDK, straight from this process.
    const record = path.join(ROOT, "ignition", "deployments", deploymentId, "deployed_addresses.json");
    const registryAddress = (JSON.parse(fs.readFileSync(record, "utf8")) as Record<string, string>)[
      "MedBill#BillRegistry"
    ];
    const hospital = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), "m/44'/60'/0'/0/1").connect(provider!);
    const issuer = await MedBillClient.connect(registryAddress, hospital);
    const docs = [...makeBills({ count: COUNT, seed: "settle", hospitals: ["hz-hospital"] })];
    const issuedNow = await issuer.issueMany(
      docs.map((document) => ({ document, patientSalt: "0x" + "66".repeat(32) })),
    );
    expect(issuedNow.issued).to.equal(COUNT);

    // The claims file: social security pays 60 % of each bill (rounded down to the fen), in yuan.
    const issued = await logs(BILL_ISSUED);
    expect(issued).to.have.length(COUNT);
    const coder = AbiCoder.defaultAbiCoder();
    const expected = new Map<string, bigint>();
    const lines = ["billId,amount,claimRef"];
    issued.forEach((log, i) => {
      const [, amount] = coder.decode(["bytes32", "uint256", "bytes32"], log.data) as unknown as [string, bigint];
      const fen = (amount * 60n) / 100n;
      expected.set(log.topics[1], fen);
      lines.push(`${log.topics[1]},${fen / 100n}.${String(fen % 100n).padStart(2, "0")},SS-2026-${i}`);
    });
    const claims = path.join(dir, "claims.csv");
    fs.writeFileSync(claims, lines.join("\n") + "\n");

    const command = [
      "bill:settle",
      "--file",
      claims,
      "--as",
      "social-security",
      "--batch-size",
      "25",
      "--network",
      "localhost",
    ];
    const first = startHardhat(command, env);
    let exited = false;
    void first.done.then(() => (exited = true));
    // Kill once ten batches of the payer are mined (its nonce is the cheapest thing to poll on a busy node).
    const start = await provider!.getTransactionCount(SOCIAL_SECURITY, "latest");
    while (!exited && (await provider!.getTransactionCount(SOCIAL_SECURITY, "latest")) < start + 10) {
      await new Promise((r) => setTimeout(r, 50));
    }
    first.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal, `the settlement finished before the kill:\n${killed.stdout}`).to.equal("SIGKILL");
    let before = (await logs(BILL_REIMBURSED)).length;
    for (let stable = 0; stable < 3;) {
      await new Promise((r) => setTimeout(r, 300));
      const now = (await logs(BILL_REIMBURSED)).length;
      stable = now === before ? stable + 1 : 0;
      before = now;
    }
    expect(before).to.be.greaterThan(0).and.lessThan(COUNT);

    const second = await hardhat(command, env);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(new RegExp(`^paid now: +${COUNT - before} `, "m"));
    expect(second.stdout).to.match(new RegExp(`^already paid: +${before}$`, "m"));
    expect(second.stdout).to.match(/^refused: +0$/m);

    // Every claim paid exactly once, for its amount and with its claim reference.
    const paid = await logs(BILL_REIMBURSED);
    expect(paid).to.have.length(COUNT);
    expect(new Set(paid.map((l) => l.topics[1])).size).to.equal(COUNT);
    for (const log of paid) {
      const [amount] = coder.decode(["uint256", "uint256"], log.data) as unknown as [bigint];
      expect(amount).to.equal(expected.get(log.topics[1]));
    }

    // The ledger: its total equals the sum of reimbursedBy(bill, social security) over every bill.
    const out = path.join(dir, "ledger.csv");
    const reconcile = await hardhat(
      ["payer:reconcile", "--as", "social-security", "--out", out, "--network", "localhost"],
      env,
    );
    expect(reconcile.code, reconcile.stderr).to.equal(0);
    expect(reconcile.stdout).to.match(new RegExp(`^reimbursements +${COUNT}$`, "m"));
    expect(reconcile.stdout).to.match(/matches$/m);
    const rows = ledgerFromCsv(fs.readFileSync(out, "utf8"));
    expect(rows).to.have.length(COUNT);
    const registry = new Contract(
      paid[0].address,
      ["function reimbursedBy(bytes32,address) view returns (uint256)"],
      provider,
    );
    let sum = 0n;
    for (const billId of expected.keys()) sum += (await registry.reimbursedBy(billId, SOCIAL_SECURITY)) as bigint;
    expect(ledgerTotals(rows).amount).to.equal(sum);
    expect(sum).to.equal([...expected.values()].reduce((s, a) => s + a, 0n));
  });
});
