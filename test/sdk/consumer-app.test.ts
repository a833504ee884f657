/**
 * The SDK as another application sees it: packs the package (`npm pack`, which builds it), installs the tarball into
 * a temporary copy of examples/consumer-app, checks that only runtime dependencies came with it, type-checks the app
 * with `tsc`, and runs it against a `hardhat node` started on a free port, with a registry deployed and a bill issued.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { HDNodeWallet, JsonRpcProvider, Mnemonic } from "ethers";
import { MedBillClient, billToJson, decodeBillUri, encodeBillUri } from "../../src";
import { BillRegistry__factory } from "../../typechain-types/factories/contracts/BillRegistry__factory";
import { freePort, startHardhatNode, type LocalNode } from "../../scripts/lib/node";
import { DEV_MNEMONIC } from "../../src/node";
import { sampleBill } from "./fixture";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const APP = path.join(ROOT, "examples", "consumer-app");
const RUNTIME = ["ethers", "qrcode", "zod"];
/** Development tools that must never come with the package. */
const DEV_TOOLS = [/^hardhat/, /^@nomicfoundation\//, /^typescript$/, /^ts-node$/, /^typechain$/, /^@typechain\//];
const DEV_TOOLS_TOO = [/^solc$/, /^mocha$/, /^chai$/, /^eslint/, /^prettier/, /^vite$/, /^jsqr$/];

/** Every package directory under `dir/node_modules`, nested ones included, as [name, directory]. */
function installed(dir: string): [string, string][] {
  const out: [string, string][] = [];
  const nm = path.join(dir, "node_modules");
  if (!fs.existsSync(nm)) return out;
  for (const entry of fs.readdirSync(nm)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@") ? fs.readdirSync(path.join(nm, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      const pkgDir = path.join(nm, name);
      if (!fs.existsSync(path.join(pkgDir, "package.json"))) continue;
      out.push([name, pkgDir], ...installed(pkgDir));
    }
  }
  return out;
}

/** The packages reachable from `roots` through `dependencies` (and optional ones), resolved as Node would. */
function reachable(appDir: string, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const find = (from: string, name: string): string | undefined => {
    for (let dir = from; dir.startsWith(appDir); dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", name);
      if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
      if (dir === appDir) break;
    }
    return undefined;
  };
  const visit = (from: string, name: string): void => {
    const dir = find(from, name);
    if (dir === undefined || seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dir, dep);
  };
  for (const root of roots) visit(appDir, root);
  return seen;
}

describe("consumer app (examples/consumer-app) with the packed package", function () {
  this.timeout(240_000);
  let work: string;
  let node: LocalNode | undefined;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-consumer-"));
  });

  after(async () => {
    await node?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("packs, installs only runtime dependencies, type-checks, and prints the verdict against a hardhat node", async () => {
    // 1. Pack (prepack builds dist/ with declarations). Only dist, README and package.json go in.
    const packed = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: ROOT, maxBuffer: 64 << 20 });
    const [{ filename, files }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = path.join(work, filename);
    const paths = files.map((f) => f.path);
    expect(paths).to.include.members([
      "package.json",
      "README.md",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/node.js",
    ]);
    for (const p of paths)
      expect(p, p).to.match(/^(package\.json|README\.md|LICENSE|dist\/(src|typechain-types)\/.+\.(js|d\.ts))$/);
    expect(paths.some((p) => p.includes("hardhat.d.ts"))).to.equal(false);

    // 2. A temporary copy of the app; its dev tools (tsc, @types/node) are the repository's own.
    const app = path.join(work, "app");
    fs.cpSync(APP, app, {
      recursive: true,
      filter: (src) => !/node_modules|dist|package-lock/.test(path.relative(APP, src)),
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8"));
    delete manifest.devDependencies;
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify(manifest, null, 2));
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--omit=dev", tarball], {
      cwd: app,
      maxBuffer: 64 << 20,
    });

    // 3. Nothing but the runtime dependencies (and theirs) came in.
    const medbill = JSON.parse(fs.readFileSync(path.join(app, "node_modules", "medbill", "package.json"), "utf8"));
    expect(Object.keys(medbill.dependencies).sort()).to.deep.equal(RUNTIME);
    const all = installed(app);
    for (const [name] of all) {
      for (const tool of [...DEV_TOOLS, ...DEV_TOOLS_TOO]) expect(name, `${name} was installed`).to.not.match(tool);
    }
    const needed = reachable(app, ["medbill", "ethers"]);
    const extra = all.filter(([, dir]) => !needed.has(dir)).map(([name]) => name);
    expect(extra, `installed but not needed at run time: ${extra.join(", ")}`).to.deep.equal([]);

    // 4. Type-check and build the app with tsc against the installed declarations.
    // (ethers depends on @types/node at run time; when it did not bring one, the repository's stands in.)
    const typesNode = path.join(app, "node_modules", "@types", "node");
    if (!fs.existsSync(typesNode)) {
      fs.mkdirSync(path.dirname(typesNode), { recursive: true });
      fs.symlinkSync(path.join(ROOT, "node_modules", "@types", "node"), typesNode);
    }
    await run(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], {
      cwd: app,
    });

    // 5. A node, a registry and bills.
    node = await startHardhatNode({ cwd: ROOT });
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
    const wallet = (i: number) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`).connect(provider);
    const [admin, hospital] = [wallet(0), wallet(1)];
    const registry = await new BillRegistry__factory(admin).deploy(86_400, admin.address);
    await registry.waitForDeployment();
    const address = await registry.getAddress();
    await (await MedBillClient.connect(address, admin)).grantRole("issuer", hospital.address);
    const issuer = await MedBillClient.connect(address, hospital, { chainId: 31337 });
    const bill = sampleBill(1);
    const { uri } = await issuer.issue(bill);
    // The pipelined bulk path over HTTP, with a wallet that signs locally.
    const many = await issuer.issueMany(
      Array.from({ length: 650 }, (_, i) => sampleBill(100 + i)),
      { inFlight: 4 },
    );
    expect(many.issued).to.equal(650);
    const billFile = path.join(work, "bill.json");
    fs.writeFileSync(billFile, JSON.stringify(billToJson(bill)));

    // 6. The app, as a user would run it.
    const main = path.join(app, "dist", "main.js");
    const genuine = await run(process.execPath, [main, node.url, uri, billFile]);
    expect(genuine.stdout).to.match(/^verdict: genuine$/m);
    expect(genuine.stdout).to.match(/amount: ¥366\.50, reimbursed ¥0\.00/);
    const forged = encodeBillUri({ ...decodeBillUri(uri), contentHash: "0x" + "ee".repeat(32) });
    const tampered = await run(process.execPath, [main, node.url, forged]).catch(
      (e) => e as { code: number; stdout: string },
    );
    expect(tampered).to.deep.include({ code: 1 });
    expect(tampered.stdout).to.match(/^verdict: tampered$/m);
    const down = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await run(process.execPath, [main, down, uri]).catch(
      (e) => e as { code: number; stderr: string },
    );
    expect(unreachable).to.deep.include({ code: 2 });
    expect(unreachable.stderr).to.match(/NodeUnreachableError/);
    provider.destroy();
  });
});
