/**
 * Deterministic synthetic bills for the gas measurements: every field is a keccak hash (so, like a real EIP-712
 * hash or salted commitment, almost every calldata byte is non-zero, the expensive case) and amounts are realistic
 * outpatient and inpatient totals in fen. The same bill fields feed MedBill and the EAS baseline, so both pay for the
 * same calldata.
 */
import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";

/** The fields of `IBillRegistry.BillInput`, with concrete types. */
export interface SyntheticBill {
  billNumber: string;
  patientRef: string;
  contentHash: string;
  amount: bigint;
}

function hashOf(kind: string, index: number, seed: string): string {
  return keccak256(toUtf8Bytes(`medbill-bench/${seed}/${kind}/${index}`));
}

/** Bill number `index` of a run (`seed` keeps separate runs from colliding). Amounts run from 8.00 to 50,007.99 yuan. */
export function syntheticBill(index: number, seed = "gas"): SyntheticBill {
  const amount = 800n + (BigInt(hashOf("amount", index, seed)) % 5_000_000n);
  return {
    billNumber: hashOf("number", index, seed),
    patientRef: hashOf("patient", index, seed),
    contentHash: hashOf("content", index, seed),
    amount,
  };
}

/** The bill's fields ABI-encoded as EAS attestation data for the schema {@link EAS_BILL_SCHEMA}. */
export function easData(bill: SyntheticBill): string {
  return AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "bytes32", "bytes32", "uint256"],
    [bill.billNumber, bill.patientRef, bill.contentHash, bill.amount],
  );
}

/** The EAS schema carrying the same fields as a MedBill `BillInput`. */
export const EAS_BILL_SCHEMA = "bytes32 billNumber,bytes32 patientRef,bytes32 contentHash,uint256 amount";
