/**
 * Verifies a medical e-bill from its QR code's URI, using only the published SDK:
 *
 *   node dist/main.js <node-url> <bill-uri> [bill.json]
 *
 * Prints the verdict (genuine, tampered, unknown or voided) and the bill's amounts; exits 0 when genuine, 1 for any
 * other verdict, 2 on an error (malformed URI, node unreachable, wrong chain, no registry at the address).
 */
import { readFileSync } from "node:fs";
import { JsonRpcProvider } from "ethers";
import { MedBillClient, MedBillError, decodeBillUri, formatYuan, parseBillJson, type MedicalBill } from "medbill";

async function main(): Promise<number> {
  const [url, uri, documentFile] = process.argv.slice(2);
  if (!url || !uri) {
    console.error("usage: node dist/main.js <node-url> <bill-uri> [bill.json]");
    return 2;
  }
  const bill = decodeBillUri(uri);
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    const client = await MedBillClient.fromUri(uri, provider, { timeoutMs: 10_000 });
    const document: MedicalBill | undefined = documentFile
      ? parseBillJson(readFileSync(documentFile, "utf8"))
      : undefined;
    const { verdict, bill: onChain } = await client.verify(uri, document);
    console.log(`verdict: ${verdict}`);
    console.log(`bill: ${bill.billId} on chain ${bill.chainId}, registry ${bill.registry}`);
    if (onChain) {
      console.log(`status: ${onChain.status}`);
      console.log(`amount: ¥${formatYuan(onChain.amount)}, reimbursed ¥${formatYuan(onChain.reimbursed)}`);
    }
    return verdict === "genuine" ? 0 : 1;
  } finally {
    provider.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MedBillError) console.error(`error: ${error.name} (${error.code}): ${error.message}`);
    else console.error(error);
    process.exit(2);
  },
);
