import { ZeroHash, getAddress } from "ethers";
import {
  InvalidBillError,
  InvalidUriError,
  NoContractError,
  NodeUnreachableError,
  WrongChainError,
  bytes32Text,
  decodeBillUri,
  parseBillJson,
  type BillUri,
  type MedBillClient,
  type MedicalBill,
  type Verification,
} from "../../src";
import { connectLedger } from "./ledger";
import { hospitals } from "./members";
import type { BillFacts, HistoryEntry, Outcome, Source } from "./outcome";

/** Where to check: the node, and the consortium's registry when known. */
export interface Ledger {
  /** The node's JSON-RPC URL. */
  readonly rpcUrl: string;
  /** The consortium's registry; a URI naming another one is refused. Needed for a bill file. */
  readonly registry?: string;
  /** Why the server could not name the registry, if it could not. */
  readonly note?: string;
}

/**
 * Checks the bill behind a bill URI (a QR code's payload): one read of the registry it names, on the node.
 *
 * @param uri - `medbill:<chainId>/<registry>/<billId>?h=<contentHash>`.
 * @param ledger - Where to check.
 * @returns The verdict, or the problem that prevented one.
 */
export async function checkUri(uri: string, ledger: Ledger): Promise<Outcome> {
  if (uri === "") return { kind: "problem", problem: "malformed-uri", detail: "the bill URI is empty" };
  let parts: BillUri;
  try {
    parts = decodeBillUri(uri);
  } catch (error) {
    return { kind: "problem", problem: "malformed-uri", detail: messageOf(error) };
  }
  const source: Source = { rpcUrl: ledger.rpcUrl, chainId: parts.chainId, registry: parts.registry };
  const expected = configuredRegistry(ledger);
  if (expected instanceof Error) return { kind: "problem", problem: "no-registry", detail: expected.message, source };
  // A QR code could name any contract; only the consortium's registry is trusted when the page knows it.
  if (expected && expected !== parts.registry) {
    return {
      kind: "problem",
      problem: "wrong-registry",
      detail: `the bill names registry ${parts.registry}; this page checks the consortium's registry ${expected}`,
      source,
    };
  }
  return withClient(ledger.rpcUrl, parts.registry, parts.chainId, source, async (client) =>
    describe(client, await client.verify(uri), source),
  );
}

/**
 * Checks a bill document (the JSON file the hospital gave the patient). It is validated and hashed here, in the
 * page; only the bill's id is looked up on the ledger: nothing of the document leaves the page.
 *
 * @param json - The file's text.
 * @param name - The file's name, for messages.
 * @param ledger - Where to check; the registry is required (the hash is bound to it).
 * @returns The verdict, or the problem that prevented one.
 */
export async function checkDocument(json: string, name: string, ledger: Ledger): Promise<Outcome> {
  let bill: MedicalBill;
  try {
    bill = parseBillJson(json);
  } catch (error) {
    const detail = error instanceof InvalidBillError ? error.message : messageOf(error);
    return { kind: "problem", problem: "bad-file", detail: `${name}: ${detail}` };
  }
  const registry = configuredRegistry(ledger);
  if (registry instanceof Error || registry === undefined) {
    const why = registry instanceof Error ? registry.message : ledger.note;
    return {
      kind: "problem",
      problem: "no-registry",
      detail: `a bill file is checked against the consortium's registry: enter its address in the ledger settings${why ? ` (${why})` : ""}`,
      source: { rpcUrl: ledger.rpcUrl },
    };
  }
  const source: Source = { rpcUrl: ledger.rpcUrl, registry };
  return withClient(ledger.rpcUrl, registry, undefined, source, async (client) => {
    const checked: Source = { ...source, chainId: client.chainId };
    // The document names its hospital, not the hospital's account: try the member of that name first, then every
    // other hospital of the consortium (a bill id is bound to its issuer, so at most one can match).
    let first: Verification | undefined;
    for (const hospital of hospitals(bill.hospital)) {
      const verification = await client.verify(bill, hospital.address);
      if (verification.verdict !== "unknown") {
        return { ...(await describe(client, verification, checked)), fileTotal: bill.total };
      }
      first ??= verification;
    }
    const billId = first?.billId ?? `${bill.billCode}-${bill.billNumber}`;
    return { kind: "verdict", verdict: "unknown", billId, source: checked, fileTotal: bill.total };
  });
}

/** The registry of the settings, checksummed; an Error when what was entered is not an address. */
function configuredRegistry(ledger: Ledger): string | undefined | Error {
  if (!ledger.registry) return undefined;
  try {
    return getAddress(ledger.registry);
  } catch {
    return new Error(`"${ledger.registry}" is not a valid registry address`);
  }
}

/** Connects, runs `work`, and turns what can go wrong on the way into a problem the page can show. */
async function withClient(
  rpcUrl: string,
  registry: string,
  chainId: bigint | undefined,
  source: Source,
  work: (client: MedBillClient) => Promise<Outcome>,
): Promise<Outcome> {
  try {
    return await work(await connectLedger(rpcUrl, registry, chainId));
  } catch (error) {
    if (error instanceof NodeUnreachableError) {
      return { kind: "problem", problem: "unreachable", detail: error.message, source };
    }
    if (error instanceof WrongChainError) {
      return {
        kind: "problem",
        problem: "wrong-chain",
        detail: `the bill is on chain ${error.expected}; the node at ${rpcUrl} serves chain ${error.actual}`,
        source: { ...source, chainId: error.actual },
      };
    }
    if (error instanceof NoContractError)
      return { kind: "problem", problem: "no-contract", detail: error.message, source };
    if (error instanceof InvalidUriError)
      return { kind: "problem", problem: "malformed-uri", detail: error.message, source };
    return { kind: "problem", problem: "other", detail: messageOf(error), source };
  }
}

/** Everything the page shows about a verified bill: the SDK's verdict, plus its payers, history and replacement. */
async function describe(client: MedBillClient, verification: Verification, source: Source): Promise<Outcome> {
  const { verdict, billId, bill } = verification;
  if (bill === null) return { kind: "verdict", verdict, billId, source };
  const events = await client.history(billId);
  const history: HistoryEntry[] = events.map((event) => ({
    kind: event.kind,
    at: event.blockTime > 0 ? new Date(event.blockTime * 1000) : undefined,
    actor: event.kind === "reimbursed" ? event.claimer : event.issuer,
    amount: event.kind === "voided" ? undefined : event.amount,
    txHash: event.txHash,
    reason: event.kind === "voided" ? bytes32Text(event.reason) : undefined,
  }));
  const voided = events.find((event) => event.kind === "voided");
  const replacementId = voided && voided.replacementId !== ZeroHash ? voided.replacementId : undefined;
  let replacementUri: string | undefined;
  if (replacementId) {
    const replacement = await client.getBill(replacementId);
    if (replacement) replacementUri = client.billUri(replacementId, replacement.contentHash);
  }
  const facts: BillFacts = {
    billId,
    issuer: bill.issuer,
    status: bill.status === "None" ? "Issued" : bill.status,
    amount: bill.amount,
    reimbursed: bill.reimbursed,
    remaining: bill.remaining,
    payments: history
      .filter((entry) => entry.kind === "reimbursed")
      .map((entry) => ({ claimer: entry.actor, amount: entry.amount ?? 0n, at: entry.at })),
    history,
    replacementId,
    replacementUri,
  };
  return { kind: "verdict", verdict, billId, bill: facts, source };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
