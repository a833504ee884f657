import { expect } from "chai";
import { ethers } from "hardhat";
import { JsonRpcProvider, ZeroHash } from "ethers";
import {
  AdminDelayNotPassedError,
  AdminRulesError,
  AlreadyReimbursedError,
  AmountTooLargeError,
  BadConfirmationError,
  BatchItemInvalidError,
  BatchTooLargeError,
  BillAlreadyIssuedError,
  BillNotFoundError,
  BillNotReimbursableError,
  BillNotVoidableError,
  BillRegistry__factory,
  CONTRACT_ERRORS,
  ContractError,
  EmptyBatchError,
  ExpectedPauseError,
  InvalidAmountError,
  InvalidArgumentError,
  InvalidBillError,
  InvalidDefaultAdminError,
  InvalidUriError,
  InvalidReplacementError,
  MAX_AMOUNT,
  MedBillClient,
  MedBillError,
  NodeUnreachableError,
  NotBillIssuerError,
  PausedError,
  ReimbursementExceedsBalanceError,
  ROLES,
  SafeCastOverflowError,
  UnauthorizedError,
  UnknownRevertError,
  ZeroAmountError,
  ZeroBillNumberError,
  ZeroClaimRefError,
  ZeroContentHashError,
  ZeroPatientRefError,
  ZeroReasonError,
  decodeRevertData,
  toMedBillError,
  type BillInput,
} from "../../src";
import { freePort } from "../../scripts/lib/node";
import { registryFixture, rejection, sampleBill } from "./fixture";

const SALT = "0x" + "01".repeat(32);

/** Runs a raw contract call that must revert and returns the SDK's error for it. */
async function raw(call: Promise<unknown>): Promise<unknown> {
  return toMedBillError(await rejection(call));
}

