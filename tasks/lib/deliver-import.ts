import fs from "node:fs";
import type { BillInput, MedicalBill } from "../../src/bill";
import type { MedBillClient } from "../../src/client";
import type { Sdk } from "./context";
import type { DeliverySettings } from "./deliver";
import { CliError } from "./errors";

/** One line of the deliveries file that `bill:import --deliver` writes (JSONL). */
export interface DeliveryRecord {
  /** The row's line in the import file. */
  readonly line: number;
  readonly billId: string;
  readonly uri: string;
  readonly deliveryId: string;
  /** The pickup link with its key: print it as a QR code on the examination record; keep this file private. */
  readonly pickupUrl: string;
  readonly expiresAt: string;
}

/** Deliveries uploaded at once. */
const PARALLEL = 8;

/**
 * The deliveries of an import: each bill on chain with its row's content is encrypted and uploaded once, and its
 * pickup link appended to the deliveries file as it is done, so a rerun after a crash skips what was delivered.
 */
export class ImportDeliveries {
  private readonly done = new Set<string>();
  /** Bills delivered by this run. */
  delivered = 0;
  /** Bills found in the deliveries file (delivered by an earlier run). */
  readonly before: number;

  constructor(
    private readonly sdk: Sdk,
    private readonly settings: DeliverySettings,
    /** The deliveries file (JSONL). */
    readonly file: string,
  ) {
    if (fs.existsSync(file)) {
      for (const [i, text] of fs.readFileSync(file, "utf8").split("\n").entries()) {
        if (text.trim() === "") continue;
        try {
          this.done.add((JSON.parse(text) as DeliveryRecord).billId.toLowerCase());
        } catch {
          throw new CliError(`${file}:${i + 1}: not a deliveries line (JSON): move the file aside or fix it`);
        }
      }
    }
    this.before = this.done.size;
  }

  /**
   * Delivers the bills of one issued group (skipping those delivered before and those whose row conflicts with the
   * chain).
   */
  async deliver(
    client: MedBillClient,
    rows: readonly { readonly line: number }[],
    inputs: readonly BillInput[],
    documents: readonly MedicalBill[],
    billIds: readonly string[],
    skip: ReadonlySet<number>,
  ): Promise<void> {
    const todo = rows.map((_, i) => i).filter((i) => !skip.has(i) && !this.done.has(billIds[i].toLowerCase()));
    for (let k = 0; k < todo.length; k += PARALLEL) {
      const records = await Promise.all(
        todo.slice(k, k + PARALLEL).map(async (i): Promise<DeliveryRecord> => {
          const uri = client.billUri(billIds[i], inputs[i].contentHash);
          let delivery: Awaited<ReturnType<Sdk["deliverBill"]>>;
          try {
            delivery = await this.sdk.deliverBill({
              serviceUrl: this.settings.serviceUrl,
              token: this.settings.token,
              uri,
              bill: documents[i],
            });
          } catch (error) {
            throw new CliError(
              `line ${rows[i].line}: the bill is on chain but its delivery failed: ${(error as Error).message} ` +
                `(${this.delivered} delivered so far, in ${this.file}; run the same command again to go on)`,
              { cause: error },
            );
          }
          return {
            line: rows[i].line,
            billId: billIds[i].toLowerCase(),
            uri,
            deliveryId: delivery.deliveryId,
            pickupUrl: delivery.pickupUrl ?? "",
            expiresAt: delivery.expiresAt.toISOString(),
          };
        }),
      );
      fs.appendFileSync(this.file, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
      for (const record of records) this.done.add(record.billId);
      this.delivered += records.length;
    }
  }
}
