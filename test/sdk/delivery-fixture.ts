import { billIdOf, billNumberOf, encodeBillUri, hashBill, type MedicalBill } from "../../src";
import { sampleBill } from "./fixture";

export const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
export const SERVICE = "https://pay.example.cn/medbill";

/** A bill document and its URI on a fixed registry (no chain needed). */
export function deliveredSample(n = 1): { uri: string; bill: MedicalBill } {
  const bill = sampleBill(n);
  const contentHash = hashBill(bill, { chainId: 31337n, verifyingContract: REGISTRY });
  const billId = billIdOf(ISSUER, billNumberOf(bill));
  return { bill, uri: encodeBillUri({ chainId: 31337n, registry: REGISTRY, billId, contentHash }) };
}

/** Everything a string holds once base64url fields are decoded too: for searching it for plaintext. */
export function withDecodedFields(text: string): string {
  const decoded = [...text.matchAll(/[A-Za-z0-9_-]{16,}/g)].map((m) => Buffer.from(m[0], "base64url").toString("utf8"));
  return [text, ...decoded].join("\n");
}
