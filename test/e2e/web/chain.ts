import { HDNodeWallet, JsonRpcProvider, Network, id, type Signer } from "ethers";
import { DEV_MNEMONIC } from "../../../src/node";
import {
  BillRegistry__factory,
  MedBillClient,
  billToJson,
  parseBill,
  type MedicalBill,
  type MedicalBillJson,
} from "../../../src";

/** One bill issued for the browser tests: its document, id, content hash, QR payload and issue time. */
export interface IssuedBill {
  readonly document: MedicalBill;
  readonly json: MedicalBillJson;
  readonly billId: string;
  readonly contentHash: string;
  readonly uri: string;
  /** Block time of its issue. */
  readonly issuedAt: Date;
}

/** The ledger the browser tests read: a registry on a node with one bill in each state. */
export interface WebTestLedger {
  readonly registry: string;
  readonly chainId: bigint;
  /** Hangzhou, issued, nothing reimbursed. */
  readonly genuine: IssuedBill;
  /** Taizhou, reimbursed in part by social security and then by the insurer. */
  readonly partlyReimbursed: IssuedBill;
  /** Jinhua, voided and replaced by {@link WebTestLedger.replacement}. */
  readonly voided: IssuedBill;
  /** Jinhua's replacement of the voided bill. */
  readonly replacement: IssuedBill;
}

/** A bill document of `hospital` whose total is the sum of `lines`. */
export function billDocument(
  hospital: string,
  billNumber: string,
  lines: Array<[name: string, quantity: number, unitPriceFen: bigint]>,
): MedicalBill {
  const total = lines.reduce((sum, [, quantity, price]) => sum + BigInt(quantity) * price, 0n);
  return parseBill({
    hospital,
    billCode: "33010126",
    billNumber,
    patientName: "张三",
    patientId: "330102199001011234",
    department: "心内科 Cardiology",
    items: lines.map(([name, quantity, unitPrice]) => ({ name, quantity, unitPrice })),
    total,
    currency: "CNY",
    issuedOn: "2026-11-20",
    salt: id(`medbill web test salt ${hospital}/${billNumber}`),
  });
}

/**
 * Deploys a registry on the node at `rpcUrl` (TypeChain factory, development account 0 as the finance bureau),
 * admits the consortium's hospitals and payers, and creates with the SDK a bill in each state the page shows.
 *
 * @param rpcUrl - The node's JSON-RPC URL.
 * @returns The registry and the bills.
 */
export async function setUpLedger(rpcUrl: string): Promise<WebTestLedger> {
  const probe = new JsonRpcProvider(rpcUrl);
  const network = await probe.getNetwork();
  probe.destroy();
  const provider = new JsonRpcProvider(rpcUrl, Network.from(network.chainId), { staticNetwork: true });
  const signer = (index: number): Signer =>
    HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);

  const deployed = await new BillRegistry__factory(signer(0)).deploy(86_400, await signer(0).getAddress());
  await deployed.waitForDeployment();
  const registry = await deployed.getAddress();
  const as = (index: number): Promise<MedBillClient> => MedBillClient.connect(registry, signer(index));
  const [admin, hangzhou, taizhou, jinhua, socialSecurity, insurer] = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((index) => as(index)),
  );
  for (const index of [1, 2, 3]) await admin.grantRole("issuer", await signer(index).getAddress());
  for (const index of [4, 5]) await admin.grantRole("claimer", await signer(index).getAddress());

  const issue = async (hospital: MedBillClient, document: MedicalBill): Promise<IssuedBill> => {
    const issued = await hospital.issue(document);
    const block = await provider.getBlock(issued.blockNumber);
    if (!block) throw new Error(`block ${issued.blockNumber} of the test bill's issue is missing`);
    return {
      document,
      json: billToJson(document),
      billId: issued.billId,
      contentHash: issued.input.contentHash,
      uri: issued.uri,
      issuedAt: new Date(block.timestamp * 1000),
    };
  };

  const genuine = await issue(
    hangzhou,
    billDocument("杭州市第一人民医院", "0000123456", [
      ["CT 检查 CT scan", 1, 68_000n],
      ["阿莫西林胶囊 Amoxicillin", 3, 2_950n],
      ["住院床位费 Ward bed", 4, 13_000n],
    ]),
  );
  const partlyReimbursed = await issue(
    taizhou,
    billDocument("台州市中心医院", "0000200001", [
      ["心脏彩超 Echocardiogram", 1, 160_000n],
      ["住院床位费 Ward bed", 10, 20_000n],
    ]),
  );
  await socialSecurity.reimburse(partlyReimbursed.billId, 252_000n, "SS-2026-0001");
  await insurer.reimburse(partlyReimbursed.billId, 50_000n, "XH-CLAIM-77");

  const voided = await issue(
    jinhua,
    billDocument("金华市中心医院", "0000300001", [["门诊诊查费 Consultation", 1, 5_000n]]),
  );
  const replacement = await issue(
    jinhua,
    billDocument("金华市中心医院", "0000300002", [
      ["门诊诊查费 Consultation", 1, 5_000n],
      ["血常规 Blood count", 1, 2_500n],
    ]),
  );
  await jinhua.voidBill(voided.billId, "WRONG-ITEMS", replacement.billId);

  provider.destroy();
  return { registry, chainId: network.chainId, genuine, partlyReimbursed, voided, replacement };
}
