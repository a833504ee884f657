import { expect } from "chai";
import { AlreadyReimbursedError, BillAlreadyIssuedError, UnauthorizedError, PausedError } from "../../src";
import { registryFixture, rejection, sampleBill } from "./fixture";

describe("sdk smoke", () => {
  it("issues, reimburses, verifies, decodes errors", async () => {
    const f = await registryFixture();
    const r = await f.hospital.issue(sampleBill(1));
    expect(r.billId).to.match(/^0x[0-9a-f]{64}$/);
    const dup = await rejection(f.hospital.issue(r.input));
    expect(dup).to.be.instanceOf(BillAlreadyIssuedError);
    await f.socialSecurity.reimburse(r.billId, 1000n, "SS-1");
    const again = await rejection(f.socialSecurity.reimburse(r.billId, 1000n, "SS-2"));
    expect(again).to.be.instanceOf(AlreadyReimbursedError);
    expect((again as AlreadyReimbursedError).claimer).to.equal(f.signers.socialSecurity.address);
    const unauth = await rejection(f.outsider.issue(sampleBill(2)));
    expect(unauth).to.be.instanceOf(UnauthorizedError);
    expect((await f.reader.verify(r.uri)).verdict).to.equal("genuine");
    await f.admin.pause();
    expect(await rejection(f.hospital.issue(sampleBill(3)))).to.be.instanceOf(PausedError);
    await f.admin.unpause();
    const many = await f.hospital.issueMany(Array.from({ length: 650 }, (_, i) => sampleBill(100 + i)));
    expect(many.issued).to.equal(650);
    const rerun = await f.hospital.issueMany(
      Array.from({ length: 700 }, (_, i) => ({
        document: sampleBill(100 + i),
        salt: many.salts[i] ?? "0x" + "11".repeat(32),
      })),
    );
    expect(rerun.skipped).to.equal(650);
    expect(rerun.issued).to.equal(50);
    const h = await f.reader.history(r.billId);
    expect(h.map((e) => e.kind)).to.deep.equal(["issued", "reimbursed"]);
  });
});
