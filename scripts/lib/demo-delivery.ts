/**
 * The demo's delivery chapter: the hospital delivers one bill by pickup code (the QR printed on the examination
 * record) and one to a patient card, through the MedBill service's delivery part started in-process (PGlite in a
 * temporary directory, 127.0.0.1 on a free port: no set-up). The patient's side uses the same SDK functions as the
 * wallet page: collect, decrypt, recompute the hash, verify on chain.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import QRCode from "qrcode";
import {
  MedBillClient,
  cardOf,
  collectPickup,
  createPatientCard,
  deliverBill,
  encodePatientCard,
  openInbox,
  type MedicalBill,
} from "../../src";
import { startService } from "../../service/app";
import { loadConfig } from "../../service/config";
import { deliveryPart } from "../../service/delivery/part";
import { createLogger } from "../../service/log";

/** What the chapter found, for the demo's summary line. */
export interface DeliveryOutcome {
  /** The pickup link's verdict once collected and verified. */
  readonly pickup: string;
  /** The card delivery's verdict once opened from the inbox and verified. */
  readonly card: string;
  /** Bills in the card's inbox, and in another card's. */
  readonly inbox: number;
  readonly otherInbox: number;
}

/**
 * Runs the chapter.
 *
 * @param hospital - The hospital's client (it issues).
 * @param reader - Any read client (the patient's side).
 * @param makeBill - A bill document with the given number and patient.
 * @param run - This run's prefix of bill numbers (fresh numbers on every run against a persistent node).
 */
export async function deliveryChapter(
  hospital: MedBillClient,
  reader: MedBillClient,
  makeBill: (billNumber: string, patientName: string, patientId: string) => MedicalBill,
  run: string,
): Promise<DeliveryOutcome> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "medbill-demo-delivery-"));
  const token = randomBytes(16).toString("hex");
  const config = loadConfig({
    MEDBILL_SERVICE_PORT: "0",
    MEDBILL_DATA_DIR: dataDir,
    MEDBILL_API_TOKEN: token,
    MEDBILL_RPC_URL: "http://127.0.0.1:9", // the delivery part needs no node
  });
  const service = await startService(config, [deliveryPart], createLogger("silent"));
  try {
    console.log(`  the payment platform's delivery service runs at ${service.url} (ciphertext only)`);

    // By pickup code: the hospital encrypts the bill with a fresh key; the key goes only into the link's fragment.
    const document = makeBill(`${run}0501`, "赵敏", "330106199505051234");
    const issued = await hospital.issue(document);
    const delivery = await deliverBill({ serviceUrl: service.url, token, uri: issued.uri, bill: document });
    console.log(`  pickup link (on the examination record): ${delivery.pickupUrl}`);
    const qr = await QRCode.toString(delivery.pickupUrl!, { type: "utf8", margin: 2 });
    console.log(qr.replace(/^/gm, "  "));
    const collected = await collectPickup(delivery.pickupUrl!);
    const pickup = await verifyCollected(reader, collected.uri, collected.bill);
    console.log(`  the patient's wallet collects it, decrypts it on the phone and checks it: ${pickup.toUpperCase()}`);

    // To a patient card: the cashier scans the card; the bill's key is encrypted to the card's P-256 key.
    const patient = { name: "孙丽", id: "330106198812120021" };
    const card = await createPatientCard({ patientId: patient.id });
    const other = await createPatientCard({ patientId: "330106197001010011" });
    console.log(`  the patient's card QR: ${encodePatientCard(cardOf(card)).slice(0, 60)}…`);
    const cardBill = makeBill(`${run}0502`, patient.name, patient.id);
    const input = hospital.toBillInput(cardBill, card.patientSalt);
    const onChain = await hospital.issue({ ...input, patientRef: card.patientRef });
    await deliverBill({ serviceUrl: service.url, token, uri: onChain.uri, bill: cardBill, card: cardOf(card) });
    const inbox = await openInbox(service.url, card);
    const otherInbox = await openInbox(service.url, other);
    const opened = inbox[0]?.bill;
    const cardVerdict = opened ? await verifyCollected(reader, opened.uri, opened.bill) : "missing";
    console.log(
      `  the bill waits in that card's inbox (${inbox.length} bill; another card's inbox: ${otherInbox.length}): ${cardVerdict.toUpperCase()}`,
    );
    return { pickup, card: cardVerdict, inbox: inbox.length, otherInbox: otherInbox.length };
  } finally {
    await service.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The wallet's check: the document's hash, recomputed, against what the chain recorded for the URI's bill. */
async function verifyCollected(reader: MedBillClient, uri: string, bill: MedicalBill): Promise<string> {
  return (await reader.verify(uri, bill)).verdict;
}
