/**
 * @internal What the client's actions share: the contract, its transaction pipeline and its log reader.
 */
import type { BillRegistry } from "../../typechain-types/contracts/BillRegistry";
import type { WriteResult } from "../client-types";
import type { LogReader } from "../logs";
import type { Mined, TxSender } from "../pipeline/sender";
import type { PayerLedgers } from "./reimburse-judge";

/** The client's parts an action uses. */
export interface ActionContext {
  /** The registry's address (checksummed). */
  readonly address: string;
  /** The TypeChain contract (estimates and reads). */
  readonly contract: BillRegistry;
  /** The transaction pipeline. */
  readonly sender: TxSender;
  /** The event log reader. */
  readonly logs: LogReader;
  /** Payers' ledgers read by `reimburseMany`, kept for the client's later calls (which read only new blocks). */
  readonly ledgers: PayerLedgers;
}

/** A write's result from its receipt. */
export function writeResult(receipt: Mined): WriteResult {
  return { txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}
