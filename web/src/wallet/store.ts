import type { MedicalBillJson, PatientCardSecret } from "../../../src";

/** A bill kept on the device: its URI, its full document (JSON form) and where it came from. */
export interface StoredBill {
  /** The bill's id (from its URI): the key. */
  readonly billId: string;
  /** The bill URI. */
  readonly uri: string;
  /** The document, as `billToJson` writes it. */
  readonly document: MedicalBillJson;
  /** How it arrived. */
  readonly source: "pickup" | "card";
  /** The delivery it came from. */
  readonly deliveryId: string;
  /** When it was saved (ms since the epoch). */
  readonly savedAt: number;
}

/** The patient card with its secrets and the delivery service its inbox is on. */
export interface StoredCard {
  /** The card and its private key. */
  readonly secret: PatientCardSecret;
  /** The delivery service holding its inbox. */
  readonly serviceUrl: string;
}

const DB_NAME = "medbill-wallet";
const BILLS = "bills";
const CARD = "card";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

let opened: Promise<IDBDatabase> | undefined;

function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") {
      reject(new Error("this browser has no IndexedDB (private mode?): bills cannot be kept on the device"));
      return;
    }
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(BILLS, { keyPath: "billId" });
      req.result.createObjectStore(CARD);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB could not be opened"));
  });
  return opened;
}

async function store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await database()).transaction(name, mode).objectStore(name);
}

/** Every bill on the device, newest first. */
export async function listBills(): Promise<StoredBill[]> {
  const all = await request((await store(BILLS, "readonly")).getAll() as IDBRequest<StoredBill[]>);
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

/** Saves (or replaces) a bill. */
export async function saveBill(bill: StoredBill): Promise<void> {
  await request((await store(BILLS, "readwrite")).put(bill));
}

/** Removes a bill from the device. */
export async function removeBill(billId: string): Promise<void> {
  await request((await store(BILLS, "readwrite")).delete(billId));
}

/** The patient card, if one was created on this device. */
export async function loadCard(): Promise<StoredCard | undefined> {
  return request((await store(CARD, "readonly")).get(CARD) as IDBRequest<StoredCard | undefined>);
}

/** Keeps the patient card (and its private key) on the device. */
export async function saveCard(card: StoredCard): Promise<void> {
  await request((await store(CARD, "readwrite")).put(card, CARD));
}
