import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { ethers } from "hardhat";
import { MedBillClient, type MedicalBill } from "../../src";
import { BillRegistry__factory } from "../../typechain-types/factories/contracts/BillRegistry__factory";

/** A valid bill document; `n` varies the bill number (and the bill's salt, fixed for each `n`). */
export function sampleBill(n = 1, overrides: Partial<MedicalBill> = {}): MedicalBill {
  return {
    hospital: "杭州市第一人民医院",
    billCode: "33060123",
    billNumber: String(n).padStart(10, "0"),
    patientName: "张三",
    patientId: "33010219900101123X",
    department: "Cardiology",
    items: [
      { name: "CT scan", quantity: 1, unitPrice: 32000n },
      { name: "阿莫西林胶囊", quantity: 3, unitPrice: 1550n },
    ],
    total: 36650n,
    currency: "CNY",
    issuedOn: "2024-03-15",
    salt: id(`medbill test bill salt ${n}`),
    ...overrides,
  };
}

/** A fresh registry on the in-process network: signer 0 admin, 1–2 issuers, 3–4 claimers, 5 nobody. */
async function deployed() {
  const [admin, hospital, hospital2, socialSecurity, insurer, outsider] = await ethers.getSigners();
  const registry = await new BillRegistry__factory(admin).deploy(86_400, admin.address);
  await registry.waitForDeployment();
  const address = await registry.getAddress();
  const adminClient = await MedBillClient.connect(address, admin);
  await adminClient.grantRole("issuer", hospital.address);
  await adminClient.grantRole("issuer", hospital2.address);
  await adminClient.grantRole("claimer", socialSecurity.address);
  await adminClient.grantRole("claimer", insurer.address);
  const [hospitalClient, hospital2Client, ssClient, insurerClient, outsiderClient, reader] = await Promise.all([
    MedBillClient.connect(address, hospital),
    MedBillClient.connect(address, hospital2),
    MedBillClient.connect(address, socialSecurity),
    MedBillClient.connect(address, insurer),
    MedBillClient.connect(address, outsider),
    MedBillClient.connect(address, ethers.provider),
  ]);
  return {
    address,
    registry,
    signers: { admin, hospital, hospital2, socialSecurity, insurer, outsider },
    admin: adminClient,
    hospital: hospitalClient,
    hospital2: hospital2Client,
    socialSecurity: ssClient,
    insurer: insurerClient,
    outsider: outsiderClient,
    reader,
  };
}

/** Loads the deployed registry fixture (snapshot-reverted between tests). */
export function registryFixture(): ReturnType<typeof deployed> {
  return loadFixture(deployed);
}

/** Awaits a promise that must reject and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}
