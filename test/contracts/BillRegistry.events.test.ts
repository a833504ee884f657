import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZERO_HASH, billIdOf, deployRegistryFixture, makeBill, type RegistryFixture } from "./fixtures";

const PATIENT = ethers.keccak256(
  ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [ethers.id("salt"), ethers.id("patient-id")]),
);
const OTHER_PATIENT = ethers.id("someone else");
const SS_CLAIM = ethers.id("SS-2024-0001");
const INS_CLAIM = ethers.id("INS-2024-0042");

/** Several bills for two patients at two hospitals, reimbursed by both payers, one voided and replaced. */
async function historyFixture() {
  const f: RegistryFixture = await deployRegistryFixture();
  const a1 = makeBill("a1", { patientRef: PATIENT });
  const a2 = makeBill("a2", { patientRef: OTHER_PATIENT });
  const a3 = makeBill("a3", { patientRef: PATIENT });
  const b1 = makeBill("b1", { patientRef: PATIENT });
  await f.registry.connect(f.hospitalA).issue(a1);
  await f.registry.connect(f.hospitalA).issueBatch([a2, a3]);
  await f.registry.connect(f.hospitalB).issue(b1);
  const ids = {
    a1: billIdOf(f.hospitalA.address, a1.billNumber),
    a2: billIdOf(f.hospitalA.address, a2.billNumber),
    a3: billIdOf(f.hospitalA.address, a3.billNumber),
    b1: billIdOf(f.hospitalB.address, b1.billNumber),
  };
  await f.registry.connect(f.socialSecurity).reimburse(ids.a1, 1_000n, SS_CLAIM);
  await f.registry.connect(f.insurer).reimburse(ids.a1, 2_000n, INS_CLAIM);
  await f.registry.connect(f.socialSecurity).reimburse(ids.b1, 500n, ethers.id("SS-2024-0002"));
  await f.registry.connect(f.hospitalA).voidBill(ids.a2, ethers.id("wrong patient"), ids.a3);
  return { ...f, ids };
}

describe("BillRegistry.events (indexed topics answer the users' queries)", function () {
  it("declares exactly the indexed parameters of docs/DESIGN.md", async function () {
    const { registry } = await loadFixture(deployRegistryFixture);
    const indexed = (name: "BillIssued" | "BillReimbursed" | "BillVoided") =>
      registry.interface
        .getEvent(name)
        ?.inputs.filter((p) => p.indexed)
        .map((p) => p.name);
    expect(indexed("BillIssued")).to.deep.equal(["billId", "issuer", "patientRef"]);
    expect(indexed("BillReimbursed")).to.deep.equal(["billId", "claimer", "claimRef"]);
    expect(indexed("BillVoided")).to.deep.equal(["billId", "issuer", "replacementId"]);
  });

  it("BillIssued(undefined, undefined, patientRef) finds all of a patient's bills across hospitals, and only them", async function () {
    const { registry, ids } = await loadFixture(historyFixture);
    const events = await registry.queryFilter(registry.filters.BillIssued(undefined, undefined, PATIENT));
    expect(events.map((e) => e.args.billId)).to.deep.equal([ids.a1, ids.a3, ids.b1]);
    for (const e of events) expect(e.args.patientRef).to.equal(PATIENT);
    const other = await registry.queryFilter(registry.filters.BillIssued(undefined, undefined, OTHER_PATIENT));
    expect(other.map((e) => e.args.billId)).to.deep.equal([ids.a2]);
  });

  it("BillIssued(undefined, issuer) lists one hospital's bills; BillIssued(billId) finds one bill's issue", async function () {
    const { registry, hospitalA, hospitalB, ids } = await loadFixture(historyFixture);
    const byA = await registry.queryFilter(registry.filters.BillIssued(undefined, hospitalA.address));
    expect(byA.map((e) => e.args.billId)).to.deep.equal([ids.a1, ids.a2, ids.a3]);
    const byB = await registry.queryFilter(registry.filters.BillIssued(undefined, hospitalB.address));
    expect(byB.map((e) => e.args.billId)).to.deep.equal([ids.b1]);
    const one = await registry.queryFilter(registry.filters.BillIssued(ids.a3));
    expect(one.length).to.equal(1);
    expect(one[0].args.issuer).to.equal(hospitalA.address);
  });

  it("BillReimbursed(undefined, claimer) lists one payer's payments, BillReimbursed(undefined, undefined, claimRef) finds a claim", async function () {
    const { registry, socialSecurity, insurer, ids } = await loadFixture(historyFixture);
    const bySS = await registry.queryFilter(registry.filters.BillReimbursed(undefined, socialSecurity.address));
    expect(bySS.map((e) => [e.args.billId, e.args.amount])).to.deep.equal([
      [ids.a1, 1_000n],
      [ids.b1, 500n],
    ]);
    const byInsurer = await registry.queryFilter(registry.filters.BillReimbursed(undefined, insurer.address));
    expect(byInsurer.map((e) => e.args.billId)).to.deep.equal([ids.a1]);

    const claim = await registry.queryFilter(registry.filters.BillReimbursed(undefined, undefined, INS_CLAIM));
    expect(claim.length).to.equal(1);
    expect(claim[0].args.billId).to.equal(ids.a1);
    expect(claim[0].args.claimer).to.equal(insurer.address);
    expect(claim[0].args.amount).to.equal(2_000n);
    expect(claim[0].args.totalReimbursed).to.equal(3_000n);

    const history = await registry.queryFilter(registry.filters.BillReimbursed(ids.a1));
    expect(history.map((e) => e.args.claimRef)).to.deep.equal([SS_CLAIM, INS_CLAIM]);
  });

  it("BillVoided(undefined, undefined, undefined, replacementId) finds the bill a replacement replaces", async function () {
    const { registry, hospitalA, ids } = await loadFixture(historyFixture);
    const replaced = await registry.queryFilter(registry.filters.BillVoided(undefined, undefined, undefined, ids.a3));
    expect(replaced.length).to.equal(1);
    expect(replaced[0].args.billId).to.equal(ids.a2);
    expect(replaced[0].args.issuer).to.equal(hospitalA.address);
    expect(replaced[0].args.reason).to.equal(ethers.id("wrong patient"));
    expect(
      await registry.queryFilter(registry.filters.BillVoided(undefined, undefined, undefined, ids.b1)),
    ).to.deep.equal([]);
  });

  it("a void without replacement is found under the zero replacementId", async function () {
    const { registry, hospitalB, ids } = await loadFixture(historyFixture);
    const b2 = makeBill("b2");
    await registry.connect(hospitalB).issue(b2);
    const id = billIdOf(hospitalB.address, b2.billNumber);
    await registry.connect(hospitalB).voidBill(id, ethers.id("duplicate"), ZERO_HASH);
    const unreplaced = await registry.queryFilter(
      registry.filters.BillVoided(undefined, undefined, undefined, ZERO_HASH),
    );
    expect(unreplaced.map((e) => e.args.billId)).to.deep.equal([id]);
    expect(unreplaced[0].args.billId).to.not.equal(ids.a2);
  });
});
