/**
 * @internal The calldata of the registry's batch writes, written out. An array of static tuples is encoded as its
 * offset, its length and the tuples' words in place: what `encodeFunctionData` gives, about ten times faster for a
 * full batch (the tests check both agree).
 */
import { BillRegistry__factory } from "../../typechain-types/factories/contracts/BillRegistry__factory";
import type { BillInput } from "../bill";

const IFACE = BillRegistry__factory.createInterface();
const ISSUE_BATCH_SELECTOR = IFACE.getFunction("issueBatch").selector;
const REIMBURSE_BATCH_SELECTOR = IFACE.getFunction("reimburseBatch").selector;
const HEAD = (32).toString(16).padStart(64, "0");

/** One item of `reimburseBatch`, validated: 32-byte lower-case hex ids and references, fen as a bigint. */
export interface ReimbursementInput {
  readonly billId: string;
  readonly amount: bigint;
  readonly claimRef: string;
}

function word(value: bigint | number): string {
  return value.toString(16).padStart(64, "0");
}

/** @internal The calldata of `issueBatch(BillInput[])` for validated inputs. */
export function encodeIssueBatch(inputs: readonly BillInput[]): string {
  const words = [ISSUE_BATCH_SELECTOR, HEAD, word(inputs.length)];
  for (const input of inputs) {
    words.push(input.billNumber.slice(2), input.patientRef.slice(2), input.contentHash.slice(2), word(input.amount));
  }
  return words.join("");
}

/** @internal The calldata of `reimburseBatch(Reimbursement[])` for validated items. */
export function encodeReimburseBatch(items: readonly ReimbursementInput[]): string {
  const words = [REIMBURSE_BATCH_SELECTOR, HEAD, word(items.length)];
  for (const item of items) words.push(item.billId.slice(2), word(item.amount), item.claimRef.slice(2));
  return words.join("");
}