describe("SDK errors", () => {
  it("every custom error of the registry's ABI (its own and OpenZeppelin's) has a ContractError subclass", () => {
    const names = BillRegistry__factory.abi.filter((x) => x.type === "error").map((x) => (x as { name: string }).name);
    expect(names.length).to.be.greaterThan(20);
    for (const name of names) {
      expect(CONTRACT_ERRORS[name], name).to.be.a("function");
      expect(CONTRACT_ERRORS[name].prototype).to.be.instanceOf(ContractError);
    }
    expect(Object.keys(CONTRACT_ERRORS).sort()).to.deep.equal([...names].sort());
  });

  describe("refusals of the SDK's writes", () => {
    it("BillAlreadyIssuedError", async () => {
      const f = await registryFixture();
      const { billId, input } = await f.hospital.issue(sampleBill());
      const e = await rejection(f.hospital.issue(input));
      expect(e).to.be.instanceOf(BillAlreadyIssuedError).and.instanceOf(ContractError).and.instanceOf(MedBillError);
      expect(e).to.deep.include({ billId, errorName: "BillAlreadyIssued", code: "BILL_ALREADY_ISSUED" });
    });

    it("BillNotFoundError", async () => {
      const f = await registryFixture();
      const id = "0x" + "42".repeat(32);
      const e = await rejection(f.socialSecurity.reimburse(id, 1n, "c"));
      expect(e).to.be.instanceOf(BillNotFoundError);
      expect((e as BillNotFoundError).billId).to.equal(id);
      expect(await rejection(f.hospital.voidBill(id, "r"))).to.be.instanceOf(BillNotFoundError);
    });

    it("ReimbursementExceedsBalanceError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      await f.socialSecurity.reimburse(billId, 36_000n, "a");
      const e = await rejection(f.insurer.reimburse(billId, 651n, "b"));
      expect(e).to.be.instanceOf(ReimbursementExceedsBalanceError);
      expect(e).to.deep.include({ billId, requested: 651n, remaining: 650n });
    });

    it("AlreadyReimbursedError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      await f.socialSecurity.reimburse(billId, 1n, "a");
      const e = await rejection(f.socialSecurity.reimburse(billId, 1n, "b"));
      expect(e instanceof AlreadyReimbursedError && e.claimer).to.equal(f.signers.socialSecurity.address);
      expect((e as AlreadyReimbursedError).billId).to.equal(billId);
      expect((e as AlreadyReimbursedError).errorName).to.equal("AlreadyReimbursedBy");
    });

    it("BillNotReimbursableError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      await f.hospital.voidBill(billId, "x");
      const e = await rejection(f.socialSecurity.reimburse(billId, 1n, "a"));
      expect(e).to.be.instanceOf(BillNotReimbursableError);
      expect(e).to.deep.include({ billId, status: "Voided" });
    });

    it("BillNotVoidableError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      await f.socialSecurity.reimburse(billId, 1n, "a");
      const e = await rejection(f.hospital.voidBill(billId, "x"));
      expect(e).to.be.instanceOf(BillNotVoidableError);
      expect(e).to.deep.include({ billId, status: "PartiallyReimbursed" });
    });

    it("NotBillIssuerError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      const e = await rejection(f.hospital2.voidBill(billId, "x"));
      expect(e).to.be.instanceOf(NotBillIssuerError);
      expect(e).to.deep.include({ billId, caller: f.signers.hospital2.address });
    });

    it("InvalidReplacementError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      const e = await rejection(f.hospital.voidBill(billId, "x", billId));
      expect(e).to.be.instanceOf(InvalidReplacementError);
      expect(e).to.deep.include({ billId, replacementId: billId });
    });

    it("ZeroAmountError, ZeroClaimRefError, ZeroReasonError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      expect(await rejection(f.socialSecurity.reimburse(billId, 0n, "a"))).to.be.instanceOf(ZeroAmountError);
      expect(await rejection(f.socialSecurity.reimburse(billId, 1n, ""))).to.be.instanceOf(ZeroClaimRefError);
      expect(await rejection(f.socialSecurity.reimburse(billId, 1n, ZeroHash))).to.be.instanceOf(ZeroClaimRefError);
      expect(await rejection(f.hospital.voidBill(billId, ""))).to.be.instanceOf(ZeroReasonError);
    });

    it("UnauthorizedError names the account and the role it lacks", async () => {
      const f = await registryFixture();
      const sent = await ethers.provider.getTransactionCount(f.signers.outsider.address);
      const e = await rejection(f.outsider.issue(sampleBill()));
      expect(e).to.be.instanceOf(UnauthorizedError);
      expect(e).to.deep.include({ account: f.signers.outsider.address, neededRole: ROLES.issuer, roleName: "issuer" });
      const claim = await rejection(f.hospital.reimburse("0x" + "11".repeat(32), 1n, "c"));
      expect(claim).to.deep.include({ roleName: "claimer" });
      const admin = await rejection(f.hospital.pause());
      expect(admin).to.be.instanceOf(UnauthorizedError).and.deep.include({ roleName: "admin" });
      // Nothing was sent: the refusal came from the preflight.
      expect(await ethers.provider.getTransactionCount(f.signers.outsider.address)).to.equal(sent);
    });

    it("PausedError and ExpectedPauseError", async () => {
      const f = await registryFixture();
      expect(await rejection(f.admin.unpause())).to.be.instanceOf(ExpectedPauseError);
      await f.admin.pause();
      expect(await rejection(f.hospital.issue(sampleBill()))).to.be.instanceOf(PausedError);
      expect(await rejection(f.hospital.issueMany([sampleBill(1), sampleBill(2)]))).to.be.instanceOf(PausedError);
      expect(await rejection(f.socialSecurity.reimburse("0x" + "11".repeat(32), 1n, "c"))).to.be.instanceOf(
        PausedError,
      );
    });

    it("AdminRulesError: the admin role is not granted directly", async () => {
      const f = await registryFixture();
      expect(await rejection(f.admin.grantRole("admin", f.signers.outsider.address))).to.be.instanceOf(AdminRulesError);
    });

    it("BadConfirmationError: renouncing for someone else", async () => {
      const f = await registryFixture();
      const e = await rejection(f.hospital.renounceRole("issuer", f.signers.hospital2.address));
      expect(e).to.be.instanceOf(BadConfirmationError);
    });

    it("AdminDelayNotPassedError and InvalidDefaultAdminError on the admin hand-over", async () => {
      const f = await registryFixture();
      await f.admin.beginAdminTransfer(f.signers.outsider.address);
      const { schedule } = await f.reader.adminState();
      const early = await rejection(f.outsider.acceptAdminTransfer());
      expect(early).to.be.instanceOf(AdminDelayNotPassedError);
      expect((early as AdminDelayNotPassedError).schedule).to.equal(schedule);
      const stranger = await rejection(f.insurer.acceptAdminTransfer());
      expect(stranger).to.be.instanceOf(InvalidDefaultAdminError);
      expect((stranger as InvalidDefaultAdminError).defaultAdmin).to.equal(f.signers.insurer.address);
    });

    it("SafeCastOverflowError: an admin hand-over scheduled past 2^48 seconds", async () => {
      const f = await registryFixture();
      await ethers.provider.send("evm_setNextBlockTimestamp", [2 ** 48]);
      await ethers.provider.send("evm_mine", []);
      const e = await rejection(f.admin.beginAdminTransfer(f.signers.outsider.address));
      expect(e).to.be.instanceOf(SafeCastOverflowError);
      expect((e as SafeCastOverflowError).bits).to.equal(48);
      expect((e as SafeCastOverflowError).value >= 2n ** 48n).to.equal(true);
    });
  });

  describe("refusals the SDK's own validation prevents, decoded from raw contract calls", () => {
    const input = (over: Partial<BillInput> = {}): BillInput => ({
      billNumber: "0x" + "01".repeat(32),
      patientRef: "0x" + "02".repeat(32),
      contentHash: "0x" + "03".repeat(32),
      amount: 100n,
      ...over,
    });

    it("ZeroBillNumberError, ZeroPatientRefError, ZeroContentHashError, AmountTooLargeError", async () => {
      const f = await registryFixture();
      const c = f.hospital.contract;
      expect(await raw(c.issue(input({ billNumber: ZeroHash })))).to.be.instanceOf(ZeroBillNumberError);
      expect(await raw(c.issue(input({ patientRef: ZeroHash })))).to.be.instanceOf(ZeroPatientRefError);
      expect(await raw(c.issue(input({ contentHash: ZeroHash })))).to.be.instanceOf(ZeroContentHashError);
      const big = await raw(c.issue(input({ amount: MAX_AMOUNT + 1n })));
      expect(big)
        .to.be.instanceOf(AmountTooLargeError)
        .and.deep.include({ amount: MAX_AMOUNT + 1n, maxAmount: MAX_AMOUNT });
      expect(await raw(c.issue(input({ amount: 0n })))).to.be.instanceOf(ZeroAmountError);
    });

    it("EmptyBatchError, BatchTooLargeError, BatchItemInvalidError with the reason's name", async () => {
      const f = await registryFixture();
      const c = f.hospital.contract;
      expect(await raw(c.issueBatch([]))).to.be.instanceOf(EmptyBatchError);
      const tooMany = Array.from({ length: 301 }, () => input());
      expect(await raw(c.issueBatch(tooMany)))
        .to.be.instanceOf(BatchTooLargeError)
        .and.deep.include({ size: 301, maxSize: 300 });
      const { billId, input: issued } = await f.hospital.issue({ document: sampleBill(), patientSalt: SALT });
      const e = await raw(c.issueBatch([input(), issued]));
      expect(e).to.be.instanceOf(BatchItemInvalidError);
      expect(e).to.deep.include({ index: 1, billId, reasonName: "BillAlreadyIssued" });
      const zero = await raw(c.issueBatch([input({ amount: 0n })]));
      expect(zero).to.deep.include({ index: 0, reasonName: "ZeroAmount" });
    });
  });

  describe("reverts the registry does not explain", () => {
    it("UnknownRevertError keeps the raw data", async () => {
      const f = await registryFixture();
      // No such function: the registry reverts without data.
      const bare = await raw(f.signers.hospital.sendTransaction({ to: f.address, data: "0x12345678" }));
      expect(bare).to.be.instanceOf(UnknownRevertError);
      expect((bare as UnknownRevertError).data).to.equal("0x");
      const foreign = decodeRevertData("0xdeadbeef0000");
      expect(foreign).to.be.instanceOf(UnknownRevertError);
      expect((foreign as UnknownRevertError).data).to.equal("0xdeadbeef0000");
      // Error(string) from some other contract is not the registry's either.
      const stringError = "0x08c379a0" + ethers.AbiCoder.defaultAbiCoder().encode(["string"], ["nope"]).slice(2);
      expect(decodeRevertData(stringError)).to.be.instanceOf(UnknownRevertError);
    });

    it("decodes revert data nested the ways ethers and Hardhat nest it", () => {
      const data = BillRegistry__factory.createInterface().encodeErrorResult("BillNotFound", ["0x" + "99".repeat(32)]);
      for (const shape of [
        { code: "CALL_EXCEPTION", data },
        { error: { data } },
        { info: { error: { data: { data } } } },
        { cause: { error: { data } } },
      ]) {
        const e = toMedBillError(shape);
        expect(e, JSON.stringify(shape)).to.be.instanceOf(BillNotFoundError);
      }
      const plain = new Error("unrelated");
      expect(toMedBillError(plain)).to.equal(plain);
    });
  });

  describe("input the client refuses before calling the chain", () => {
    it("InvalidBillError, InvalidAmountError, InvalidUriError, InvalidArgumentError", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      const doc = await rejection(f.hospital.issue({ ...sampleBill(2), total: 1.5 } as never));
      expect(doc).to.be.instanceOf(InvalidBillError);
      expect((doc as InvalidBillError).issues.map((i) => i.path)).to.include("total");
      for (const amount of [1.5, -1, "1.00", 2 ** 60, {}]) {
        expect(
          await rejection(f.socialSecurity.reimburse(billId, amount as never, "c")),
          String(amount),
        ).to.be.instanceOf(InvalidAmountError);
      }
      for (const uri of [
        "medbill:",
        "https://example.org",
        `medbill:31337/${f.address.toLowerCase()}/${billId}?h=${billId}`,
      ]) {
        expect(await rejection(f.reader.verify(uri)), uri).to.be.instanceOf(InvalidUriError);
      }
      expect(await rejection(f.hospital.voidBill("0x12", "r"))).to.be.instanceOf(InvalidArgumentError);
      expect(await rejection(f.admin.grantRole("issuer", "0xnothex"))).to.be.instanceOf(InvalidArgumentError);
      expect(await rejection(f.reader.verify(sampleBill() as never))).to.be.instanceOf(InvalidArgumentError);
    });
  });

  describe("transport", () => {
    it("NodeUnreachableError when nothing listens at the node's address", async function () {
      this.timeout(60_000);
      const port = await freePort();
      const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { staticNetwork: true });
      const e = await rejection(MedBillClient.connect(ethers.ZeroAddress, provider, { timeoutMs: 5_000 }));
      expect(e).to.be.instanceOf(NodeUnreachableError);
      const lazy = new JsonRpcProvider(`http://127.0.0.1:${port}`);
      const e2 = await rejection(MedBillClient.connect(ethers.ZeroAddress, lazy, { timeoutMs: 2_000 }));
      expect(e2).to.be.instanceOf(NodeUnreachableError);
      lazy.destroy();
      provider.destroy();
    });
  });
});
