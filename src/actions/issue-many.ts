/**
 * @internal `MedBillClient.issueMany`: validate every bill, skip what is on chain, send atomic `issueBatch`
 * transactions through the pipeline, recheck and resend what a race or a lost answer left unsure.
 */
import { MAX_BATCH_SIZE } from "../constants";
import { billIdOf, type BillInput } from "../bill";
import type { BatchReceipt, IssueManyOptions, IssueManyResult, IssueRequest } from "../client-types";
import {
  BatchItemInvalidError,
  BillAlreadyIssuedError,
  InvalidArgumentError,
  InvalidBillError,
  MedBillError,
  NodeUnreachableError,
  toMedBillError,
  UnknownRevertError,
  type BillIssue,
} from "../errors";
import { topicOfAddress } from "../logs";
import { encodeIssueBatch } from "../pipeline/calldata";
import { nonceClash } from "../pipeline/nonces";
import type { BatchPlan } from "../pipeline/sender";
import { mapLimit, sleep } from "../pipeline/util";
import { writeResult, type ActionContext } from "./context";

/** Turns one request into the input to send and the patient salt used, if any (the client's `normalise`). */
export type Normalise = (request: IssueRequest) => { input: BillInput; patientSalt: string | undefined };

/** See `MedBillClient.issueMany`. */
export async function issueMany(
  ctx: ActionContext,
  normalise: Normalise,
  requests: readonly IssueRequest[],
  options: IssueManyOptions = {},
): Promise<IssueManyResult> {
  const signer = ctx.sender.requireSigner("issueMany");
  const started = Date.now();
  const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
  const inFlight = options.inFlight ?? 8;
  const checkConcurrency = options.checkConcurrency ?? 32;
  checkPipelineOptions(batchSize, inFlight, checkConcurrency);
  if (!Array.isArray(requests)) throw new InvalidArgumentError("requests", "expected an array");

  // 1. Validate everything first: one error lists every fault of every bill.
  const inputs: BillInput[] = [];
  const patientSalts: (string | undefined)[] = [];
  const issues: BillIssue[] = [];
  requests.forEach((request, i) => {
    try {
      const { input, patientSalt } = normalise(request);
      inputs.push(input);
      patientSalts.push(patientSalt);
    } catch (e) {
      if (!(e instanceof InvalidBillError)) throw e;
      for (const issue of e.issues) {
        issues.push({ path: issue.path ? `${i}.${issue.path}` : String(i), message: issue.message });
      }
      inputs.push(undefined as unknown as BillInput);
      patientSalts.push(undefined);
    }
  });
  const issuer = await signer.getAddress();
  const billIds = inputs.map((input) => (input ? billIdOf(issuer, input.billNumber) : ""));
  const firstIndex = new Map<string, number>();
  billIds.forEach((id, i) => {
    if (!id) return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, i);
    else if (inputs[first].contentHash !== inputs[i].contentHash || inputs[first].amount !== inputs[i].amount) {
      issues.push({ path: `${i}.billNumber`, message: `same bill number as bill ${first} with other content` });
    }
  });
  if (issues.length > 0) throw new InvalidBillError(issues, `${requests.length} bills`);

  const total = inputs.length;
  const issuedNow = new Array<boolean>(total).fill(false);
  const transactions: BatchReceipt[] = [];
  let issued = 0;
  let skipped = 0;
  const progress = (): void => {
    const seconds = (Date.now() - started) / 1000;
    options.onProgress?.({
      done: issued + skipped,
      total,
      issued,
      skipped,
      billsPerSecond: seconds > 0 ? issued / seconds : 0,
    });
  };

  // A bill repeated in the input is skipped after its first occurrence.
  let pending: number[] = [];
  billIds.forEach((id, i) => {
    if (firstIndex.get(id) === i) pending.push(i);
    else skipped++;
  });
  // Bills to check one by one (a batch of theirs failed, or the caller asked for it).
  let suspects = new Set<number>(options.checkAll ? pending : []);
  const fn = ctx.contract.getFunction("issueBatch");
  const plan = (sample: readonly BillInput[]): Promise<BatchPlan> =>
    ctx.sender.planBatches(
      () => fn.estimateGas([sample[0]]),
      sample.length > 1 ? () => fn.estimateGas(sample.slice(0, 2)) : null,
    );

  for (let round = 0; pending.length > 0; round++) {
    if (round >= 6) {
      throw new MedBillError(
        `issueMany gave up after ${round} rounds with ${pending.length} bills left`,
        "ISSUE_MANY_STUCK",
      );
    }
    // 2. Skip what is already on chain (see `IssueManyOptions.checkAll` for how it is found).
    // The first round's preflight runs alongside its existence check, on the first bills asked for; if one of
    // them turns out to be on chain, its estimate fails and the batches are planned again with the first batch.
    const prepared = round === 0 ? plan(pending.slice(0, 2).map((i) => inputs[i])).catch(() => null) : undefined;
    const onChain = await findIssued(ctx, pending, billIds, issuer, suspects, batchSize, checkConcurrency);
    const todo = pending.filter((i) => !onChain.has(i));
    skipped += pending.length - todo.length;
    progress();
    if (todo.length === 0) break;

    // 3. Send the batches, several in flight.
    const batches: number[][] = [];
    for (let k = 0; k < todo.length; k += batchSize) batches.push(todo.slice(k, k + batchSize));
    const failed = await ctx.sender.sendBatches(
      batches.map((batch) => ({ count: batch.length, data: () => encodeIssueBatch(batch.map((i) => inputs[i])) })),
      async () => (prepared === undefined ? null : await prepared) ?? plan(batches[0].map((i) => inputs[i])),
      inFlight,
      (b, receipt) => {
        for (const i of batches[b]) issuedNow[i] = true;
        issued += batches[b].length;
        transactions.push({ ...writeResult(receipt), count: batches[b].length });
        progress();
      },
      isRecheckable,
    );
    pending = todo.filter((i) => !issuedNow[i]);
    suspects = new Set(failed.flatMap((f) => batches[f.batch]));
    if (pending.length > 0) await sleep(300); // let ethers' 250 ms request cache expire before counting again
  }

  transactions.sort((a, b) => a.blockNumber - b.blockNumber);
  const seconds = (Date.now() - started) / 1000;
  return {
    billIds,
    issuedNow,
    inputs,
    patientSalts,
    issued,
    skipped,
    transactions,
    txHashes: transactions.map((t) => t.txHash),
    blockNumber: transactions.length > 0 ? transactions[transactions.length - 1].blockNumber : null,
    gasUsed: transactions.reduce((sum, t) => sum + t.gasUsed, 0n),
    seconds,
    billsPerSecond: seconds > 0 ? issued / seconds : 0,
  };
}

