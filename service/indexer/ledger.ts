/**
 * The reconciliation ledger's row, as `GET /v1/reimbursements` answers it in JSON and CSV. Thin on purpose: when
 * the SDK's ledger row module (settlement, issue 13) lands, this file becomes a re-export of it, so there is one
 * row format.
 */

/** One reimbursement as a payer reconciles it. Amounts are fen as decimal strings. */
export interface LedgerRow {
  readonly billId: string;
  readonly claimer: string;
  readonly claimRef: string;
  readonly amount: string;
  readonly totalReimbursed: string;
  readonly blockNumber: number;
  readonly logIndex: number;
  readonly txHash: string;
  readonly blockTime: number;
}

/** The CSV columns, in order. */
export const LEDGER_COLUMNS: readonly (keyof LedgerRow)[] = [
  "billId",
  "claimer",
  "claimRef",
  "amount",
  "totalReimbursed",
  "blockNumber",
  "logIndex",
  "txHash",
  "blockTime",
];

/** The rows as CSV with a header line (no field needs quoting: hex, digits). */
export function ledgerCsv(rows: readonly LedgerRow[]): string {
  const lines = [LEDGER_COLUMNS.join(",")];
  for (const row of rows) lines.push(LEDGER_COLUMNS.map((c) => String(row[c])).join(","));
  return lines.join("\n") + "\n";
}
