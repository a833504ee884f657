import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parseDemoSummary, type DemoSummary } from "../../scripts/lib/demo-summary";

const ROOT = path.resolve(__dirname, "..", "..");

/** Runs `npm run demo` exactly as the README tells a new user, and checks the story's outcomes. */
describe("npm run demo (in-process network)", function () {
  let output = "";

  before(async function () {
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "demo"], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    output = stdout;
  });

  const summary = (): DemoSummary => parseDemoSummary(output);

  it("deploys, issues a bill and a batch of five, and prints the bill's URI", function () {
    const s = summary();
    expect(s.chainId).to.equal("31337");
    expect(s.batchIssued).to.equal(5);
    expect(s.uri).to.match(/^medbill:31337\/0x[0-9a-fA-F]{40}\/0x[0-9a-f]{64}\?h=0x[0-9a-f]{64}$/);
    expect(output).to.contain(s.uri);
  });

  it("splits the bill 70/30 between the fund and the insurer and ends Reimbursed", function () {
    const s = summary();
    expect(BigInt(s.reimbursedBySocialSecurity) + BigInt(s.reimbursedByInsurer)).to.equal(47650n);
    expect(s.reimbursedBySocialSecurity).to.equal("33355");
    expect(s.finalStatus).to.equal("Reimbursed");
    expect(output).to.contain("¥333.55").and.to.contain("¥142.95");
  });

  it("shows each refusal by its error name", function () {
    expect(summary().refusals).to.deep.equal({
      fundClaimsAgain: "AlreadyReimbursedBy",
      overClaim: "ReimbursementExceedsBalance",
      claimReimbursed: "BillNotReimbursable",
      reimburseVoided: "BillNotReimbursable",
      strangerIssues: "AccessControlUnauthorizedAccount",
    });
  });

  it("verifies the genuine, tampered and voided documents", function () {
    expect(summary().verdicts).to.deep.equal({
      scannedDocument: "genuine",
      voided: "voided",
      original: "genuine",
      tampered: "tampered",
    });
  });

  it("delivers one bill by pickup code and one to a patient card, both collected and verified genuine", function () {
    expect(summary().delivery).to.deep.equal({ pickup: "genuine", card: "genuine", inbox: 1, otherInbox: 0 });
    expect(output).to.match(
      /pickup link \(on the examination record\): http:\/\/127\.0\.0\.1:\d+\/pickup\/[\w-]{22}#[\w-]{43}/,
    );
  });
});
