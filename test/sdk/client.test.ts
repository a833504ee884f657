import { expect } from "chai";
import { ethers } from "hardhat";
import { decodeBytes32String, encodeBytes32String, TypedDataEncoder, verifyTypedData, ZeroHash } from "ethers";
import {
  BillRegistry__factory,
  MedBillClient,
  NoContractError,
  ReadOnlyError,
  WrongChainError,
  WrongRegistryError,
  InvalidArgumentError,
  billIdOf,
  billNumberOf,
  decodeBillUri,
  encodeBillUri,
  hashBill,
  patientRef,
  toBillInput,
  type BillIssuedEvent,
} from "../../src";
import { registryFixture, rejection, sampleBill } from "./fixture";

const SALT = "0x" + "5a".repeat(32);

describe("MedBillClient", () => {
  describe("connect", () => {
    it("connects by address with a Signer (read-write) and with a Provider (read-only)", async () => {
      const f = await registryFixture();
      expect(f.hospital.address).to.equal(f.address);
      expect(f.hospital.chainId).to.equal(31337n);
      expect(f.hospital.signer).to.not.equal(null);
      expect(f.reader.signer).to.equal(null);
      expect(f.reader.domain).to.deep.equal({ chainId: 31337n, verifyingContract: f.address });
      expect(await rejection(f.reader.issue(sampleBill()))).to.be.instanceOf(ReadOnlyError);
      expect(await rejection(f.reader.pause())).to.be.instanceOf(ReadOnlyError);
    });

    it("connects through a map of chain ids or a function of the chain id", async () => {
      const f = await registryFixture();
      const byMap = await MedBillClient.connect({ "31337": f.address }, ethers.provider);
      expect(byMap.address).to.equal(f.address);
      let asked: bigint | undefined;
      const byFn = await MedBillClient.connect(async (chainId) => {
        asked = chainId;
        return f.address.toLowerCase();
      }, ethers.provider);
      expect(asked).to.equal(31337n);
      expect(byFn.address).to.equal(f.address);
    });

    it("refuses another chain than expected, a chain without address, an address without code", async () => {
      const f = await registryFixture();
      const wrong = await rejection(MedBillClient.connect(f.address, ethers.provider, { chainId: 1 }));
      expect(wrong).to.be.instanceOf(WrongChainError);
      expect((wrong as WrongChainError).expected).to.equal(1n);
      expect((wrong as WrongChainError).actual).to.equal(31337n);
      const none = await rejection(MedBillClient.connect({ "1": f.address }, ethers.provider));
      expect(none).to.be.instanceOf(NoContractError);
      expect((none as NoContractError).address).to.equal(null);
      const empty = ethers.Wallet.createRandom().address;
      const noCode = await rejection(MedBillClient.connect(empty, ethers.provider));
      expect(noCode).to.be.instanceOf(NoContractError);
      expect((noCode as NoContractError).address).to.equal(empty);
      expect(await rejection(MedBillClient.connect("0x1234", ethers.provider))).to.be.instanceOf(InvalidArgumentError);
    });

    it("fromUri connects to the registry a bill URI names", async () => {
      const f = await registryFixture();
      const { uri } = await f.hospital.issue(sampleBill());
      const client = await MedBillClient.fromUri(uri, ethers.provider);
      expect(client.address).to.equal(f.address);
      expect((await client.verify(uri)).verdict).to.equal("genuine");
    });
  });

  describe("documents", () => {
    it("toBillInput, hashBill, typedData, billUri and billIdOf use this registry's domain", async () => {
      const f = await registryFixture();
      const bill = sampleBill();
      const input = f.hospital.toBillInput(bill, SALT);
      expect(input).to.deep.equal(toBillInput(bill, SALT, { chainId: 31337n, verifyingContract: f.address }));
      expect(input.contentHash).to.equal(f.hospital.hashBill(bill));
      expect(input.patientRef).to.equal(patientRef(bill.patientId, SALT));
      expect(decodeBytes32String(input.billNumber)).to.equal("33060123-0000000001");
      const typed = f.hospital.typedData(bill);
      expect(TypedDataEncoder.hash(typed.domain, typed.types, typed.message)).to.equal(input.contentHash);
      // What a wallet signs is the same digest: the signature recovers to the hospital over hashBill's value.
      const signature = await f.signers.hospital.signTypedData(typed.domain, typed.types, typed.message);
      expect(verifyTypedData(typed.domain, typed.types, typed.message, signature)).to.equal(f.signers.hospital.address);
      const id = f.hospital.billIdOf(f.signers.hospital.address, input.billNumber);
      expect(id).to.equal(await f.registry.billIdOf(f.signers.hospital.address, input.billNumber));
      expect(decodeBillUri(f.hospital.billUri(id, input.contentHash))).to.deep.equal({
        chainId: 31337n,
        registry: f.address,
        billId: id,
        contentHash: input.contentHash,
      });
    });
  });

  describe("issue", () => {
    it("issues a document (patientRef made with the bill's own salt) and returns the mined transaction", async () => {
      const f = await registryFixture();
      const bill = sampleBill(7);
      const r = await f.hospital.issue(bill);
      expect(r.patientSalt).to.equal(undefined);
      expect(r.input).to.deep.equal(f.hospital.toBillInput(bill));
      expect(r.input.patientRef).to.equal(patientRef(bill.patientId, bill.salt));
      expect(r.billId).to.equal(billIdOf(f.signers.hospital.address, billNumberOf(bill)));
      expect(r.txHash).to.match(/^0x[0-9a-f]{64}$/);
      const receipt = await ethers.provider.getTransactionReceipt(r.txHash);
      expect(receipt!.status).to.equal(1);
      expect(r.blockNumber).to.equal(receipt!.blockNumber);
      expect(r.gasUsed).to.equal(receipt!.gasUsed);
      expect(r.uri).to.equal(
        encodeBillUri({ chainId: 31337n, registry: f.address, billId: r.billId, contentHash: r.input.contentHash }),
      );
      const onChain = await f.reader.getBill(r.billId);
      expect(onChain).to.deep.include({ issuer: f.signers.hospital.address, status: "Issued", amount: bill.total });
    });

    it("issues { document, patientSalt } with the patient's secret making patientRef, and a ready BillInput", async () => {
      const f = await registryFixture();
      const a = await f.hospital.issue({ document: sampleBill(1), patientSalt: SALT });
      expect(a.patientSalt).to.equal(SALT);
      expect(a.input.patientRef).to.equal(patientRef(sampleBill(1).patientId, SALT));
      expect(a.input.contentHash).to.equal(f.hospital.hashBill(sampleBill(1)));
      const input = f.hospital.toBillInput(sampleBill(2), SALT);
      const b = await f.hospital.issue(input);
      expect(b.patientSalt).to.equal(undefined);
      expect(b.input).to.deep.equal(input);
      expect((await f.reader.getBill(b.billId))!.contentHash).to.equal(input.contentHash);
    });
  });

  describe("reimburse", () => {
    it("reimburses part then the rest from two payers, recording each", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      const first = await f.socialSecurity.reimburse(billId, 25_000n, "SS-2024-0001");
      expect(first).to.deep.include({ billId, amount: 25_000n, totalReimbursed: 25_000n });
      expect(decodeBytes32String(first.claimRef)).to.equal("SS-2024-0001");
      expect((await f.reader.getBill(billId))!.status).to.equal("PartiallyReimbursed");
      const rest = await f.insurer.reimburse(billId, "11650", "0x" + "ab".repeat(32));
      expect(rest.totalReimbursed).to.equal(36_650n);
      expect(rest.claimRef).to.equal("0x" + "ab".repeat(32));
      const bill = await f.reader.getBill(billId);
      expect(bill).to.deep.include({ status: "Reimbursed", reimbursed: 36_650n, remaining: 0n });
    });
  });

  describe("voidBill", () => {
    it("voids a bill, naming its replacement or none", async () => {
      const f = await registryFixture();
      const wrong = await f.hospital.issue(sampleBill(1));
      const right = await f.hospital.issue(sampleBill(2));
      const r = await f.hospital.voidBill(wrong.billId, "WRONG-AMOUNT", right.billId);
      expect(r).to.deep.include({ billId: wrong.billId, replacementId: right.billId });
      expect(decodeBytes32String(r.reason)).to.equal("WRONG-AMOUNT");
      expect((await f.reader.getBill(wrong.billId))!).to.deep.include({ status: "Voided", remaining: 0n });
      const other = await f.hospital.voidBill(right.billId, "DUPLICATE");
      expect(other.replacementId).to.equal(ZeroHash);
    });
  });

  describe("getBill and reimbursedBy", () => {
    it("reads a bill, null for an unknown id, and what each payer paid", async () => {
      const f = await registryFixture();
      const { billId } = await f.hospital.issue(sampleBill());
      expect(await f.reader.getBill("0x" + "00".repeat(31) + "01")).to.equal(null);
      await f.socialSecurity.reimburse(billId, 1_000n, "c-1");
      expect(await f.reader.getBill(billId)).to.deep.equal({
        billId,
        issuer: f.signers.hospital.address,
        status: "PartiallyReimbursed",
        amount: 36_650n,
        reimbursed: 1_000n,
        remaining: 35_650n,
        contentHash: f.hospital.hashBill(sampleBill()),
      });
      expect(await f.reader.reimbursedBy(billId, f.signers.socialSecurity.address)).to.equal(1_000n);
      expect(await f.reader.reimbursedBy(billId, f.signers.insurer.address)).to.equal(0n);
      expect(await rejection(f.reader.getBill("0x1234"))).to.be.instanceOf(InvalidArgumentError);
      expect(await rejection(f.reader.reimbursedBy(billId, "nobody"))).to.be.instanceOf(InvalidArgumentError);
    });
  });

  describe("verify", () => {
    it("answers genuine, tampered, unknown and voided, from a URI or a document", async () => {
      const f = await registryFixture();
      const bill = sampleBill(1);
      const issued = await f.hospital.issue(bill);
      const hospital = f.signers.hospital.address;

      const byUri = await f.reader.verify(issued.uri);
      expect(byUri).to.deep.include({
        verdict: "genuine",
        billId: issued.billId,
        contentHash: issued.input.contentHash,
      });
      expect(byUri.bill!.status).to.equal("Issued");
      expect((await f.reader.verify(issued.uri, bill)).verdict).to.equal("genuine");
      expect((await f.reader.verify(bill, hospital)).verdict).to.equal("genuine");

      // One fen changed on one line (and the total with it): the recomputed hash no longer matches.
      const forged = { ...bill, items: [bill.items[0], { ...bill.items[1], unitPrice: 1551n }], total: 36_653n };
      expect((await f.reader.verify(forged, hospital)).verdict).to.equal("tampered");
      expect((await f.reader.verify(issued.uri, forged)).verdict).to.equal("tampered");
      const forgedUri = encodeBillUri({ ...decodeBillUri(issued.uri), contentHash: hashBill(forged, f.reader.domain) });
      expect((await f.reader.verify(forgedUri)).verdict).to.equal("tampered");

      expect((await f.reader.verify(sampleBill(2), hospital)).verdict).to.equal("unknown");
      expect((await f.reader.verify(bill, f.signers.hospital2.address)).verdict).to.equal("unknown");
      const unknown = await f.reader.verify(
        encodeBillUri({
          chainId: 31337n,
          registry: f.address,
          billId: "0x" + "12".repeat(32),
          contentHash: issued.input.contentHash,
        }),
      );
      expect(unknown).to.deep.include({ verdict: "unknown", bill: null });

      await f.hospital.voidBill(issued.billId, "ERROR");
      expect((await f.reader.verify(issued.uri)).verdict).to.equal("voided");
      expect((await f.reader.verify(bill, hospital)).verdict).to.equal("voided");
    });

    it("refuses a URI of another chain or registry", async () => {
      const f = await registryFixture();
      const { uri } = await f.hospital.issue(sampleBill());
      const parts = decodeBillUri(uri);
      const otherChain = encodeBillUri({ ...parts, chainId: 1n });
      expect(await rejection(f.reader.verify(otherChain))).to.be.instanceOf(WrongChainError);
      const otherRegistry = encodeBillUri({ ...parts, registry: ethers.Wallet.createRandom().address });
      expect(await rejection(f.reader.verify(otherRegistry))).to.be.instanceOf(WrongRegistryError);
    });
  });

  describe("history", () => {
    it("lists issue, each claim and void in chain order with block times", async () => {
      const f = await registryFixture();
      const { billId, blockNumber } = await f.hospital.issue(sampleBill());
      await f.socialSecurity.reimburse(billId, 100n, "ss");
      await f.insurer.reimburse(billId, 200n, "ins");
      const other = await f.hospital.issue(sampleBill(2)); // another bill's events stay out
      await f.socialSecurity.reimburse(other.billId, 5n, "ss");
      const history = await f.reader.history(billId);
      expect(history.map((e) => e.kind)).to.deep.equal(["issued", "reimbursed", "reimbursed"]);
      expect(history[0].blockNumber).to.equal(blockNumber);
      const block = await ethers.provider.getBlock(blockNumber);
      expect(history[0].blockTime).to.equal(block!.timestamp);
      for (let k = 1; k < history.length; k++) {
        expect(history[k].blockNumber).to.be.greaterThan(history[k - 1].blockNumber);
        expect(history[k].blockTime).to.be.at.least(history[k - 1].blockTime);
      }
      const [issued, ss, ins] = history;
      expect(issued).to.deep.include({ kind: "issued", billId, issuer: f.signers.hospital.address, amount: 36_650n });
      expect(ss).to.deep.include({
        kind: "reimbursed",
        claimer: f.signers.socialSecurity.address,
        amount: 100n,
        totalReimbursed: 100n,
      });
      expect(ins).to.deep.include({
        kind: "reimbursed",
        claimer: f.signers.insurer.address,
        amount: 200n,
        totalReimbursed: 300n,
      });
      expect(decodeBytes32String((ins as { claimRef: string }).claimRef)).to.equal("ins");

      const voided = await f.hospital.issue(sampleBill(3));
      await f.hospital.voidBill(voided.billId, "typo", other.billId);
      const voidHistory = await f.reader.history(voided.billId);
      expect(voidHistory.map((e) => e.kind)).to.deep.equal(["issued", "voided"]);
      expect(voidHistory[1]).to.deep.include({ replacementId: other.billId, reason: encodeBytes32String("typo") });
      expect(await f.reader.history("0x" + "77".repeat(32))).to.deep.equal([]);
    });
  });

  describe("bills", () => {
    it("finds bills by issuer, by patient commitment and by payer, paging over block ranges", async () => {
      const f = await registryFixture();
      const start = await ethers.provider.getBlockNumber();
      const a = await f.hospital.issue({ document: sampleBill(1), patientSalt: SALT });
      const b = await f.hospital.issue({
        document: sampleBill(2, { patientId: "110101198001010012" }),
        patientSalt: SALT,
      });
      const c = await f.hospital2.issue({ document: sampleBill(3), patientSalt: SALT });
      await f.socialSecurity.reimburse(a.billId, 10n, "x");
      await f.socialSecurity.reimburse(c.billId, 10n, "y");
      await f.insurer.reimburse(a.billId, 10n, "z");

      // A client that asks for 2 blocks at a time pages through the range.
      const paged = await MedBillClient.connect(f.address, ethers.provider, { blockRange: 2, fromBlock: start });
      const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
        const out: T[] = [];
        for await (const x of it) out.push(x);
        return out;
      };
      const byIssuer: BillIssuedEvent[] = await collect(paged.bills({ issuer: f.signers.hospital.address }));
      expect(byIssuer.map((e) => e.billId)).to.deep.equal([a.billId, b.billId]);
      expect(byIssuer[0]).to.deep.include({ kind: "issued", amount: 36_650n, contentHash: a.input.contentHash });
      const byPatient = await collect(paged.bills({ patientRef: patientRef(sampleBill().patientId, SALT) }));
      expect(byPatient.map((e) => e.billId)).to.deep.equal([a.billId, c.billId]);
      const byPayer = await collect(paged.bills({ claimer: f.signers.socialSecurity.address }));
      expect(byPayer.map((e) => e.billId)).to.deep.equal([a.billId, c.billId]);
      expect(byPayer.every((e) => e.kind === "reimbursed")).to.equal(true);
      const window = await collect(
        paged.bills({ issuer: f.signers.hospital.address, fromBlock: a.blockNumber + 1, toBlock: b.blockNumber }),
      );
      expect(window.map((e) => e.billId)).to.deep.equal([b.billId]);
      const both = { issuer: f.signers.hospital.address, claimer: f.signers.insurer.address } as never;
      expect(await rejection(collect(paged.bills(both)))).to.be.instanceOf(InvalidArgumentError);
    });
  });

  describe("roles", () => {
    it("grantRole, hasRole, roleMembers, revokeRole, renounceRole", async () => {
      const f = await registryFixture();
      const { outsider, hospital, hospital2, admin } = f.signers;
      expect(await f.reader.hasRole("issuer", outsider.address)).to.equal(false);
      const granted = await f.admin.grantRole("issuer", outsider.address);
      expect(granted.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(await f.reader.hasRole("issuer", outsider.address)).to.equal(true);
      expect(await f.reader.roleMembers("issuer")).to.deep.equal([
        hospital.address,
        hospital2.address,
        outsider.address,
      ]);
      await f.admin.revokeRole("issuer", hospital.address);
      expect(await f.reader.roleMembers("issuer")).to.deep.equal([hospital2.address, outsider.address]);
      await f.hospital2.renounceRole("issuer");
      expect(await f.reader.roleMembers("issuer")).to.deep.equal([outsider.address]);
      expect(await f.reader.roleMembers("admin")).to.deep.equal([admin.address]);
      expect(await f.reader.roleMembers("claimer")).to.have.length(2);
      expect(await rejection(f.reader.hasRole("owner" as never, admin.address))).to.be.instanceOf(InvalidArgumentError);
    });
  });

  describe("pause, unpause, paused", () => {
    it("pauses and resumes the registry", async () => {
      const f = await registryFixture();
      expect(await f.reader.paused()).to.equal(false);
      await f.admin.pause();
      expect(await f.reader.paused()).to.equal(true);
      await f.admin.unpause();
      expect(await f.reader.paused()).to.equal(false);
      await f.hospital.issue(sampleBill());
    });
  });

  describe("admin hand-over", () => {
    it("beginAdminTransfer, adminState, acceptAdminTransfer after the delay, cancelAdminTransfer", async () => {
      const f = await registryFixture();
      const { admin, outsider, insurer } = f.signers;
      expect(await f.reader.adminState()).to.deep.include({ admin: admin.address, delay: 86_400n, schedule: 0n });
      await f.admin.beginAdminTransfer(insurer.address);
      const proposed = await f.reader.adminState();
      expect(proposed.pendingAdmin).to.equal(insurer.address);
      await f.admin.cancelAdminTransfer();
      expect((await f.reader.adminState()).pendingAdmin).to.equal(ethers.ZeroAddress);
      await f.admin.beginAdminTransfer(outsider.address);
      const { schedule } = await f.reader.adminState();
      await ethers.provider.send("evm_setNextBlockTimestamp", [Number(schedule) + 1]);
      await ethers.provider.send("evm_mine", []);
      await f.outsider.acceptAdminTransfer();
      expect((await f.reader.adminState()).admin).to.equal(outsider.address);
      expect(await f.reader.roleMembers("admin")).to.deep.equal([outsider.address]);
    });
  });

  describe("contract", () => {
    it("exposes the TypeChain contract for anything else", async () => {
      const f = await registryFixture();
      expect(await f.reader.contract.MAX_BATCH_SIZE()).to.equal(300n);
      expect(BillRegistry__factory.abi.length).to.be.greaterThan(0);
    });
  });
});
