import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Interface } from "ethers";
import {
  IAccessControlDefaultAdminRules__factory,
  IAccessControl__factory,
  IBillRegistry__factory,
  IERC165__factory,
} from "../../typechain-types";
import {
  ADMIN_DELAY,
  BillStatus,
  ZERO_HASH,
  billIdOf,
  deployRegistryFixture,
  issuedBillFixture,
  makeBill,
  readBill,
} from "./fixtures";

/** ERC-165 interface id: the XOR of the selectors of every function in `iface`. */
function interfaceIdOf(iface: Interface): string {
  let id = 0n;
  iface.forEachFunction((fn) => {
    id ^= BigInt(fn.selector);
  });
  return ethers.toBeHex(id, 4);
}

/** XOR of two 4-byte ids. */
function xorId(a: string, b: string): string {
  return ethers.toBeHex(BigInt(a) ^ BigInt(b), 4);
}

describe("BillRegistry.views", function () {
  describe("getBill", function () {
    it("returns an empty bill with status None for an unknown id", async function () {
      const { registry, hospitalA } = await loadFixture(issuedBillFixture);
      const unknown = billIdOf(hospitalA.address, ethers.id("never issued"));
      expect(await readBill(registry, unknown)).to.deep.equal({
        issuer: ethers.ZeroAddress,
        status: BillStatus.None,
        amount: 0n,
        reimbursed: 0n,
        contentHash: ZERO_HASH,
      });
      expect((await readBill(registry, ZERO_HASH)).status).to.equal(BillStatus.None);
    });

    it("returns the stored bill in every status", async function () {
      const { registry, hospitalA, socialSecurity, insurer, billId, bill } = await loadFixture(issuedBillFixture);
      const expected = {
        issuer: hospitalA.address,
        status: BillStatus.Issued,
        amount: bill.amount,
        reimbursed: 0n,
        contentHash: bill.contentHash,
      };
      expect(await readBill(registry, billId)).to.deep.equal(expected);
      await registry.connect(socialSecurity).reimburse(billId, 45n, ethers.id("c1"));
      expect(await readBill(registry, billId)).to.deep.equal({
        ...expected,
        status: BillStatus.PartiallyReimbursed,
        reimbursed: 45n,
      });
      await registry.connect(insurer).reimburse(billId, bill.amount - 45n, ethers.id("c2"));
      expect(await readBill(registry, billId)).to.deep.equal({
        ...expected,
        status: BillStatus.Reimbursed,
        reimbursed: bill.amount,
      });
    });
  });

  describe("reimbursedBy", function () {
    it("is zero for an unknown bill, a non-payer and before payment; the amount paid after", async function () {
      const { registry, hospitalA, socialSecurity, insurer, billId } = await loadFixture(issuedBillFixture);
      expect(await registry.reimbursedBy(ethers.id("unknown"), socialSecurity.address)).to.equal(0n);
      expect(await registry.reimbursedBy(billId, socialSecurity.address)).to.equal(0n);
      await registry.connect(socialSecurity).reimburse(billId, 777n, ethers.id("c"));
      expect(await registry.reimbursedBy(billId, socialSecurity.address)).to.equal(777n);
      expect(await registry.reimbursedBy(billId, insurer.address)).to.equal(0n);
      expect(await registry.reimbursedBy(billId, hospitalA.address)).to.equal(0n);
    });
  });

  describe("verify", function () {
    it("is false for an unknown bill, even with a zero hash", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.verify(ethers.id("unknown"), ethers.id("doc"))).to.equal(false);
      expect(await registry.verify(ethers.id("unknown"), ZERO_HASH)).to.equal(false);
      expect(await registry.verify(ZERO_HASH, ZERO_HASH)).to.equal(false);
    });

    it("Issued: true for the right hash, false for another hash and for the zero hash", async function () {
      const { registry, billId, bill } = await loadFixture(issuedBillFixture);
      expect(await registry.verify(billId, bill.contentHash)).to.equal(true);
      expect(await registry.verify(billId, ethers.id("tampered"))).to.equal(false);
      expect(await registry.verify(billId, ZERO_HASH)).to.equal(false);
    });

    it("PartiallyReimbursed and Reimbursed: still true for the right hash only", async function () {
      const { registry, socialSecurity, insurer, billId, bill } = await loadFixture(issuedBillFixture);
      await registry.connect(socialSecurity).reimburse(billId, 1n, ethers.id("c1"));
      expect(await registry.verify(billId, bill.contentHash)).to.equal(true);
      expect(await registry.verify(billId, ethers.id("tampered"))).to.equal(false);
      expect(await registry.verify(billId, ZERO_HASH)).to.equal(false);
      await registry.connect(insurer).reimburse(billId, bill.amount - 1n, ethers.id("c2"));
      expect(await registry.verify(billId, bill.contentHash)).to.equal(true);
      expect(await registry.verify(billId, ethers.id("tampered"))).to.equal(false);
      expect(await registry.verify(billId, ZERO_HASH)).to.equal(false);
    });

    it("Voided: false even for the right hash", async function () {
      const { registry, hospitalA, billId, bill } = await loadFixture(issuedBillFixture);
      await registry.connect(hospitalA).voidBill(billId, ethers.id("reason"), ZERO_HASH);
      expect(await registry.verify(billId, bill.contentHash)).to.equal(false);
      expect(await registry.verify(billId, ZERO_HASH)).to.equal(false);
    });

    it("does not accept one hospital's hash for another hospital's bill with the same number", async function () {
      const { registry, hospitalA, hospitalB, bill, billId } = await loadFixture(issuedBillFixture);
      const billB = { ...bill, contentHash: ethers.id("B's document") };
      await registry.connect(hospitalB).issue(billB);
      const idB = billIdOf(hospitalB.address, bill.billNumber);
      expect(await registry.verify(idB, bill.contentHash)).to.equal(false);
      expect(await registry.verify(idB, billB.contentHash)).to.equal(true);
      expect(await registry.verify(billId, billB.contentHash)).to.equal(false);
      expect(billIdOf(hospitalA.address, bill.billNumber)).to.equal(billId);
    });
  });

  describe("billIdOf", function () {
    it("equals keccak256(abi.encode(issuer, billNumber)) computed with ethers' AbiCoder", async function () {
      const { registry, hospitalA, hospitalB, stranger } = await loadFixture(deployRegistryFixture);
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const cases: [string, string][] = [
        [hospitalA.address, ethers.id("1")],
        [hospitalB.address, ethers.id("1")],
        [stranger.address, ZERO_HASH],
        [ethers.ZeroAddress, ethers.toBeHex(ethers.MaxUint256, 32)],
        ["0xffffffffffffffffffffffffffffffffffffffff", ethers.encodeBytes32String("INV-2024-000001")],
      ];
      for (const [issuer, billNumber] of cases) {
        const expected = ethers.keccak256(coder.encode(["address", "bytes32"], [issuer, billNumber]));
        expect(await registry.billIdOf(issuer, billNumber)).to.equal(expected);
      }
    });

    it("matches the id under which issue stores the bill and BillIssued reports it", async function () {
      const { registry, hospitalB } = await loadFixture(deployRegistryFixture);
      const bill = makeBill("id-check");
      const id = await registry.billIdOf(hospitalB.address, bill.billNumber);
      await expect(registry.connect(hospitalB).issue(bill))
        .to.emit(registry, "BillIssued")
        .withArgs(id, hospitalB.address, bill.patientRef, bill.billNumber, bill.amount, bill.contentHash);
      expect((await readBill(registry, id)).issuer).to.equal(hospitalB.address);
    });
  });

  describe("supportsInterface", function () {
    it("supports IBillRegistry (XOR of the selectors of its TypeChain interface)", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const iface = IBillRegistry__factory.createInterface();
      const id = interfaceIdOf(iface);
      expect(await registry.supportsInterface(id)).to.equal(true);
      // Every function counts: dropping any one selector gives an id the registry does not claim.
      const selectors: string[] = [];
      iface.forEachFunction((fn) => selectors.push(fn.selector));
      expect(selectors.length).to.equal(9);
      for (const selector of selectors) {
        expect(await registry.supportsInterface(xorId(id, selector))).to.equal(false);
      }
    });

    it("supports ERC-165 and IAccessControl", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(interfaceIdOf(IERC165__factory.createInterface())).to.equal("0x01ffc9a7");
      expect(await registry.supportsInterface("0x01ffc9a7")).to.equal(true);
      const accessControl = interfaceIdOf(IAccessControl__factory.createInterface());
      expect(accessControl).to.equal("0x7965db0b");
      expect(await registry.supportsInterface(accessControl)).to.equal(true);
    });

    it("supports IAccessControlDefaultAdminRules (its own functions, without the inherited IAccessControl ones)", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const all = interfaceIdOf(IAccessControlDefaultAdminRules__factory.createInterface());
      const own = xorId(all, interfaceIdOf(IAccessControl__factory.createInterface()));
      expect(await registry.supportsInterface(own)).to.equal(true);
    });

    it("does not claim unrelated ids (0xffffffff, zero, ERC-721)", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      for (const id of ["0xffffffff", "0x00000000", "0x80ac58cd", "0x12345678"]) {
        expect(await registry.supportsInterface(id)).to.equal(false);
      }
    });
  });

  describe("constants and deployment state", function () {
    it("MAX_AMOUNT is 2^40 - 1 and MAX_BATCH_SIZE is 300", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.MAX_AMOUNT()).to.equal(2n ** 40n - 1n);
      expect(await registry.MAX_BATCH_SIZE()).to.equal(300n);
    });

    it("roles are keccak256 of their names, and DEFAULT_ADMIN_ROLE is zero", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.ISSUER_ROLE()).to.equal(ethers.id("ISSUER_ROLE"));
      expect(await registry.CLAIMER_ROLE()).to.equal(ethers.id("CLAIMER_ROLE"));
      expect(await registry.DEFAULT_ADMIN_ROLE()).to.equal(ZERO_HASH);
    });

    it("every role is administered by DEFAULT_ADMIN_ROLE", async function () {
      const { registry, ISSUER_ROLE, CLAIMER_ROLE } = await loadFixture(deployRegistryFixture);
      for (const role of [ISSUER_ROLE, CLAIMER_ROLE, ZERO_HASH]) {
        expect(await registry.getRoleAdmin(role)).to.equal(ZERO_HASH);
      }
    });

    it("starts unpaused with the deployer's chosen admin and delay, and no pending hand-over", async function () {
      const { registry, admin, DEFAULT_ADMIN_ROLE } = await loadFixture(deployRegistryFixture);
      expect(await registry.paused()).to.equal(false);
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      expect(await registry.owner()).to.equal(admin.address);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await registry.defaultAdminDelay()).to.equal(ADMIN_DELAY);
      const [pending, schedule] = await registry.pendingDefaultAdmin();
      expect(pending).to.equal(ethers.ZeroAddress);
      expect(schedule).to.equal(0n);
    });

    it("refuses a zero initial admin → AccessControlInvalidDefaultAdmin(0)", async function () {
      const factory = await ethers.getContractFactory("BillRegistry");
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(factory.deploy(ADMIN_DELAY, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(ethers.ZeroAddress);
    });
  });
});
