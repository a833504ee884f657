/**
 * End to end on a second, independent EVM node: anvil (from the npm package `@foundry-rs/anvil-linux-amd64`), so that
 * nothing the product relies on is a quirk of Hardhat's own node.
 *
 * 1. The whole demo story (`scripts/demo.ts`) runs as a child process through the generic `rpc` network
 *    (`MEDBILL_RPC_URL` = anvil's URL, development mnemonic), exactly as an operator would run it against Besu or geth,
 *    and the outcomes it reports are checked again by reading anvil directly.
 * 2. The rules that matter most are exercised on anvil with zero-fee transactions from the TypeChain factory: custom
 *    errors decode from anvil's revert data, a full batch fits the per-transaction gas cap, and a consortium member
 *    pays nothing for gas.
 *
 * Anvil listens on a free port of 127.0.0.1 and is always stopped in `after`, even when a test fails.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, ZeroHash, id, type ContractTransactionResponse } from "ethers";
import { startAnvil, type LocalNode } from "../../scripts/lib/node";
import { MAX_TX_GAS, decodeBillUri } from "../../src";
import { DEV_MNEMONIC } from "../../src/node";
import { BillRegistry__factory, type BillRegistry } from "../../typechain-types";
import { parseDemoSummary, type DemoSummary } from "../../scripts/lib/demo-summary";

const ROOT = path.resolve(__dirname, "..", "..");

enum Status {
  None = 0,
  Issued = 1,
  PartiallyReimbursed = 2,
  Reimbursed = 3,
  Voided = 4,
}

/** Zero-fee overrides: the consortium's setting (zero base fee, zero gas price). */
const FREE = { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } as const;

/** Account `index` of the development mnemonic, connected to `provider`. */
function devWallet(index: number, provider: JsonRpcProvider): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(provider);
}

/** Waits for a transaction to be mined and returns its receipt (never null once mined). */
async function mined(tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return receipt;
}

/** A valid bill input with deterministic, non-zero fields derived from `seed`. */
function bill(seed: string, amount: bigint) {
  return {
    billNumber: id(`number:${seed}`),
    patientRef: id(`patient:${seed}`),
    contentHash: id(`content:${seed}`),
    amount,
  };
}

