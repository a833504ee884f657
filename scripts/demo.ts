/**
 * The whole MedBill story on one chain, printed readably:
 *
 *   npm run demo                                                          # in-process network, no set-up
 *   MEDBILL_RPC_URL=http://127.0.0.1:8545 npx hardhat run scripts/demo.ts --network rpc   # any JSON-RPC node
 *
 * The finance bureau deploys the registry and admits the members; a Hangzhou hospital issues a bill and a batch;
 * the bill's QR payload; the social-security fund reimburses 70 % and the insurer the remaining 30 %; a second
 * claim by the fund and an over-claim are refused; a wrong bill is voided and replaced; a tampered document fails
 * verification; a stranger cannot issue; a bill reaches its patient by pickup code and another in a patient card's
 * inbox, through the delivery service started in-process. The last line is a JSON summary (`DEMO_SUMMARY {...}`) for tools and tests.
 */
import hre from "hardhat";
import { ContractError, MedBillClient, billQr, formatYuan, randomSalt, type MedicalBill, type Verdict } from "../src";
import type { ConsortiumMember as Member } from "../src/consortium";
import { bindConsortium, readConsortiumFile } from "../src/consortium-accounts";
import { deployRegistry } from "./deploy";
import { deliveryChapter } from "./lib/demo-delivery";
import { formatDemoSummary, type DemoSummary } from "./lib/demo-summary";

const rule = (title: string): void => console.log(`\n── ${title} ${"─".repeat(Math.max(0, 76 - title.length))}`);
const yuan = (fen: bigint): string => `¥${formatYuan(fen)}`;

function bill(overrides: Partial<MedicalBill> & Pick<MedicalBill, "billNumber">): MedicalBill {
  const items = overrides.items ?? [
    { name: "门诊诊查费 Outpatient consultation", quantity: 1, unitPrice: 2_500n },
    { name: "血常规 Complete blood count", quantity: 1, unitPrice: 2_800n },
    { name: "胸部CT Chest CT scan", quantity: 1, unitPrice: 38_000n },
    { name: "阿莫西林胶囊 Amoxicillin capsules 0.25 g", quantity: 3, unitPrice: 1_450n },
  ];
  return {
    hospital: "杭州市第一人民医院 Hangzhou First People's Hospital",
    billCode: "33010124",
    patientName: "张伟",
    patientId: "330106198503071234",
    department: "呼吸内科 Respiratory medicine",
    currency: "CNY",
    issuedOn: "2026-11-25",
    salt: randomSalt(), // 32 random bytes per bill, chosen by the hospital: no bill can be confirmed by guessing
    ...overrides,
    items,
    total: overrides.total ?? items.reduce((sum, item) => sum + item.unitPrice * BigInt(item.quantity), 0n),
  };
}

/** Runs `action`, expecting the registry to refuse it; returns the refusal's error name. */
async function refused(what: string, action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ContractError) {
      console.log(`  ✗ ${what}: refused with ${error.errorName} — ${error.message}`);
      return error.errorName;
    }
    throw error;
  }
  throw new Error(`${what} was accepted, but the registry must refuse it`);
}

