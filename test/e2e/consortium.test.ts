/**
 * End to end on a real consortium (docs/DESIGN.md, "Consortium file"): anvil on a chain that is not a local one
 * (4242), a consortium file of fresh addresses (no development account among them), and keys from the environment
 * only: six in MEDBILL_PRIVATE_KEYS, the insurer's in an encrypted JSON keystore (MEDBILL_KEYSTORE). No development
 * mnemonic is involved: a development `accountIndex` would be refused on this chain, and no development account
 * holds a role.
 *
 * 1. The demo story (`scripts/demo.ts`) through the `rpc` network, checked again by reading anvil.
 * 2. The CLI: a bill issued by the hospital its document names, reimbursed by the keystore's payer, shown with
 *    member names; a key that matches no member is refused in one line.
 * 3. The web page: built from the same consortium file, served by `vite preview` whose `config.json` comes from
 *    Ignition's record under MEDBILL_DEPLOYMENT_ID, and driven in Chromium (see test/e2e/web/).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, encryptKeystoreJsonSync } from "ethers";
import type { Browser, Page } from "playwright-core";
import { freePort, startAnvil, type LocalNode } from "../../scripts/lib/node";
import { parseDemoSummary, type DemoSummary } from "../../scripts/lib/demo-summary";
import { makeBills } from "../../scripts/make-bills";
import { devAccount, readConsortiumFile } from "../../src/node";
import { BillRegistry__factory, type BillRegistry } from "../../typechain-types";
import { hardhat, removeDeployment, type CliRun, type RunningCli } from "../tasks/cli";
import { field, writeBillFile } from "../tasks/helpers";
import { launchBrowser } from "./web/browser";

const ROOT = path.resolve(__dirname, "..", "..");
const CHAIN_ID = 4242;

/** The development consortium's members, each given a fresh key of its own. */
const LOCAL = readConsortiumFile(ROOT, {});
const KEYS = new Map(LOCAL.members.map((m) => [m.id, Wallet.createRandom()]));

function wallet(id: string): Wallet {
  const found = KEYS.get(id);
  if (found === undefined) throw new Error(`no member ${id}`);
  return new Wallet(found.privateKey);
}

const VITE = path.join(path.dirname(require.resolve("vite/package.json")), "bin", "vite.js");

/** Runs `vite <args>` with the project's config in the project root, with `env` added. */
function vite(args: readonly string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, [VITE, ...args, "--config", "web/vite.config.mts"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const kill = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // already gone
    }
  };
  return { child, done, kill };
}