describe("e2e: anvil, an independent EVM node", function () {
  let node: LocalNode | undefined;
  let provider: JsonRpcProvider;

  before(async function () {
    node = await startAnvil();
    provider = new JsonRpcProvider(node.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
  });

  describe("the demo story through the `rpc` network (MEDBILL_RPC_URL = anvil)", function () {
    let output = "";
    let summary: DemoSummary;
    let registry: BillRegistry;
    let deploymentDir = "";

    before(async function () {
      const url = (node as LocalNode).url;
      // A deployment id of its own, so Ignition's record never mixes with a developer's localhost deployment
      // (`chain-31337`) or with another run; removed in `after`.
      const deploymentId = `e2e-anvil-${process.pid}-${(node as LocalNode).port}`;
      deploymentDir = path.join(ROOT, "ignition", "deployments", deploymentId);
      ({ stdout: output } = await runHardhat(["run", "scripts/demo.ts", "--network", "rpc"], {
        MEDBILL_RPC_URL: url,
        MEDBILL_DEPLOYMENT_ID: deploymentId,
        MEDBILL_PRIVATE_KEYS: "",
        FORCE_COLOR: "0",
      }));
      summary = parseDemoSummary(output);
      registry = BillRegistry__factory.connect(summary.registry, provider);
    });

    after(function () {
      if (deploymentDir !== "") fs.rmSync(deploymentDir, { recursive: true, force: true });
    });

    it("deployed the registry on anvil (chain 31337) and admitted every consortium member", async function () {
      expect(summary.chainId).to.equal("31337");
      expect(await provider.getCode(summary.registry)).to.not.equal("0x");
      expect(output).to.contain('network "rpc"');
      const [ISSUER_ROLE, CLAIMER_ROLE] = await Promise.all([registry.ISSUER_ROLE(), registry.CLAIMER_ROLE()]);
      const consortium = JSON.parse(fs.readFileSync(path.join(ROOT, "consortium", "local.json"), "utf8")) as {
        members: { id: string; role: string; accountIndex: number }[];
      };
      for (const member of consortium.members) {
        const address = devWallet(member.accountIndex, provider).address;
        expect(await registry.hasRole(ISSUER_ROLE, address), `${member.id} issuer`).to.equal(member.role === "issuer");
        expect(await registry.hasRole(CLAIMER_ROLE, address), `${member.id} claimer`).to.equal(
          member.role === "claimer",
        );
      }
      expect(await registry.defaultAdmin()).to.equal(devWallet(0, provider).address);
    });

    it("issued one bill at the cashier, a batch of five, a replacement and two delivered bills: nine BillIssued events on anvil", async function () {
      expect(summary.batchIssued).to.equal(5);
      expect(
        summary.delivery,
        "the demo's delivery chapter (one bill by pickup code, one to a patient card)",
      ).to.not.equal(undefined);
      const events = await registry.queryFilter(registry.filters.BillIssued(), 0, "latest");
      expect(events).to.have.length(9);
      const hospital = devWallet(1, provider).address;
      expect(events.every((e) => e.args.issuer === hospital)).to.equal(true);
      expect(events.map((e) => e.args.billId)).to.include.members([
        summary.billId,
        summary.voidedBill,
        summary.replacementBill,
      ]);
    });

    it("split the bill 70/30 between the fund and the insurer, ending Reimbursed, as read from anvil", async function () {
      const fund = devWallet(4, provider).address;
      const insurer = devWallet(5, provider).address;
      expect(summary.reimbursedBySocialSecurity).to.equal("33355");
      expect(summary.reimbursedByInsurer).to.equal("14295");
      expect(summary.finalStatus).to.equal("Reimbursed");
      const stored = await registry.getBill(summary.billId);
      expect(stored.status).to.equal(BigInt(Status.Reimbursed));
      expect(stored.amount).to.equal(47_650n);
      expect(stored.reimbursed).to.equal(47_650n);
      expect(await registry.reimbursedBy(summary.billId, fund)).to.equal(33_355n);
      expect(await registry.reimbursedBy(summary.billId, insurer)).to.equal(14_295n);
      const paid = await registry.queryFilter(registry.filters.BillReimbursed(summary.billId), 0, "latest");
      expect(paid.map((e) => [e.args.claimer, e.args.amount, e.args.totalReimbursed])).to.deep.equal([
        [fund, 33_355n, 33_355n],
        [insurer, 14_295n, 47_650n],
      ]);
    });

    it("refused double-dipping, the over-claim, the settled and the voided bill, and the stranger", function () {
      expect(summary.refusals).to.deep.equal({
        fundClaimsAgain: "AlreadyReimbursedBy",
        overClaim: "ReimbursementExceedsBalance",
        claimReimbursed: "BillNotReimbursable",
        reimburseVoided: "BillNotReimbursable",
        strangerIssues: "AccessControlUnauthorizedAccount",
      });
    });

    it("voided the wrong bill naming its replacement; verdicts match the chain", async function () {
      expect(summary.verdicts).to.deep.equal({
        scannedDocument: "genuine",
        voided: "voided",
        original: "genuine",
        tampered: "tampered",
      });
      expect((await registry.getBill(summary.voidedBill)).status).to.equal(BigInt(Status.Voided));
      expect((await registry.getBill(summary.replacementBill)).status).to.equal(BigInt(Status.Issued));
      const voided = await registry.queryFilter(registry.filters.BillVoided(summary.voidedBill), 0, "latest");
      expect(voided).to.have.length(1);
      expect(voided[0].args.replacementId).to.equal(summary.replacementBill);
      const uri = decodeBillUri(summary.uri);
      expect(uri.chainId).to.equal(31337n);
      expect(uri.registry).to.equal(summary.registry);
      expect(uri.billId).to.equal(summary.billId);
      expect(await registry.verify(summary.billId, uri.contentHash)).to.equal(true);
      expect(await registry.verify(summary.billId, id("a tampered document"))).to.equal(false);
    });
  });

  describe("the registry's rules on anvil (TypeChain, zero-fee transactions)", function () {
    let registry: BillRegistry;
    let admin: HDNodeWallet;
    let hospital: HDNodeWallet;
    let otherHospital: HDNodeWallet;
    let socialSecurity: HDNodeWallet;
    let insurer: HDNodeWallet;
    let stranger: HDNodeWallet;

    before(async function () {
      [admin, hospital, otherHospital, , socialSecurity, insurer, , stranger] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        devWallet(i, provider),
      );
      const deployed = await new BillRegistry__factory(admin).deploy(86_400, admin.address, FREE);
      await deployed.waitForDeployment();
      registry = deployed;
      const ISSUER_ROLE = await registry.ISSUER_ROLE();
      const CLAIMER_ROLE = await registry.CLAIMER_ROLE();
      for (const [role, member] of [
        [ISSUER_ROLE, hospital],
        [ISSUER_ROLE, otherHospital],
        [CLAIMER_ROLE, socialSecurity],
        [CLAIMER_ROLE, insurer],
      ] as const) {
        await mined(registry.grantRole(role, member.address, FREE));
      }
    });

    it("accepts transactions at zero gas price: members pay nothing", async function () {
      const before = await provider.getBalance(hospital.address);
      const receipt = await mined(registry.connect(hospital).issue(bill("free", 1_000n), FREE));
      expect(receipt.gasPrice).to.equal(0n);
      expect(receipt.gasUsed).to.be.greaterThan(0n);
      expect(await provider.getBalance(hospital.address)).to.equal(before);
      expect((await provider.getBlock(receipt.blockNumber))?.baseFeePerGas).to.equal(0n);
    });

    it("issues, reimburses in two parts and refuses the same payer twice, with the custom error decoded", async function () {
      const input = bill("story", 12_345n);
      const billId = await registry.billIdOf(hospital.address, input.billNumber);
      await mined(registry.connect(hospital).issue(input, FREE));
      expect(await registry.verify(billId, input.contentHash)).to.equal(true);
      expect(await registry.verify(billId, id("tampered"))).to.equal(false);

      await mined(registry.connect(socialSecurity).reimburse(billId, 10_000n, id("ss-claim-1"), FREE));
      expect((await registry.getBill(billId)).status).to.equal(BigInt(Status.PartiallyReimbursed));

      await expect(registry.connect(socialSecurity).reimburse(billId, 1n, id("ss-claim-2"), FREE))
        .to.be.revertedWithCustomError(registry, "AlreadyReimbursedBy")
        .withArgs(billId, socialSecurity.address);
      await expect(registry.connect(insurer).reimburse(billId, 2_346n, id("ins-claim-1"), FREE))
        .to.be.revertedWithCustomError(registry, "ReimbursementExceedsBalance")
        .withArgs(billId, 2_346n, 2_345n);

      await mined(registry.connect(insurer).reimburse(billId, 2_345n, id("ins-claim-1"), FREE));
      const stored = await registry.getBill(billId);
      expect(stored.status).to.equal(BigInt(Status.Reimbursed));
      expect(stored.reimbursed).to.equal(12_345n);
      expect(await registry.reimbursedBy(billId, socialSecurity.address)).to.equal(10_000n);
      expect(await registry.reimbursedBy(billId, insurer.address)).to.equal(2_345n);
      await expect(registry.connect(otherHospital).voidBill(billId, id("late"), ZeroHash, FREE))
        .to.be.revertedWithCustomError(registry, "NotBillIssuer")
        .withArgs(billId, otherHospital.address);
    });

    it("voids a bill with its replacement; the voided bill no longer verifies nor can be paid", async function () {
      const wrong = bill("wrong", 500n);
      const right = bill("right", 450n);
      const wrongId = await registry.billIdOf(hospital.address, wrong.billNumber);
      const rightId = await registry.billIdOf(hospital.address, right.billNumber);
      await mined(registry.connect(hospital).issueBatch([wrong, right], FREE));
      await mined(registry.connect(hospital).voidBill(wrongId, id("wrong amount"), rightId, FREE));
      expect((await registry.getBill(wrongId)).status).to.equal(BigInt(Status.Voided));
      expect(await registry.verify(wrongId, wrong.contentHash)).to.equal(false);
      expect(await registry.verify(rightId, right.contentHash)).to.equal(true);
      await expect(registry.connect(insurer).reimburse(wrongId, 1n, id("ins-claim-2"), FREE))
        .to.be.revertedWithCustomError(registry, "BillNotReimbursable")
        .withArgs(wrongId, Status.Voided);
    });

    it("refuses writes without the role, and everything while paused", async function () {
      const ISSUER_ROLE = await registry.ISSUER_ROLE();
      await expect(registry.connect(stranger).issue(bill("stranger", 1n), FREE))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ISSUER_ROLE);
      await mined(registry.connect(admin).pause(FREE));
      await expect(registry.connect(hospital).issue(bill("paused", 1n), FREE)).to.be.revertedWithCustomError(
        registry,
        "EnforcedPause",
      );
      await mined(registry.connect(admin).unpause(FREE));
      await mined(registry.connect(hospital).issue(bill("paused", 1n), FREE));
    });

    it("fits a full batch of MAX_BATCH_SIZE bills in one transaction under the EIP-7825 gas cap", async function () {
      const size = Number(await registry.MAX_BATCH_SIZE());
      const bills = Array.from({ length: size }, (_, i) => bill(`batch-${i}`, BigInt(i + 1)));
      const receipt = await mined(registry.connect(otherHospital).issueBatch(bills, { ...FREE, gasLimit: MAX_TX_GAS }));
      expect(receipt.status).to.equal(1);
      expect(receipt.gasUsed).to.be.lessThan(MAX_TX_GAS);
      const issued = receipt.logs.filter(
        (log) => log.topics[0] === registry.interface.getEvent("BillIssued").topicHash,
      );
      expect(issued).to.have.length(size);
      const last = await registry.billIdOf(otherHospital.address, bills[size - 1].billNumber);
      expect((await registry.getBill(last)).amount).to.equal(BigInt(size));
    });
  });
});

/** Runs `npx hardhat <args>` in the project root; resolves with its output, rejects (with the output) on failure. */
export function runHardhat(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  const hardhatBin = require.resolve("hardhat/internal/cli/bootstrap", { paths: [ROOT] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhatBin, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else {
        reject(
          new Error(`hardhat ${args.join(" ")} exited with ${code}:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`),
        );
      }
    });
  });
}
