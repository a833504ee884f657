/** What `scripts/demo.ts` found, printed as its last line `DEMO_SUMMARY {...}` for tools and tests. */
export interface DemoSummary {
  chainId: string;
  registry: string;
  billId: string;
  uri: string;
  batchIssued: number;
  reimbursedBySocialSecurity: string;
  reimbursedByInsurer: string;
  finalStatus: string;
  /** Each refused action → the registry's error name. */
  refusals: Record<string, string>;
  /** Each verified document → its verdict (genuine / tampered / unknown / voided). */
  verdicts: Record<string, string>;
  voidedBill: string;
  replacementBill: string;
  /** The delivery chapter: verdicts of the bills collected by pickup code and from the card's inbox. */
  delivery?: { pickup: string; card: string; inbox: number; otherInbox: number };
}

/** The prefix of the demo's summary line. */
export const DEMO_SUMMARY_PREFIX = "DEMO_SUMMARY ";

/** The summary line for `summary`. */
export function formatDemoSummary(summary: DemoSummary): string {
  return `${DEMO_SUMMARY_PREFIX}${JSON.stringify(summary)}`;
}

/**
 * Finds and parses the summary line in the demo's output.
 *
 * @throws Error quoting the end of the output when there is no summary line.
 */
export function parseDemoSummary(output: string): DemoSummary {
  const line = output.split("\n").find((l) => l.startsWith(DEMO_SUMMARY_PREFIX));
  if (line === undefined) throw new Error(`the demo printed no DEMO_SUMMARY line:\n${output.slice(-3000)}`);
  return JSON.parse(line.slice(DEMO_SUMMARY_PREFIX.length)) as DemoSummary;
}
