import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { builtinModules } from "node:module";
import ts from "typescript";
import { ethers } from "hardhat";
import * as sdk from "../../src";
import { IGNITION_KEY, ignitionAddressesFile, ignitionResolver, readIgnitionAddress } from "../../src/node";
import { registryFixture, rejection } from "./fixture";

const ROOT = path.resolve(__dirname, "..", "..");

/** Type-checks one file against the SDK's sources, "medbill" and "medbill/node" mapped to src/. */
function typeCheck(file: string): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    baseUrl: ROOT,
    paths: { medbill: ["src/index.ts"], "medbill/node": ["src/node.ts"] },
  };
  const program = ts.createProgram([file], options);
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? path.relative(ROOT, d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
}

describe("the medbill package", () => {
  it("exports the names other apps import", () => {
    for (const name of [
      "MedBillClient",
      "hashBill",
      "toBillInput",
      "patientRef",
      "billIdOf",
      "encodeBillUri",
      "decodeBillUri",
      "MedBillError",
      "formatYuan",
      "parseYuan",
      "billQr",
      "parseBill",
      "parseBillRow",
      "billRowToInput",
      "deriveBillSalt",
      "sealBill",
      "openBill",
      "encodePickupUrl",
      "decodePickupUrl",
      "createPatientCard",
      "deliverBill",
      "collectPickup",
    ]) {
      expect((sdk as Record<string, unknown>)[name], name).to.not.equal(undefined);
    }
  });

  it("the README's 'Use it from your app' example compiles", function () {
    this.timeout(120_000);
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Use it from your app"));
    const match = /```ts\n([\s\S]*?)```/.exec(section);
    expect(match, "a ```ts block in the section").to.not.equal(null);
    const dir = path.join(ROOT, "test-output");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "readme-example.ts");
    fs.writeFileSync(file, match![1]);
    expect(typeCheck(file)).to.deep.equal([]);
  });

  it("the main entry reaches no Node built-in (it bundles for browsers)", () => {
    const seen = new Set<string>();
    const builtins = new Set(builtinModules);
    const offending: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
      for (const { fileName } of importedFiles) {
        if (fileName.startsWith(".")) {
          const base = path.resolve(path.dirname(file), fileName);
          const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
          expect(target, `${fileName} from ${file}`).to.not.equal(undefined);
          visit(target!);
        } else if (
          fileName.startsWith("node:") ||
          builtins.has(fileName) ||
          /^hardhat|^@nomicfoundation/.test(fileName)
        ) {
          offending.push(`${path.relative(ROOT, file)} imports ${fileName}`);
        }
      }
    };
    visit(path.join(ROOT, "src", "index.ts"));
    expect(seen.size).to.be.greaterThan(5);
    expect(offending).to.deep.equal([]);
  });

  it("every export, and every public member of its classes and interfaces, has TSDoc", function () {
    this.timeout(120_000);
    const entries = ["index.ts", "node.ts"].map((f) => path.join(ROOT, "src", f));
    const program = ts.createProgram(entries, { strict: true, skipLibCheck: true, types: ["node"] });
    const checker = program.getTypeChecker();
    const generated = (d: ts.Declaration) => /typechain-types|node_modules/.test(d.getSourceFile().fileName);
    const undocumented: string[] = [];
    let checked = 0;
    for (const entry of entries) {
      const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!);
      for (const exported of exports) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const declaration = symbol.declarations?.[0];
        if (!declaration || generated(declaration)) continue; // TypeChain's output is re-exported as generated
        checked++;
        if (symbol.getDocumentationComment(checker).length === 0) undocumented.push(exported.name);
        if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
        for (const member of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
          const md = member.declarations?.[0];
          if (!md || generated(md) || ts.getCombinedModifierFlags(md) & ts.ModifierFlags.Private) continue;
          if (member.getDocumentationComment(checker).length === 0)
            undocumented.push(`${exported.name}.${member.name}`);
        }
      }
    }
    expect(checked).to.be.greaterThan(100);
    expect(undocumented).to.deep.equal([]);
  });

  it("its public declarations use no `any`", function () {
    this.timeout(120_000);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-dts-"));
    try {
      const program = ts.createProgram([path.join(ROOT, "src", "index.ts"), path.join(ROOT, "src", "node.ts")], {
        declaration: true,
        emitDeclarationOnly: true,
        outDir: out,
        rootDir: ROOT,
        strict: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        types: ["node"],
        removeComments: true,
      });
      program.emit();
      const dts = fs.readdirSync(path.join(out, "src")).filter((f) => f.endsWith(".d.ts"));
      expect(dts).to.include("index.d.ts");
      for (const f of dts) {
        const text = fs.readFileSync(path.join(out, "src", f), "utf8");
        expect(text, f).to.not.match(/\bany\b/);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("medbill/node", () => {
  it("ignitionResolver finds the registry in Ignition's record for the node's chain", async () => {
    const f = await registryFixture();
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-ignition-"));
    try {
      expect(ignitionAddressesFile(project, 31337n)).to.equal(
        path.join(project, "ignition", "deployments", "chain-31337", "deployed_addresses.json"),
      );
      expect(await readIgnitionAddress(project, 31337)).to.equal(undefined);
      const missing = await rejection(sdk.MedBillClient.connect(ignitionResolver(project), ethers.provider));
      expect(missing).to.be.instanceOf(sdk.NoContractError);
      fs.mkdirSync(path.dirname(ignitionAddressesFile(project, 31337)), { recursive: true });
      fs.writeFileSync(
        ignitionAddressesFile(project, 31337),
        JSON.stringify({ [IGNITION_KEY]: f.address, "Other#X": "0x0" }),
      );
      const client = await sdk.MedBillClient.connect(ignitionResolver(project), ethers.provider);
      expect(client.address).to.equal(f.address);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
