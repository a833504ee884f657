import type { MedBillClient } from "../../src/client";

/**
 * The content hashes recorded for bills of one issuer, read from their `BillIssued` events: one `eth_getLogs` per
 * 300 bills and block page instead of one `getBill` per bill. Bills not found in the logs are read with `getBill`.
 *
 * @param client - The registry.
 * @param issuer - The issuer's address (an indexed topic of `BillIssued`).
 * @param billIds - The bills, all issued by `issuer`.
 * @returns Bill id (lower case) → content hash, for the bills on chain.
 */
export async function recordedContentHashes(
  client: MedBillClient,
  issuer: string,
  billIds: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (billIds.length === 0) return found;
  const event = client.contract.interface.getEvent("BillIssued");
  const issuerTopic = "0x" + issuer.slice(2).toLowerCase().padStart(64, "0");
  const latest = await client.provider.getBlockNumber();
  const chunks: string[][] = [];
  for (let k = 0; k < billIds.length; k += 300) chunks.push(billIds.slice(k, k + 300).map((id) => id.toLowerCase()));
  for (const ids of chunks) {
    for (let start = client.fromBlock; start <= latest; start += client.blockRange) {
      const logs = await client.provider.getLogs({
        address: client.address,
        topics: [event.topicHash, ids, issuerTopic],
        fromBlock: start,
        toBlock: Math.min(latest, start + client.blockRange - 1),
      });
      for (const log of logs) {
        const parsed = client.contract.interface.parseLog(log);
        if (parsed !== null) found.set(String(parsed.args.billId).toLowerCase(), String(parsed.args.contentHash));
      }
    }
  }
  for (const id of billIds) {
    if (found.has(id.toLowerCase())) continue;
    const bill = await client.getBill(id);
    if (bill !== null) found.set(id.toLowerCase(), bill.contentHash);
  }
  return found;
}