/** @internal Checks a pipeline's batch size, transactions in flight and read concurrency. */
export function checkPipelineOptions(batchSize: number, inFlight: number, checkConcurrency: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new InvalidArgumentError("batchSize", `must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  if (!Number.isInteger(inFlight) || inFlight < 1) throw new InvalidArgumentError("inFlight", "must be at least 1");
  if (!Number.isInteger(checkConcurrency) || checkConcurrency < 1) {
    throw new InvalidArgumentError("checkConcurrency", "must be at least 1");
  }
}

/** A batch failure that a bill-by-bill recheck can mend: a bill issued meanwhile, a bare revert, a nonce clash. */
function isRecheckable(error: unknown): boolean {
  const e = toMedBillError(error);
  if (e instanceof BatchItemInvalidError) return e.reasonName === "BillAlreadyIssued";
  if (e instanceof BillAlreadyIssuedError) return true;
  // A batch lost in transport may or may not have landed: the recheck finds out.
  return e instanceof UnknownRevertError || e instanceof NodeUnreachableError || nonceClash(error) !== null;
}

/**
 * Which of the `pending` bills are on chain. `suspects` are read one by one (`getBill`). The other bills are cut
 * into batches as they will be sent, and only the first and last bill of each batch are read; when one of them
 * is on chain, the whole batch is looked up in the `BillIssued` logs (one query for the batch, rather than a
 * read per bill). A batch of a crashed run is all on chain or not at all, so a rerun finds every bill this way;
 * a bill missed makes its batch revert, and that batch is then read bill by bill and resent.
 */
async function findIssued(
  ctx: ActionContext,
  pending: readonly number[],
  billIds: readonly string[],
  issuer: string,
  suspects: ReadonlySet<number>,
  batchSize: number,
  concurrency: number,
): Promise<Set<number>> {
  const found = new Set<number>();
  const exists = async (billId: string): Promise<boolean> =>
    (await ctx.sender.read(() => ctx.contract.getBill(billId))).status !== 0n;
  const read = async (indices: readonly number[]): Promise<void> => {
    const on = await mapLimit(indices, concurrency, (i) => exists(billIds[i]));
    indices.forEach((i, k) => on[k] && found.add(i));
  };
  await read(pending.filter((i) => suspects.has(i)));
  const rest = pending.filter((i) => !suspects.has(i));
  const samples: number[][] = [];
  for (let k = 0; k < rest.length; k += batchSize) samples.push(rest.slice(k, k + batchSize));
  const ends = samples.flatMap((batch) => (batch.length > 1 ? [batch[0], batch[batch.length - 1]] : [batch[0]]));
  await read(ends);
  const touched = samples.filter((batch) => found.has(batch[0]) || found.has(batch[batch.length - 1]));
  if (touched.length === 0) return found;
  const topic = ctx.logs.topic("BillIssued");
  try {
    const toBlock = await ctx.sender.read(() => ctx.sender.provider.getBlockNumber());
    await mapLimit(touched, 4, async (batch) => {
      const byId = new Map(batch.map((i) => [billIds[i], i]));
      const topics = [topic, [...byId.keys()], topicOfAddress(issuer)];
      for await (const logs of ctx.logs.logs(topics, { toBlock })) {
        for (const log of logs) {
          const i = byId.get(log.topics[1].toLowerCase());
          if (i !== undefined) found.add(i);
        }
      }
    });
  } catch {
    await read(touched.flat().filter((i) => !found.has(i))); // a node that refuses such filters: read them
  }
  return found;
}
