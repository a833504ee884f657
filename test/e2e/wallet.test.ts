/**
 * The patient's wallet (web/wallet.html) end to end, in Chromium through playwright-core: a hardhat node with a
 * registry, the MedBill service as a real process (delivery part on PGlite), bills issued and delivered with the
 * CLI (`bill:issue --deliver`), and the wallet collecting them the way a patient does: a photo of the pickup QR
 * code, a patient card's inbox. Afterwards the service's database files and logs are searched for the patients'
 * names, ids and items. Screenshots in test-output/wallet/.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { hardhat } from "../tasks/cli";
import {
  removeTempDirs,
  startChain,
  startService,
  tempDir,
  type ServiceProcess,
  type TestChain,
} from "../service/helpers";
import { launchBrowser } from "./web/browser";
import { servePage, type PageServer } from "./web/server";
import { findSecrets } from "./wallet/privacy";

const ROOT = path.resolve(__dirname, "..", "..");
const OUT = path.join(ROOT, "test-output", "wallet");
const DIST = path.join(OUT, "dist");
const TOKEN = "e2e-issuer-token";
const PHONE = { width: 390, height: 844 };

/** Builds web/ (verification page and wallet) with the project's Vite config. */
async function buildPage(outDir: string): Promise<void> {
  const viteBin = path.join(path.dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  const child = spawn(
    process.execPath,
    [viteBin, "build", "--config", "web/vite.config.mts", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`vite build of web/ failed (exit ${code}):\n${output}`);
}

/** A bill document as JSON (what the hospital's billing system hands `bill:issue`; no salt: the CLI adds it). */
interface BillFile {
  hospital: string;
  billCode: string;
  billNumber: string;
  patientName: string;
  patientId: string;
  department: string;
  items: { name: string; quantity: number; unitPrice: string }[];
  total: string;
  currency: string;
  issuedOn: string;
}

function document(
  hospital: string,
  billNumber: string,
  patientName: string,
  patientId: string,
  item: string,
): BillFile {
  return {
    hospital,
    billCode: "33010126",
    billNumber,
    patientName,
    patientId,
    department: "呼吸内科 Respiratory",
    items: [
      { name: item, quantity: 1, unitPrice: "38000" },
      { name: "门诊诊查费 Consultation", quantity: 1, unitPrice: "2500" },
    ],
    total: "40500",
    currency: "CNY",
    issuedOn: "2026-11-28",
  };
}

describe("wallet: bills delivered by pickup code and to a patient card, collected in Chromium", function () {
  this.timeout(240_000);

  let chain: TestChain | undefined;
  let service: ServiceProcess | undefined;
  let page$: PageServer | undefined;
  let browser: Browser | undefined;
  let dataDir: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const pickupBill = document("杭州市第一人民医院", "7000000001", "王小明", "330106199203154321", "胸部CT 王氏专项");
  const cardBill = document("台州市中心医院", "7000000002", "李秀英", "331002198807071234", "心脏彩超 李氏专项");
  let pickupUrl = "";
  let pickupQr = "";
  let pickupUri = "";

  before(async function () {
    fs.mkdirSync(OUT, { recursive: true });
    dataDir = tempDir("medbill-wallet-e2e-");
    const [started, launched] = await Promise.all([startChain(), launchBrowser(), buildPage(DIST)]);
    chain = started;
    browser = launched;
    page$ = await servePage(DIST, () => ({
      rpcUrl: chain!.node.url,
      chainId: 31337,
      registry: chain!.registry,
      serviceUrl: service?.url,
    }));
    service = await startService({
      MEDBILL_RPC_URL: chain.node.url,
      MEDBILL_REGISTRY: chain.registry,
      MEDBILL_API_TOKEN: TOKEN,
      MEDBILL_DATA_DIR: dataDir,
      MEDBILL_LOG: "info",
      MEDBILL_WALLET_URL: `${page$.url}wallet.html`,
    });
  });

  after(async function () {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await service?.kill();
    await page$?.close();
    await chain?.stop();
    removeTempDirs();
  });

  afterEach(function () {
    expect(pageErrors, "uncaught errors in the page").to.deep.equal([]);
  });

  async function openWallet(): Promise<Page> {
    const context = await browser!.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${page$!.url}wallet.html`);
    await page.waitForSelector("body[data-ready=true]");
    return page;
  }

  async function result(page: Page): Promise<{ state: string; text: string }> {
    await page.locator('#result[data-state]:not([data-state="checking"])').waitFor({ timeout: 30_000 });
    const section = page.locator("#result");
    return { state: (await section.getAttribute("data-state")) ?? "", text: await section.innerText() };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const file = path.join(OUT, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size, file).to.be.greaterThan(10_000);
  }

  async function issue(bill: BillFile, as: string, extra: string[]): Promise<string> {
    const file = path.join(OUT, `${bill.billNumber}.json`);
    fs.writeFileSync(file, JSON.stringify(bill, null, 2));
    const run = await hardhat(
      [
        "bill:issue",
        "--file",
        file,
        "--deliver",
        "--as",
        as,
        "--registry",
        chain!.registry,
        "--network",
        "localhost",
        ...extra,
      ],
      { MEDBILL_LOCALHOST_URL: chain!.node.url, MEDBILL_SERVICE_URL: service!.url, MEDBILL_API_TOKEN: TOKEN },
    );
    expect(run.code, run.stderr).to.equal(0);
    return run.stdout;
  }

  let cardPage: Page;
  let otherPage: Page;

  it("a bill issued with --deliver is collected from a photo of its pickup QR and shown genuine", async function () {
    // Two patients make their cards first (the cashier scans one of them below).
    [cardPage, otherPage] = await Promise.all([openWallet(), openWallet()]);
    for (const [page, id] of [
      [cardPage, cardBill.patientId],
      [otherPage, "330102197001011111"],
    ] as const) {
      await page.fill("#patient-id", id);
      await page.click("#create-card");
      await page.locator("#card-qr[data-payload]").waitFor();
    }
    const card = (await cardPage.getAttribute("#card-qr", "data-payload")) ?? "";
    expect(card).to.match(/^medbill-card:0x[0-9a-f]{64}\?k=[\w-]{87}$/);
    expect(card).to.not.contain(cardBill.patientId);

    pickupQr = path.join(OUT, "pickup-qr.png");
    const [pickupOut] = await Promise.all([
      issue(pickupBill, "hz-hospital", ["--pickup-qr", pickupQr]),
      issue(cardBill, "tz-hospital", ["--card", card]),
    ]);
    pickupUrl = /^pickup\s+(\S+)$/m.exec(pickupOut)?.[1] ?? "";
    pickupUri = /^uri\s+(\S+)$/m.exec(pickupOut)?.[1] ?? "";
    expect(pickupUrl).to.match(new RegExp(`^${service!.url}/pickup/[\\w-]{22}#[\\w-]{43}$`));

    const page = await openWallet();
    await page.setInputFiles("#upload-qr", pickupQr);
    const { state, text } = await result(page);
    expect(state).to.equal("genuine");
    expect(text).to.contain("真实票据").and.contain("Genuine bill");
    expect(text).to.contain("票据哈希与链上一致").and.contain("The document's hash matches the chain");
    expect(await page.locator('[data-testid="doc-patient"]').innerText()).to.equal("王小明");
    expect(await page.locator('[data-testid="doc-total"]').innerText()).to.equal("¥405.00");
    expect(await page.inputValue('[data-testid="export-uri"]')).to.equal(pickupUri);
    expect(await page.getAttribute('[data-testid="export-file"]', "download")).to.equal(
      "bill-33010126-7000000001.json",
    );
    await page.locator("#bills li[data-bill-id] [data-testid=status]").first().waitFor();
    expect(await page.locator("#bills li[data-bill-id]").count()).to.equal(1);
    await screenshot(page, "pickup-genuine");

    // After a reimbursement, the bill kept on the device shows the payer and what remains.
    const fund = await chain!.client(4);
    await fund.reimburse(/\/(0x[0-9a-f]{64})\?/.exec(pickupUri)![1], 28_350n, "SS-E2E-0001");
    await page.click("#refresh");
    const live = page.locator("#bills li[data-bill-id] [data-testid=live-status]");
    await live.getByText("部分报销").waitFor();
    const status = await live.innerText();
    expect(status).to.contain("浙江省社会保险基金").and.contain("¥283.50");
    expect(status).to.contain("剩余可报销").and.contain("¥121.50");
    await page.click("#bills li[data-bill-id] button");
    await result(page);
    expect(await page.locator('#result [data-testid="remaining"]').innerText()).to.equal("¥121.50");
    expect(await page.locator("#result ul.payers li").allInnerTexts()).to.have.length(1);
    await screenshot(page, "pickup-after-reimbursement");
  });

  it("a bill sent to a patient card appears in that wallet's inbox, and in no other's", async function () {
    await cardPage.click("#check-inbox");
    await cardPage.locator('#inbox [data-testid="inbox-bill"]').first().waitFor({ timeout: 30_000 });
    expect(await cardPage.locator('#inbox [data-testid="inbox-bill"]').count()).to.equal(1);
    const { state } = await result(cardPage);
    expect(state).to.equal("genuine");
    expect(await cardPage.locator('[data-testid="doc-patient"]').innerText()).to.equal("李秀英");
    expect(await cardPage.locator("#bills li[data-bill-id]").count()).to.equal(1);
    await screenshot(cardPage, "card-inbox");

    await otherPage.click("#check-inbox");
    await otherPage.locator("#inbox-empty:not([hidden])").waitFor({ timeout: 30_000 });
    expect(await otherPage.locator("#inbox li").count()).to.equal(0);
    expect(await otherPage.locator("#bills li[data-bill-id]").count()).to.equal(0);
    await screenshot(otherPage, "other-card-empty-inbox");
  });

  it("a wrong, truncated or missing key, an unknown delivery and a non-pickup QR each get a named message", async function () {
    const page = await openWallet();
    const [link, key] = pickupUrl.split("#");
    const wrongKey = `${key.startsWith("A") ? "B" : "A"}${key.slice(1)}`;
    const cases: Array<[string, string, string]> = [
      [`${link}#${wrongKey}`, "wrong-key", "密钥错误"],
      [`${link}#${key.slice(0, 30)}`, "bad-key", "不完整或有误"],
      [`${link.replace(/[\w-]{22}$/, "A".repeat(22))}#${key}`, "unknown-delivery", "未找到该票据投递"],
      [pickupUri, "not-pickup", "这不是票据领取码"],
    ];
    for (const [input, expected, words] of cases) {
      await page.fill("#link", input);
      await page.click("#collect");
      await page.locator(`#result[data-state="${expected}"]`).waitFor({ timeout: 30_000 });
      const { text } = await result(page);
      expect(text, expected).to.contain(words);
      expect(text).to.not.match(/at \w+ \(|Error: /); // a message, never a stack trace
      if (expected === "wrong-key") await screenshot(page, "wrong-key");
    }
    expect(await page.locator("#bills li[data-bill-id]").count()).to.equal(0);
  });

  it("the service's database and logs hold no patient name, id or item", async function () {
    const logs = service!.stderr();
    await service!.kill("SIGTERM");
    expect(logs).to.contain("delivery"); // it did log its work
    const secrets = [pickupBill, cardBill].flatMap((bill) => [bill.patientName, bill.patientId, bill.items[0].name]);
    expect(findSecrets({ dataDir, logs }, secrets)).to.deep.equal([]);
  });
});