async function main(): Promise<void> {
  const consortium = readConsortiumFile(hre.config.paths.root);
  const directory = bindConsortium(consortium, (await hre.ethers.provider.getNetwork()).chainId);
  const member = (id: string): Member => {
    const found = consortium.members.find((m) => m.id === id);
    if (found === undefined) throw new Error(`${consortium.source} has no member "${id}"`);
    return found;
  };
  const as = async (id: string): Promise<MedBillClient> =>
    MedBillClient.connect(registry, directory.wallet(member(id), hre.ethers.provider));
  const name = (id: string): string => `${member(id).nameZh ?? ""} ${member(id).name}`.trim();

  rule(`1. The finance bureau deploys the registry on network "${hre.network.name}"`);
  const deployment = await deployRegistry(hre, { log: (line) => console.log(`  ${line}`) });
  const registry = deployment.address;
  for (const m of consortium.members) {
    console.log(`  ${m.role.padEnd(8)} ${m.id.padEnd(17)} ${name(m.id)}  ${directory.addressOf(m)}`);
  }

  const hospital = await as("hz-hospital");
  const fund = await as("social-security");
  const insurer = await as("insurer");
  const stranger = await as("payment-platform");
  const hospitalAddress = directory.addressOf(member("hz-hospital"));
  const run = Date.now().toString(36).toUpperCase(); // fresh bill numbers on every run against a persistent node

  rule(`2. ${name("hz-hospital")} issues a bill at the cashier`);
  const document = bill({ billNumber: `${run}0001` });
  const issued = await hospital.issue(document);
  console.log(
    `  Bill ${document.billCode}-${document.billNumber} for patient ${document.patientName}: ${yuan(document.total)}`,
  );
  for (const item of document.items) {
    console.log(`    ${item.name.padEnd(44)} ${String(item.quantity).padStart(3)} × ${yuan(item.unitPrice)}`);
  }
  console.log(`  billId      ${issued.billId}`);
  console.log(`  contentHash ${issued.input.contentHash} (EIP-712 hash of the document; the document stays off chain)`);
  console.log(`  salt        ${document.salt} (random, in the document: a guessed bill cannot be confirmed)`);
  console.log(`  patientRef  ${issued.input.patientRef} (salted commitment of the patient's id; no id on chain)`);
  console.log(`  gas used    ${issued.gasUsed}`);

  rule("3. ...and a batch from its billing system (one atomic transaction)");
  const batch = Array.from({ length: 5 }, (_, i) =>
    bill({
      billNumber: `${run}${String(i + 2).padStart(4, "0")}`,
      patientName: ["李娜", "王芳", "刘洋", "陈静", "杨磊"][i],
      patientId: `33010219900101${String(1000 + i)}`,
      items: [{ name: "门诊诊查费 Outpatient consultation", quantity: 1, unitPrice: 2_500n + BigInt(i) * 1_000n }],
    }),
  );
  const many = await hospital.issueMany(batch);
  console.log(`  ${many.issued} bills issued in ${many.transactions.length} transaction(s), ${many.gasUsed} gas`);
  console.log(`  (${many.gasUsed / BigInt(Math.max(1, many.issued))} gas per bill)`);

  rule("4. The bill's QR code: chain, registry, bill id and content hash; no personal data");
  const qr = await billQr(issued.uri);
  console.log(`  ${issued.uri}`);
  console.log(qr.terminal.replace(/^/gm, "  "));
  const scanned = await MedBillClient.fromUri(issued.uri, hre.ethers.provider);
  const scan = await scanned.verify(issued.uri, document);
  console.log(`  A patient scans it and checks the document against the chain: ${scan.verdict.toUpperCase()}`);

  rule(`5. ${name("social-security")} reimburses 70 %`);
  const refusals: Record<string, string> = {};
  const seventy = (document.total * 70n) / 100n;
  const rest = document.total - seventy;
  const first = await fund.reimburse(issued.billId, seventy, `SS-${run}-0001`);
  console.log(
    `  social security paid ${yuan(first.amount)} (claim SS-${run}-0001), total ${yuan(first.totalReimbursed)}`,
  );
  console.log(`  gas used ${first.gasUsed}`);

  rule("6. Double-dipping and over-claims are refused by the contract itself");
  refusals.fundClaimsAgain = await refused(`The fund claims the remaining ${yuan(rest)} as well`, () =>
    fund.reimburse(issued.billId, rest, `SS-${run}-0002`),
  );
  refusals.overClaim = await refused(`The insurer asks for ${yuan(rest + 1n)}, one fen more than is left`, () =>
    insurer.reimburse(issued.billId, rest + 1n, `INS-${run}-0001`),
  );

  rule(`7. ${name("insurer")} reimburses the remaining 30 %`);
  const second = await insurer.reimburse(issued.billId, rest, `INS-${run}-0001`);
  console.log(`  insurer paid ${yuan(second.amount)} (claim INS-${run}-0001), total ${yuan(second.totalReimbursed)}`);
  const after = await hospital.getBill(issued.billId);
  console.log(`  status ${after?.status}: reimbursed ${yuan(after?.reimbursed ?? 0n)} of ${yuan(after?.amount ?? 0n)}`);
  refusals.claimReimbursed = await refused("The fund tries once more on the settled bill", () =>
    fund.reimburse(issued.billId, 1n, `SS-${run}-0003`),
  );

  rule("8. A wrong bill is voided and replaced");
  const wrong = many.billIds[1];
  const corrected = bill({
    billNumber: `${run}0099`,
    patientName: batch[1].patientName,
    patientId: batch[1].patientId,
    items: [{ name: "门诊诊查费 Outpatient consultation (corrected)", quantity: 1, unitPrice: 3_000n }],
  });
  const replacement = await hospital.issue(corrected);
  const voided = await hospital.voidBill(wrong, "WRONG-AMOUNT", replacement.billId);
  console.log(
    `  bill ${wrong.slice(0, 10)}… voided (reason WRONG-AMOUNT), replaced by ${replacement.billId.slice(0, 10)}…`,
  );
  console.log(`  gas used ${voided.gasUsed}`);
  refusals.reimburseVoided = await refused("The fund tries to reimburse the voided bill", () =>
    fund.reimburse(wrong, 100n, `SS-${run}-0004`),
  );
  const verdicts: Record<string, Verdict> = { scannedDocument: scan.verdict };
  verdicts.voided = (await fund.verify(batch[1], hospitalAddress)).verdict;
  console.log(`  Verifying the voided bill's document: ${verdicts.voided.toUpperCase()}`);

  rule("9. A tampered document fails verification");
  verdicts.original = (await fund.verify(document, hospitalAddress)).verdict;
  const tampered: MedicalBill = bill({
    billNumber: document.billNumber,
    salt: document.salt,
    items: [...document.items.slice(0, 3), { name: document.items[3].name, quantity: 30, unitPrice: 1_450n }],
  });
  verdicts.tampered = (await fund.verify(tampered, hospitalAddress)).verdict;
  console.log(`  the original document:              ${verdicts.original.toUpperCase()}`);
  console.log(`  the same bill with 30 capsules:     ${verdicts.tampered.toUpperCase()} (${yuan(tampered.total)})`);

  rule(`10. A stranger (${name("payment-platform")}) cannot issue bills`);
  refusals.strangerIssues = await refused("The payment platform issues a bill", () =>
    stranger.issue(bill({ billNumber: `${run}0666` })),
  );

  rule("11. The bill's history, as any party sees it");
  for (const entry of await scanned.history(issued.billId)) {
    const at = new Date(entry.blockTime * 1000).toISOString();
    const who = entry.kind === "reimbursed" ? entry.claimer : entry.issuer;
    const label = directory.memberAt(who)?.id ?? who;
    const what = entry.kind === "reimbursed" ? ` ${yuan(entry.amount)}, total ${yuan(entry.totalReimbursed)}` : "";
    console.log(`  block ${entry.blockNumber} ${at} ${entry.kind.padEnd(10)} by ${label}${what}`);
  }

  rule("12. Bills reach patients: a pickup code on the examination record, and a patient card");
  const delivery = await deliveryChapter(
    hospital,
    scanned,
    (billNumber, patientName, patientId) => bill({ billNumber, patientName, patientId }),
    run,
  );

  const summary: DemoSummary = {
    chainId: deployment.chainId.toString(),
    registry,
    billId: issued.billId,
    uri: issued.uri,
    batchIssued: many.issued,
    reimbursedBySocialSecurity: (
      await fund.reimbursedBy(issued.billId, directory.addressOf(member("social-security")))
    ).toString(),
    reimbursedByInsurer: (await fund.reimbursedBy(issued.billId, directory.addressOf(member("insurer")))).toString(),
    finalStatus: after?.status ?? "None",
    refusals,
    verdicts,
    voidedBill: wrong,
    replacementBill: replacement.billId,
    delivery,
  };
  console.log(`\n${formatDemoSummary(summary)}`);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
