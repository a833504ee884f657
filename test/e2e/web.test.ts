/**
 * The bill verification page (web/), built with Vite and driven in Chromium (test/e2e/web/browser.ts) against
 * a real `hardhat node`: one bill in each state, each checked the way a person would (QR photo, pasted URI, dropped
 * file), asserting what the page shows in Chinese and English and saving a screenshot to test-output/web/<state>.png.
 *
 * Never skipped: the Chromium comes with npm (`@sparticuz/chromium`), or from `MEDBILL_CHROMIUM`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { getAddress } from "ethers";
import QRCode from "qrcode";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort, startHardhatNode, type LocalNode } from "../../scripts/lib/node";
import { buildPageFont } from "../../web/build/page-font";
import { isCjk, nonAsciiCharacters, pageSources } from "../../web/build/glyphs";
import { launchBrowser } from "./web/browser";
import { setUpLedger, type WebTestLedger } from "./web/chain";
import {
  PAGE_FONT_FAMILY,
  loadedPageFontWeights,
  missingCjk,
  shippedFont,
  shownText,
  type ShippedFontFile,
} from "./web/font";
import { servePage, type PageServer } from "./web/server";

const ROOT = path.resolve(__dirname, "..", "..");
const OUT = path.join(ROOT, "test-output", "web");
const DIST = path.join(OUT, "dist");
const DESKTOP = { width: 1000, height: 900 };
const PHONE = { width: 390, height: 844 };
const TIME_ZONE = "Asia/Shanghai";

/** Builds web/ into `outDir` with the project's Vite config, failing with Vite's output if the build fails. */
async function buildPage(outDir: string): Promise<void> {
  const viteBin = path.join(path.dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  const args = [viteBin, "build", "--config", "web/vite.config.mts", "--outDir", outDir, "--emptyOutDir"];
  const child = spawn(process.execPath, [...args, "--logLevel", "warn"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`vite build of web/ failed (exit ${code}):\n${output}`);
}

/** `YYYY-MM-DD HH:mm` of a block time as the page shows it (in the browser's time zone). */
function stamp(at: Date): string {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

describe("web: the bill verification page in Chromium", function () {
  this.timeout(180_000);

  let node: LocalNode | undefined;
  let server: PageServer | undefined;
  let deadNodeServer: PageServer | undefined;
  let browser: Browser | undefined;
  let ledger: WebTestLedger;
  let deadRpcUrl: string;
  let font: ShippedFontFile[];
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    fs.mkdirSync(OUT, { recursive: true });
    // Started together; whatever did start is kept for after() to stop even if something else failed.
    const [started, launched, built] = await Promise.allSettled([startHardhatNode(), launchBrowser(), buildPage(DIST)]);
    if (started.status === "fulfilled") node = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    for (const outcome of [started, launched, built]) if (outcome.status === "rejected") throw outcome.reason;
    if (!node) throw new Error("the hardhat node did not start");
    font = await shippedFont(DIST);
    ledger = await setUpLedger(node.url);
    const config = { rpcUrl: node.url, chainId: Number(ledger.chainId), registry: ledger.registry };
    server = await servePage(DIST, () => config);
    // A page whose node is gone: the RPC URL points at a port nothing listens on.
    deadRpcUrl = `http://127.0.0.1:${await freePort()}`;
    deadNodeServer = await servePage(DIST, () => ({ ...config, rpcUrl: deadRpcUrl }));
  });

  after(async function () {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.close();
    await deadNodeServer?.close();
    await node?.stop();
  });

  afterEach(function () {
    expect(pageErrors, "uncaught errors in the page").to.deep.equal([]);
  });

  /** Opens the page in a fresh browser context (own storage), ready for input. */
  async function openPage(
    options: { viewport?: { width: number; height: number }; pageServer?: PageServer; hash?: string } = {},
  ): Promise<Page> {
    if (!browser || !server) throw new Error("the browser or the page server did not start");
    const phone = options.viewport === PHONE;
    const context = await browser.newContext({
      viewport: options.viewport ?? DESKTOP,
      deviceScaleFactor: phone ? 2 : 1,
      isMobile: phone,
      hasTouch: phone,
      timezoneId: TIME_ZONE,
      locale: "zh-CN",
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto((options.pageServer ?? server).url + (options.hash ?? ""));
    await page.waitForSelector("body[data-ready=true]");
    return page;
  }

  /** Waits until the page shows a result (not "checking…") and returns its state and visible text. */
  async function result(page: Page): Promise<{ state: string; text: string }> {
    await page.locator('#result[data-state]:not([data-state="checking"])').waitFor({ timeout: 30_000 });
    const section = page.locator("#result");
    return { state: (await section.getAttribute("data-state")) ?? "", text: await section.innerText() };
  }

  async function field(page: Page, testid: string): Promise<string> {
    return page.locator(`#result [data-testid="${testid}"]`).innerText();
  }

  async function pasteUri(page: Page, uri: string): Promise<void> {
    await page.fill("#uri", uri);
    await page.click("#verify");
  }

  /**
   * Saves a screenshot, after checking that the page drew its text in its own font: the font loaded, and it has a
   * glyph for every CJK character the page shows (the browser sees no other CJK font: test/e2e/web/browser.ts).
   */
  async function screenshot(page: Page, state: string): Promise<void> {
    expect(await loadedPageFontWeights(page), `${PAGE_FONT_FAMILY} loaded`).to.include("400");
    const text = await shownText(page);
    expect([...text].some(isCjk), "the page shows Chinese").to.equal(true);
    expect(missingCjk(text, font[0]), `characters shown that ${path.basename(font[0].file)} lacks`).to.deep.equal([]);
    const file = path.join(OUT, `${state}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size, file).to.be.greaterThan(10_000);
  }

  it("font: the page ships its own font, regular and bold, with every character of web/ and consortium/", async function () {
    expect(font.map((file) => file.weight)).to.deep.equal([400, 700]);
    const nonAscii = nonAsciiCharacters(pageSources(ROOT));
    const used = nonAscii.filter(isCjk);
    expect(used, "CJK characters found in web/").to.include.members(["真", "实", "票", "据", "杭", "州"]);
    expect(nonAscii, "symbols found in web/").to.include.members(["✓", "×", "¥"]);
    for (const file of font) {
      expect(missingCjk(used.join(""), file), path.basename(file.file)).to.deep.equal([]);
      // Nothing is left to the browser's fonts either (a bare machine has none): e.g. ✗ (U+2717) is in no shipped font.
      const lacking = nonAscii.filter((char) => !file.covered.has(char.codePointAt(0) ?? 0));
      expect(lacking, `symbols ${path.basename(file.file)} lacks`).to.deep.equal([]);
      expect(fs.statSync(file.file).size, "a subset, not the whole font").to.be.below(400_000);
    }
    const html = fs.readFileSync(path.join(DIST, "index.html"), "utf8");
    for (const file of font) expect(html).to.contain(`./assets/${path.basename(file.file)}`);
  });

  it("font: a CJK character used in web/ that the font lacks fails the build, naming it", async function () {
    const rare = String.fromCodePoint(0x2a6d6); // CJK Extension B: not in Noto Sans SC
    await expect(buildPageFont(ROOT, ["票", rare])).to.be.rejectedWith(/has no glyph for .*U\+2A6D6/);
  });

  it("genuine: a photo of the QR code is read in the page and the bill is shown as genuine", async function () {
    const page = await openPage();
    const qrFile = path.join(OUT, "genuine-qr.png");
    await QRCode.toFile(qrFile, ledger.genuine.uri, { margin: 4, width: 360 });
    await page.setInputFiles("#upload-qr", qrFile);

    const { state, text } = await result(page);
    expect(state).to.equal("genuine");
    expect(text).to.contain("真实票据").and.contain("Genuine bill");
    expect(await field(page, "hospital"))
      .to.contain("杭州市第一人民医院")
      .and.contain("Hangzhou First People's Hospital");
    expect(await field(page, "amount")).to.equal("¥1,288.50");
    expect(await field(page, "reimbursed")).to.equal("¥0.00");
    expect(await field(page, "remaining")).to.equal("¥1,288.50");
    expect(await field(page, "status"))
      .to.contain("已开具，未报销")
      .and.contain("Issued, not reimbursed");
    expect(await field(page, "billId")).to.equal(ledger.genuine.billId);
    expect(await field(page, "payers"))
      .to.contain("尚无报销")
      .and.contain("No reimbursement yet");
    expect(await page.locator("#result ol.history li").count()).to.equal(1);
    expect(await page.inputValue("#uri"), "the URI read from the QR code").to.equal(ledger.genuine.uri);
    await screenshot(page, "genuine");
  });

  it("partly reimbursed: a pasted URI shows who paid what, what is left, and the dated history", async function () {
    const page = await openPage();
    await pasteUri(page, ledger.partlyReimbursed.uri);

    const { state, text } = await result(page);
    expect(state).to.equal("genuine");
    expect(text).to.contain("真实票据").and.contain("Genuine bill");
    expect(await field(page, "hospital"))
      .to.contain("台州市中心医院")
      .and.contain("Taizhou Central Hospital");
    expect(await field(page, "amount")).to.equal("¥3,600.00");
    expect(await field(page, "reimbursed")).to.equal("¥3,020.00");
    expect(await field(page, "remaining")).to.equal("¥580.00");
    expect(await field(page, "status"))
      .to.contain("部分报销")
      .and.contain("Partly reimbursed");
    const payers = await page.locator("#result ul.payers li").allInnerTexts();
    expect(payers).to.have.length(2);
    expect(payers[0]).to.contain("浙江省社会保险基金").and.contain("Zhejiang Provincial Social Security Fund");
    expect(payers[0]).to.contain("¥2,520.00");
    expect(payers[1]).to.contain("西湖商业健康保险").and.contain("Xihu Commercial Health Insurance");
    expect(payers[1]).to.contain("¥500.00");
    const history = await page.locator("#result ol.history li").allInnerTexts();
    expect(history).to.have.length(3);
    expect(history[0]).to.contain("开具").and.contain("Issued").and.contain("¥3,600.00");
    expect(history[1]).to.contain("报销").and.contain("浙江省社会保险基金");
    expect(history[2]).to.contain("报销").and.contain("西湖商业健康保险");
    expect(history[0]).to.contain(stamp(ledger.partlyReimbursed.issuedAt));
    for (const entry of history) expect(entry).to.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await field(page, "issuedAt")).to.equal(stamp(ledger.partlyReimbursed.issuedAt));
    await screenshot(page, "partly-reimbursed");
  });

  it("bill file: a genuine bill's JSON is hashed in the page, and nothing of it is sent anywhere", async function () {
    const page = await openPage();
    const bodies: string[] = [];
    page.on("request", (request) => bodies.push(`${request.url()} ${request.postData() ?? ""}`));
    const file = path.join(OUT, "genuine-bill.json");
    fs.writeFileSync(file, JSON.stringify(ledger.genuine.json, null, 2));
    await page.setInputFiles("#choose-file", file);

    const { state } = await result(page);
    expect(state).to.equal("genuine");
    expect(await field(page, "billId")).to.equal(ledger.genuine.billId);
    expect(bodies.length, "the page read the ledger").to.be.greaterThan(0);
    for (const secret of [ledger.genuine.document.patientName, ledger.genuine.document.patientId, "CT 检查"]) {
      expect(bodies.join("\n"), `"${secret}" left the page`).not.to.contain(secret);
      expect(bodies.join("\n")).not.to.contain(encodeURIComponent(secret));
    }
    await screenshot(page, "bill-file");
  });

  it("tampered: a dropped bill file whose amounts were altered is flagged as tampered", async function () {
    const page = await openPage();
    const forged = structuredClone(ledger.genuine.json);
    forged.items[0].unitPrice = "98000"; // CT scan: 680.00 → 980.00 yuan
    forged.total = "158850";
    // What a drag and drop of the file hands the page (evaluated in the browser, hence a string).
    const dataTransfer = await page.evaluateHandle(
      `(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([${JSON.stringify(JSON.stringify(forged))}], "bill-0000123456.json", { type: "application/json" }));
        return transfer;
      })()`,
    );
    await page.dispatchEvent("#drop", "drop", { dataTransfer });

    const { state, text } = await result(page);
    expect(state).to.equal("tampered");
    expect(text).to.contain("票据内容被篡改").and.contain("Tampered bill");
    expect(text).to.contain("Do not pay it");
    // What the ledger recorded, not what the forged file claims.
    expect(await field(page, "amount")).to.equal("¥1,288.50");
    expect(await field(page, "fileTotal"))
      .to.contain("¥1,588.50")
      .and.contain("与账本不符")
      .and.contain("differs");
    expect(await field(page, "billId")).to.equal(ledger.genuine.billId);
    expect(await page.locator(".verdict").getAttribute("class")).to.equal("verdict tampered");
    await screenshot(page, "tampered");
  });

  it("voided: the bill is shown as voided with its replacement, which can be verified in one click", async function () {
    const page = await openPage();
    await pasteUri(page, ledger.voided.uri);

    const { state, text } = await result(page);
    expect(state).to.equal("voided");
    expect(text).to.contain("票据已作废").and.contain("Voided bill");
    expect(await field(page, "hospital")).to.contain("金华市中心医院");
    expect(await field(page, "amount")).to.equal("¥50.00");
    expect(await field(page, "remaining")).to.equal("¥0.00");
    expect(await field(page, "status"))
      .to.contain("已作废")
      .and.contain("Voided");
    expect(await field(page, "replacement"))
      .to.contain("替换票据")
      .and.contain(ledger.replacement.billId);
    const history = await page.locator("#result ol.history li").allInnerTexts();
    expect(history.map((entry) => entry.split(" ")[0])).to.deep.equal(["开具", "作废"]);
    expect(history[1]).to.contain("WRONG-ITEMS");
    await screenshot(page, "voided");

    await page.click('[data-testid="verify-replacement"]');
    await page.locator('#result [data-testid="billId"]', { hasText: ledger.replacement.billId }).waitFor();
    const replaced = await result(page);
    expect(replaced.state).to.equal("genuine");
    expect(await field(page, "amount")).to.equal("¥75.00");
    expect(await page.inputValue("#uri")).to.equal(ledger.replacement.uri);
    await screenshot(page, "voided-replacement");
  });

  it("unknown: a well-formed URI for a bill never issued is reported as unknown", async function () {
    const page = await openPage();
    const unknownId = `0x${"ab".repeat(32)}`;
    await pasteUri(page, ledger.genuine.uri.replace(ledger.genuine.billId, unknownId));

    const { state, text } = await result(page);
    expect(state).to.equal("unknown");
    expect(text).to.contain("未找到该票据").and.contain("Unknown bill");
    expect(await field(page, "billId")).to.equal(unknownId);
    expect(await page.locator('#result [data-testid="hospital"]').count()).to.equal(0);
    await screenshot(page, "unknown");
  });

  it("malformed URI: the page says what is wrong with it and reads nothing", async function () {
    const page = await openPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await pasteUri(page, "medbill:31337/0x1234/0xabc?h=0x00");

    const { state, text } = await result(page);
    expect(state).to.equal("malformed-uri");
    expect(text).to.contain("无法识别的票据链接").and.contain("Not a valid bill URI");
    expect(await field(page, "detail")).to.contain("registry address has 4 hex digits, expected 40");
    expect(
      requests.filter((url) => url.startsWith(node!.url)),
      "requests to the node",
    ).to.deep.equal([]);
    await screenshot(page, "malformed-uri");
  });

  it("wrong registry: a URI naming a registry other than the consortium's is refused", async function () {
    const page = await openPage();
    const other = getAddress(`0x${"c0ffee".repeat(7).slice(0, 40)}`);
    expect(other).not.to.equal(ledger.registry);
    await pasteUri(page, ledger.genuine.uri.replace(ledger.registry, other));

    const { state, text } = await result(page);
    expect(state).to.equal("wrong-registry");
    expect(text).to.contain("票据不属于本联盟的账本").and.contain("not from this consortium's registry");
    expect(await field(page, "detail"))
      .to.contain(other)
      .and.contain(ledger.registry);
    await screenshot(page, "wrong-registry");
  });

  it("unreachable node: the page says the ledger node cannot be reached, naming it", async function () {
    const page = await openPage({ pageServer: deadNodeServer });
    await pasteUri(page, ledger.genuine.uri);

    const { state, text } = await result(page);
    expect(state).to.equal("unreachable");
    expect(text).to.contain("无法连接区块链节点").and.contain("Cannot reach the ledger node");
    expect(await field(page, "detail")).to.contain(deadRpcUrl);
    expect(text).not.to.contain("真实票据");
    await screenshot(page, "unreachable-node");
  });

  it("phone: a 390×844 screen shows the partly reimbursed bill without sideways scrolling", async function () {
    const page = await openPage({ viewport: PHONE, hash: `#${ledger.partlyReimbursed.uri}` });

    const { state } = await result(page);
    expect(state).to.equal("genuine");
    expect(await field(page, "remaining")).to.equal("¥580.00");
    // Evaluated in the browser (hence strings): the page's width against the screen's.
    const widths = {
      content: Number(await page.evaluate("document.documentElement.scrollWidth")),
      viewport: Number(await page.evaluate("window.innerWidth")),
    };
    expect(widths.viewport).to.equal(PHONE.width);
    expect(widths.content, "page wider than the phone's screen").to.be.at.most(widths.viewport);
    const verdictBox = await page.locator(".verdict").boundingBox();
    expect(verdictBox?.width).to.be.at.most(PHONE.width);
    await screenshot(page, "phone-partly-reimbursed");
  });
});