/** Waits until `url` answers 200 (the preview server is up), or fails after `ms`. */
async function answers(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function ok(run: CliRun, what: string): CliRun {
  expect(run.code, `${what} failed:\n${run.stdout}\n${run.stderr}`).to.equal(0);
  return run;
}

describe("e2e: a real consortium on anvil (addresses in the file, keys from the environment)", function () {
  this.timeout(240_000);

  let node: LocalNode | undefined;
  let provider: JsonRpcProvider;
  let dir = "";
  let env: NodeJS.ProcessEnv = {};
  const deploymentId = `e2e-consortium-${process.pid}`;
  let summary: DemoSummary;
  /** The bill document the CLI issued, and its id. */
  let cliBill: { file: string; billId: string } | undefined;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-consortium-"));
    const file = path.join(dir, "consortium.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        network: "e2e",
        chainId: CHAIN_ID,
        members: LOCAL.members.map(({ accountIndex: _index, ...m }) => ({ ...m, address: wallet(m.id).address })),
      }),
    );
    const insurer = wallet("insurer");
    const keystore = path.join(dir, "insurer.json");
    fs.writeFileSync(
      keystore,
      encryptKeystoreJsonSync({ address: insurer.address, privateKey: insurer.privateKey }, "e2e-password", {
        scrypt: { N: 1 << 12 },
      }),
    );
    node = await startAnvil({ chainId: CHAIN_ID });
    provider = new JsonRpcProvider(node.url, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
    // Zero base fee, but anvil still suggests a priority fee (eth_maxPriorityFeePerGas): give the fresh accounts a
    // balance, as a consortium's genesis would, rather than any development account.
    for (const member of LOCAL.members) {
      await provider.send("anvil_setBalance", [wallet(member.id).address, "0xde0b6b3a7640000"]);
    }
    env = {
      MEDBILL_RPC_URL: node.url,
      MEDBILL_CONSORTIUM: file,
      MEDBILL_DEPLOYMENT_ID: deploymentId,
      MEDBILL_PRIVATE_KEYS: LOCAL.members
        .filter((m) => m.id !== "insurer")
        .map((m) => wallet(m.id).privateKey)
        .join(","),
      MEDBILL_KEYSTORE: keystore,
      MEDBILL_KEYSTORE_PASSWORD: "e2e-password",
    };
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    removeDeployment(deploymentId);
    if (dir !== "") fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("the demo story", function () {
    let registry: BillRegistry;

    before(async function () {
      const run = ok(await hardhat(["run", "scripts/demo.ts", "--network", "rpc"], env), "the demo");
      summary = parseDemoSummary(run.stdout);
      registry = BillRegistry__factory.connect(summary.registry, provider);
    });

    it("deployed on chain 4242 with the file's admin, and admitted the file's addresses only", async function () {
      expect(summary.chainId).to.equal(String(CHAIN_ID));
      expect(await registry.defaultAdmin()).to.equal(wallet("finance").address);
      const [issuer, claimer] = await Promise.all([registry.ISSUER_ROLE(), registry.CLAIMER_ROLE()]);
      for (const member of LOCAL.members) {
        const address = wallet(member.id).address;
        expect(await registry.hasRole(issuer, address), member.id).to.equal(member.role === "issuer");
        expect(await registry.hasRole(claimer, address), member.id).to.equal(member.role === "claimer");
      }
      for (let i = 0; i < 7; i++) {
        const dev = devAccount(i).address;
        expect(await registry.hasRole(issuer, dev)).to.equal(false);
        expect(await registry.hasRole(claimer, dev)).to.equal(false);
      }
      const record = path.join(ROOT, "ignition", "deployments", deploymentId, "deployed_addresses.json");
      expect(JSON.parse(fs.readFileSync(record, "utf8"))).to.deep.include({ "MedBill#BillRegistry": summary.registry });
    });

    it("issued, split 70/30 between the fund and the keystore's insurer, and refused what it must", async function () {
      const issued = await registry.queryFilter(registry.filters.BillIssued(), 0, "latest");
      // Seven bills of the ledger story and two of the delivery chapter (pickup code, patient card).
      expect(summary.delivery).to.not.equal(undefined);
      expect(issued.map((e) => e.args.issuer)).to.deep.equal(Array(9).fill(wallet("hz-hospital").address));
      expect(summary.finalStatus).to.equal("Reimbursed");
      expect(await registry.reimbursedBy(summary.billId, wallet("social-security").address)).to.equal(33_355n);
      expect(await registry.reimbursedBy(summary.billId, wallet("insurer").address)).to.equal(14_295n);
      expect(summary.refusals).to.deep.equal({
        fundClaimsAgain: "AlreadyReimbursedBy",
        overClaim: "ReimbursementExceedsBalance",
        claimReimbursed: "BillNotReimbursable",
        reimburseVoided: "BillNotReimbursable",
        strangerIssues: "AccessControlUnauthorizedAccount",
      });
      expect(summary.verdicts).to.deep.equal({
        scannedDocument: "genuine",
        voided: "voided",
        original: "genuine",
        tampered: "tampered",
      });
    });
  });

  describe("the CLI", function () {
    it("issues as the hospital the document names, reimburses as the keystore's payer, shows member names", async function () {
      const [bill] = makeBills({ count: 1, seed: `consortium-${process.pid}`, hospitals: ["tz-hospital"] });
      const document = { ...bill, hospital: "台州市中心医院 Taizhou Central Hospital" };
      const file = writeBillFile(dir, document, {}, "cli-bill.json");
      const issue = ok(await hardhat(["bill:issue", "--file", file, "--network", "rpc"], env), "bill:issue");
      expect(field(issue.stdout, "issuer")).to.equal(
        `Taizhou Central Hospital (tz-hospital, ${wallet("tz-hospital").address})`,
      );
      const uri = field(issue.stdout, "uri") as string;
      cliBill = { file, billId: field(issue.stdout, "billId") as string };

      const amount = (Number(document.total) / 100).toFixed(2);
      const pay = ["bill:reimburse", "--bill", uri, "--amount", amount, "--claim-ref", "INS-E2E-1", "--as", "insurer"];
      ok(await hardhat([...pay, "--network", "rpc"], env), "bill:reimburse");

      const show = ok(await hardhat(["bill:show", uri, "--network", "rpc"], env), "bill:show");
      expect(field(show.stdout, "status")).to.equal("Reimbursed");
      expect(show.stdout).to.contain("by Taizhou Central Hospital (tz-hospital)");
      expect(show.stdout).to.contain("by Xihu Commercial Health Insurance (insurer), claim INS-E2E-1");

      const verify = await hardhat(["bill:verify", "--file", file, "--network", "rpc"], env);
      expect(verify.code, verify.stderr).to.equal(0);
      expect(verify.stdout).to.contain("GENUINE");
    });

    it("refuses a key that matches no member, in one line naming where it came from", async function () {
      const stranger = Wallet.createRandom();
      const run = await hardhat(["bill:show", "0x" + "11".repeat(32), "--network", "rpc"], {
        ...env,
        MEDBILL_PRIVATE_KEYS: `${env.MEDBILL_PRIVATE_KEYS},${stranger.privateKey}`,
      });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(
        new RegExp(
          `MEDBILL_PRIVATE_KEYS\\[6\\] is the key of ${stranger.address}, which is no member of consortium file`,
        ),
      );
      expect(run.stderr).to.not.contain(stranger.privateKey.slice(2));
    });
  });

  describe("the web page", function () {
    let preview: RunningCli | undefined;
    let browser: Browser | undefined;
    let url = "";
    const pageErrors: string[] = [];

    before(async function () {
      const dist = path.join(dir, "web-dist");
      const build = await vite(["build", "--outDir", dist, "--emptyOutDir", "--logLevel", "error"], env).done;
      expect(build.code, `vite build failed:\n${build.stdout}\n${build.stderr}`).to.equal(0);
      const port = await freePort();
      preview = vite(["preview", "--outDir", dist, "--port", String(port), "--strictPort"], env);
      url = `http://127.0.0.1:${port}/`;
      await answers(url, 60_000);
      browser = await launchBrowser();
    });

    after(async function () {
      await browser?.close().catch(() => undefined);
      preview?.kill("SIGTERM");
      await preview?.done;
    });

    afterEach(function () {
      expect(pageErrors, "uncaught errors in the page").to.deep.equal([]);
    });

    async function openPage(): Promise<Page> {
      const context = await (browser as Browser).newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
      const page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await page.goto(url);
      await page.waitForSelector("body[data-ready=true]");
      return page;
    }

    async function result(page: Page): Promise<string> {
      await page.locator('#result[data-state]:not([data-state="checking"])').waitFor({ timeout: 60_000 });
      return (await page.locator("#result").getAttribute("data-state")) ?? "";
    }

    it("serves config.json from Ignition's record under MEDBILL_DEPLOYMENT_ID", async function () {
      const config = (await (await fetch(new URL("config.json", url))).json()) as Record<string, unknown>;
      expect(config).to.deep.equal({ rpcUrl: env.MEDBILL_RPC_URL, chainId: CHAIN_ID, registry: summary.registry });
    });

    it("names the consortium's members by their file addresses on the demo's bill", async function () {
      const page = await openPage();
      await page.fill("#uri", summary.uri);
      await page.click("#verify");
      expect(await result(page)).to.equal("genuine");
      const hospital = await page.locator('#result [data-testid="hospital"]').innerText();
      expect(hospital).to.contain("杭州市第一人民医院").and.contain("Hangzhou First People's Hospital");
      const payers = (await page.locator("#result ul.payers li").allInnerTexts()).join("\n");
      expect(payers).to.contain("浙江省社会保险基金").and.contain("西湖商业健康保险");
      expect(await page.locator("#result").innerText()).to.not.contain("非联盟成员");
    });

    it("finds a bill file's issuer among the file's hospitals: the CLI's bill is genuine", async function () {
      if (cliBill === undefined) throw new Error("the CLI test did not issue its bill");
      const page = await openPage();
      await page.setInputFiles("#choose-file", cliBill.file);
      expect(await result(page)).to.equal("genuine");
      expect(await page.locator('#result [data-testid="billId"]').innerText()).to.equal(cliBill.billId);
    });
  });
});
