import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse, ErrorDescription, TransactionReceipt } from "ethers";
import type { BillRegistry } from "../../typechain-types";
import { BillStatus, ZERO_HASH, billIdOf, issuedBillFixture, makeBill, readBill } from "./fixtures";

/** Explicit gas limit: with automine off, estimating against the pending block would see the rival transaction. */
const GAS = { gasLimit: 300_000 };

/**
 * Sends every transaction with automine off, mines them together in one block, and returns their receipts
 * (failed ones included). Automine is always switched back on.
 */
async function inOneBlock(sends: (() => Promise<ContractTransactionResponse>)[]): Promise<TransactionReceipt[]> {
  await network.provider.send("evm_setAutomine", [false]);
  try {
    const txs: ContractTransactionResponse[] = [];
    for (const send of sends) txs.push(await send());
    await network.provider.send("evm_mine", []);
    const receipts: TransactionReceipt[] = [];
    for (const tx of txs) {
      const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
      if (receipt === null) throw new Error(`transaction ${tx.hash} was not mined`);
      receipts.push(receipt);
    }
    expect(new Set(receipts.map((r) => r.blockNumber)).size, "all in one block").to.equal(1);
    return receipts;
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
}

/** Decodes the custom error a mined, failed transaction reverted with (from the node's trace of it). */
async function revertErrorOf(registry: BillRegistry, receipt: TransactionReceipt): Promise<ErrorDescription> {
  expect(receipt.status, "the transaction failed").to.equal(0);
  const trace = (await network.provider.send("debug_traceTransaction", [
    receipt.hash,
    { disableMemory: true, disableStack: true, disableStorage: true },
  ])) as { failed: boolean; returnValue: string };
  expect(trace.failed).to.equal(true);
  const data = trace.returnValue.startsWith("0x") ? trace.returnValue : `0x${trace.returnValue}`;
  const error = registry.interface.parseError(data);
  if (error === null) throw new Error(`unknown revert data ${data}`);
  return error;
}

/** Splits receipts into the one that succeeded and the ones that failed; exactly one must succeed. */
function exactlyOneWinner(receipts: TransactionReceipt[]): { winner: number; losers: number[] } {
  const ok = receipts.map((r, i) => (r.status === 1 ? i : -1)).filter((i) => i >= 0);
  expect(ok.length, "exactly one transaction succeeds").to.equal(1);
  return { winner: ok[0], losers: receipts.map((_, i) => i).filter((i) => i !== ok[0]) };
}

describe("BillRegistry.race (same block, automine off)", function () {
  it("two claimers both ask for the full amount: one succeeds, the other fails with BillNotReimbursable(billId, Reimbursed)", async function () {
    const { registry, socialSecurity, insurer, billId, bill } = await loadFixture(issuedBillFixture);
    const claimers = [socialSecurity, insurer];
    const receipts = await inOneBlock(
      claimers.map((c, i) => () => registry.connect(c).reimburse(billId, bill.amount, ethers.id(`claim-${i}`), GAS)),
    );
    const { winner, losers } = exactlyOneWinner(receipts);

    const error = await revertErrorOf(registry, receipts[losers[0]]);
    expect(error.name).to.equal("BillNotReimbursable");
    expect(error.args.toArray()).to.deep.equal([billId, BigInt(BillStatus.Reimbursed)]);

    expect(await readBill(registry, billId)).to.include({ status: BillStatus.Reimbursed, reimbursed: bill.amount });
    expect(await registry.reimbursedBy(billId, claimers[winner].address)).to.equal(bill.amount);
    expect(await registry.reimbursedBy(billId, claimers[losers[0]].address)).to.equal(0n);
    const events = await registry.queryFilter(registry.filters.BillReimbursed(billId), receipts[0].blockNumber);
    expect(events.length).to.equal(1);
    expect(events[0].args.claimer).to.equal(claimers[winner].address);
  });

  it("two claimers each ask for 60%: one succeeds, the other fails with ReimbursementExceedsBalance(billId, 60%, 40%)", async function () {
    const { registry, socialSecurity, insurer, billId } = await loadFixture(issuedBillFixture);
    // 12,345 fen: 60% = 7,407, what is left after it = 4,938.
    const share = 7_407n;
    const left = 12_345n - share;
    const claimers = [socialSecurity, insurer];
    const receipts = await inOneBlock(
      claimers.map((c, i) => () => registry.connect(c).reimburse(billId, share, ethers.id(`claim-${i}`), GAS)),
    );
    const { winner, losers } = exactlyOneWinner(receipts);
    const error = await revertErrorOf(registry, receipts[losers[0]]);
    expect(error.name).to.equal("ReimbursementExceedsBalance");
    expect(error.args.toArray()).to.deep.equal([billId, share, left]);
    expect(await readBill(registry, billId)).to.include({ status: BillStatus.PartiallyReimbursed, reimbursed: share });
    expect(await registry.reimbursedBy(billId, claimers[winner].address)).to.equal(share);
    expect(await registry.reimbursedBy(billId, claimers[losers[0]].address)).to.equal(0n);
  });

  it("the same claimer twice in one block: the second fails with AlreadyReimbursedBy(billId, claimer)", async function () {
    const { registry, socialSecurity, billId } = await loadFixture(issuedBillFixture);
    const receipts = await inOneBlock([
      () => registry.connect(socialSecurity).reimburse(billId, 100n, ethers.id("claim-a"), GAS),
      () => registry.connect(socialSecurity).reimburse(billId, 100n, ethers.id("claim-b"), GAS),
    ]);
    expect(receipts.map((r) => r.status)).to.deep.equal([1, 0]);
    const error = await revertErrorOf(registry, receipts[1]);
    expect(error.name).to.equal("AlreadyReimbursedBy");
    expect(error.args.toArray()).to.deep.equal([billId, socialSecurity.address]);
    expect(await readBill(registry, billId)).to.include({ reimbursed: 100n });
  });

  it("void and reimburse in one block: exactly one wins and the bill is either Voided unpaid or paid and live", async function () {
    const { registry, hospitalA, insurer, billId, bill } = await loadFixture(issuedBillFixture);
    const receipts = await inOneBlock([
      () => registry.connect(insurer).reimburse(billId, bill.amount, ethers.id("claim"), GAS),
      () => registry.connect(hospitalA).voidBill(billId, ethers.id("reason"), ZERO_HASH, GAS),
    ]);
    const { winner, losers } = exactlyOneWinner(receipts);
    const error = await revertErrorOf(registry, receipts[losers[0]]);
    const stored = await readBill(registry, billId);
    if (winner === 0) {
      expect(error.name).to.equal("BillNotVoidable");
      expect(error.args.toArray()).to.deep.equal([billId, BigInt(BillStatus.Reimbursed)]);
      expect(stored).to.include({ status: BillStatus.Reimbursed, reimbursed: bill.amount });
    } else {
      expect(error.name).to.equal("BillNotReimbursable");
      expect(error.args.toArray()).to.deep.equal([billId, BigInt(BillStatus.Voided)]);
      expect(stored).to.include({ status: BillStatus.Voided, reimbursed: 0n });
    }
  });

  it("the same bill number issued twice in one block (cashier and bulk import): the second fails", async function () {
    const { registry, hospitalB } = await loadFixture(issuedBillFixture);
    const bill = makeBill("double-entry");
    const id = billIdOf(hospitalB.address, bill.billNumber);
    const receipts = await inOneBlock([
      () => registry.connect(hospitalB).issue(bill, GAS),
      () => registry.connect(hospitalB).issueBatch([makeBill("other"), { ...bill, amount: 1n }], GAS),
    ]);
    expect(receipts.map((r) => r.status)).to.deep.equal([1, 0]);
    const error = await revertErrorOf(registry, receipts[1]);
    expect(error.name).to.equal("BatchItemInvalid");
    expect(error.args.toArray()).to.deep.equal([1n, id, registry.interface.getError("BillAlreadyIssued")!.selector]);
    expect(await readBill(registry, id)).to.include({ status: BillStatus.Issued, amount: bill.amount });
    // The batch was atomic: its first, valid bill is not there either.
    expect((await readBill(registry, billIdOf(hospitalB.address, makeBill("other").billNumber))).status).to.equal(
      BillStatus.None,
    );
  });
});
