/**
 * Rules every tool shares, each written once in the SDK (docs/DESIGN.md, "One implementation per rule"): Ignition's
 * record honouring MEDBILL_DEPLOYMENT_ID, bytes32 text, the fixed constants.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { encodeBytes32String, id } from "ethers";
import {
  LOCAL_CHAIN_IDS,
  MAX_AMOUNT,
  MAX_BATCH_SIZE,
  MAX_TX_GAS,
  bytes32Text,
  isLocalChain,
  toBytes32,
} from "../../src";
import {
  IGNITION_KEY,
  ignitionAddressesFile,
  ignitionDeploymentId,
  readIgnitionAddress,
  readIgnitionAddressSync,
} from "../../src/node";

describe("shared rules", function () {
  describe("Ignition's record", function () {
    let project = "";
    const saved = process.env.MEDBILL_DEPLOYMENT_ID;
    before(function () {
      project = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-record-"));
    });
    after(function () {
      fs.rmSync(project, { recursive: true, force: true });
      if (saved === undefined) delete process.env.MEDBILL_DEPLOYMENT_ID;
      else process.env.MEDBILL_DEPLOYMENT_ID = saved;
    });

    function record(deploymentId: string, address: string): void {
      const file = path.join(project, "ignition", "deployments", deploymentId, "deployed_addresses.json");
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ [IGNITION_KEY]: address }));
    }

    it("reads chain-<id> by default and MEDBILL_DEPLOYMENT_ID's deployment when set", async function () {
      const [a, b] = ["0x" + "aa".repeat(20), "0x" + "bb".repeat(20)];
      record("chain-4242", a);
      record("staging", b);
      delete process.env.MEDBILL_DEPLOYMENT_ID;
      expect(ignitionDeploymentId(4242)).to.equal("chain-4242");
      expect(await readIgnitionAddress(project, 4242n)).to.equal(a);
      expect(readIgnitionAddressSync(project, 4242)).to.equal(a);
      process.env.MEDBILL_DEPLOYMENT_ID = "staging";
      expect(ignitionDeploymentId(4242)).to.equal("staging");
      expect(ignitionAddressesFile(project, 4242)).to.equal(
        path.join(project, "ignition", "deployments", "staging", "deployed_addresses.json"),
      );
      expect(await readIgnitionAddress(project, 4242n)).to.equal(b);
      expect(readIgnitionAddressSync(project, 4242)).to.equal(b);
      process.env.MEDBILL_DEPLOYMENT_ID = "nothing-here";
      expect(await readIgnitionAddress(project, 4242n)).to.equal(undefined);
      expect(ignitionDeploymentId(1, { MEDBILL_DEPLOYMENT_ID: " " })).to.equal("chain-1");
    });

    it("names a record that is not JSON", async function () {
      const file = ignitionAddressesFile(project, 7, "broken");
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, "{");
      let message = "";
      await readIgnitionAddress(project, 7, "broken").catch((e: Error) => (message = e.message));
      expect(message).to.match(/Ignition's record .*broken.*deployed_addresses\.json is not valid JSON/);
    });
  });

  describe("bytes32Text", function () {
    it("reads back short text packed by toBytes32, and nothing else", function () {
      expect(bytes32Text(toBytes32("WRONG-AMOUNT"))).to.equal("WRONG-AMOUNT");
      expect(bytes32Text(encodeBytes32String("理赔-7"))).to.equal("理赔-7");
      expect(bytes32Text(id("a hash"))).to.equal(undefined);
      expect(bytes32Text("0x" + "00".repeat(32))).to.equal(undefined);
      expect(bytes32Text(encodeBytes32String("\u0001\u0002"))).to.equal(undefined);
      expect(bytes32Text("not hex")).to.equal(undefined);
    });
  });

  describe("constants", function () {
    it("match the contract and the network", async function () {
      const registry = await (
        await ethers.getContractFactory("BillRegistry")
      ).deploy(0, (await ethers.getSigners())[0]);
      expect(await registry.MAX_AMOUNT()).to.equal(MAX_AMOUNT);
      expect(await registry.MAX_BATCH_SIZE()).to.equal(BigInt(MAX_BATCH_SIZE));
      expect(MAX_TX_GAS).to.equal(2n ** 24n);
      expect(LOCAL_CHAIN_IDS).to.deep.equal([31337n, 1337n]);
      expect(isLocalChain(31337)).to.equal(true);
      expect(isLocalChain(1n)).to.equal(false);
    });
  });
});
