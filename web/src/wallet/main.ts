import "../style.css";
import "./wallet.css";
import QRCode from "qrcode";
import {
  billToJson,
  cardOf,
  collectPickup,
  createPatientCard,
  decodeBillUri,
  encodePatientCard,
  openInbox,
  parseBill,
  type CollectedBill,
} from "../../../src";
import { loadConfig, type PageConfig } from "../config";
import { cameraAvailable, decodeQrImage, NoQrCodeError, startCameraScan, type CameraScan } from "../qr";
import type { Ledger } from "../verify";
import { checkDelivered, failureOf, type CheckedBill, type WalletFailure } from "./check";
import { WALLET_LABELS, wl, wtext } from "./labels";
import { billRow, renderBusy, renderChecked, renderFailure } from "./render";
import { listBills, loadCard, saveBill, saveCard, type StoredBill, type StoredCard } from "./store";

const $ = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
};

const ui = {
  result: $("result"),
  linkForm: $<HTMLFormElement>("link-form"),
  link: $<HTMLInputElement>("link"),
  scan: $<HTMLButtonElement>("scan"),
  uploadQr: $<HTMLInputElement>("upload-qr"),
  camera: $("camera"),
  cameraVideo: $<HTMLVideoElement>("camera-video"),
  cameraCancel: $<HTMLButtonElement>("camera-cancel"),
  bills: $<HTMLUListElement>("bills"),
  noBills: $("no-bills"),
  refresh: $<HTMLButtonElement>("refresh"),
  cardForm: $<HTMLFormElement>("card-form"),
  patientId: $<HTMLInputElement>("patient-id"),
  cardView: $("card-view"),
  cardQr: $<HTMLImageElement>("card-qr"),
  cardRef: $("card-ref"),
  checkInbox: $<HTMLButtonElement>("check-inbox"),
  inbox: $<HTMLUListElement>("inbox"),
  inboxEmpty: $("inbox-empty"),
  service: $<HTMLInputElement>("service"),
  registry: $<HTMLInputElement>("registry"),
  rpc: $<HTMLInputElement>("rpc"),
  footer: $("footer"),
};

let config: PageConfig = { rpcUrl: "http://127.0.0.1:8545" };
/** Increases with every collection, so a slow answer never overwrites a newer one. */
let generation = 0;

function fillLabels(): void {
  const put = (id: string, key: keyof typeof WALLET_LABELS): void => void $(id).prepend(wl(key));
  put("title", "title");
  $("subtitle").textContent = `${WALLET_LABELS.subtitle.zh} ${WALLET_LABELS.subtitle.en}`;
  put("to-verify", "toVerify");
  put("collect-title", "collectTitle");
  put("scan", "scan");
  put("upload-qr-label", "uploadQr");
  put("link-label", "pasteLink");
  put("collect", "collect");
  put("privacy", "privacy");
  put("camera-cancel", "cancel");
  put("bills-title", "billsTitle");
  put("refresh", "refresh");
  put("no-bills", "noBills");
  put("card-title", "cardTitle");
  put("card-explain", "cardExplain");
  put("patient-id-label", "patientId");
  put("create-card", "createCard");
  put("check-inbox", "checkInbox");
  put("inbox-title", "inboxTitle");
  put("inbox-empty", "inboxEmpty");
  put("settings-label", "settings");
  put("service-label", "serviceInput");
  put("registry-label", "registryInput");
  put("rpc-label", "rpcInput");
  ui.link.placeholder = "https://…/pickup/…#…";
  ui.link.setAttribute("aria-label", wtext("pasteLink"));
}

function ledger(): Ledger {
  return {
    rpcUrl: ui.rpc.value.trim() || config.rpcUrl,
    registry: ui.registry.value.trim() || undefined,
    note: config.note,
  };
}

function serviceUrl(): string | undefined {
  return ui.service.value.trim() || config.serviceUrl;
}

function fail(failure: WalletFailure): void {
  ++generation;
  renderFailure(ui.result, failure);
  ui.result.scrollIntoView({ block: "start" });
}

/** Keeps a bill that matches the chain on the device. */
async function keep(checked: CheckedBill, source: StoredBill["source"], deliveryId: string): Promise<void> {
  if (!checked.matchesChain) return;
  const { billId } = decodeBillUri(checked.content.uri);
  await saveBill({
    billId,
    uri: checked.content.uri,
    document: billToJson(checked.content.bill),
    source,
    deliveryId,
    savedAt: Date.now(),
  });
}

async function showCollected(bill: CollectedBill, source: StoredBill["source"], mine: number): Promise<void> {
  const checked = await checkDelivered(bill, ledger());
  if (mine !== generation) return;
  renderChecked(ui.result, checked, verifyStored);
  try {
    await keep(checked, source, bill.deliveryId);
  } catch (error) {
    renderFailure(ui.result, { problem: "storage", detail: (error as Error).message });
  }
  void refreshBills();
}

/** Collects a bill by its pickup link: fetch, decrypt in the page, verify, keep. */
async function collect(link: string): Promise<void> {
  const mine = ++generation;
  renderBusy(ui.result, "collecting");
  try {
    const bill = await collectPickup(link);
    await showCollected(bill, "pickup", mine);
  } catch (error) {
    if (mine === generation) renderFailure(ui.result, failureOf(error));
  }
  ui.result.scrollIntoView({ block: "start" });
}

/** Opens a bill kept on the device (or a voided bill's replacement) in the result section. */
function verifyStored(uri: string): void {
  void (async () => {
    const stored = (await listBills()).find((b) => b.uri === uri);
    if (!stored) {
      location.href = `./index.html#${uri}`; // not on this device: the verification page checks the URI alone
      return;
    }
    const mine = ++generation;
    renderBusy(ui.result, "loading");
    const checked = await checkDelivered({ uri: stored.uri, bill: parseBill(stored.document) }, ledger());
    if (mine === generation) renderChecked(ui.result, checked, verifyStored);
    ui.result.scrollIntoView({ block: "start" });
  })();
}

/** Lists the bills on the device, then fills in each one's live status from the chain. */
async function refreshBills(): Promise<void> {
  let stored: StoredBill[];
  try {
    stored = await listBills();
  } catch (error) {
    ui.noBills.hidden = false;
    ui.noBills.textContent = `${wtext("errorStorage")}: ${(error as Error).message}`;
    return;
  }
  ui.noBills.hidden = stored.length > 0;
  const rows = stored.map((entry) => {
    const bill = parseBill(entry.document);
    const row = billRow(bill, entry.billId, undefined, { open: () => verifyStored(entry.uri) });
    void checkDelivered({ uri: entry.uri, bill }, ledger()).then((checked) =>
      row.replaceWith(billRow(bill, entry.billId, checked, { open: () => verifyStored(entry.uri) })),
    );
    return row;
  });
  ui.bills.replaceChildren(...rows);
  ui.bills.dataset.count = String(stored.length);
}

async function showCard(card: StoredCard): Promise<void> {
  ui.cardForm.hidden = true;
  ui.cardView.hidden = false;
  const payload = encodePatientCard(cardOf(card.secret));
  ui.cardQr.src = await QRCode.toDataURL(payload, { margin: 2, width: 240 });
  ui.cardQr.alt = payload;
  ui.cardQr.dataset.payload = payload;
  ui.cardRef.textContent = `patientRef ${card.secret.patientRef}`;
}

async function createCard(): Promise<void> {
  const service = serviceUrl();
  if (!service) {
    fail({ problem: "card", detail: "no delivery service is configured: enter its URL in the settings" });
    return;
  }
  try {
    const secret = await createPatientCard({ patientId: ui.patientId.value.trim().toUpperCase() });
    ui.patientId.value = ""; // the id is not kept: only the salted patientRef and the keys are
    const card: StoredCard = { secret, serviceUrl: service };
    await saveCard(card);
    await showCard(card);
  } catch (error) {
    fail({ problem: "card", detail: (error as Error).message });
  }
}

async function checkInbox(): Promise<void> {
  const card = await loadCard();
  if (!card) return;
  const mine = ++generation;
  renderBusy(ui.result, "loading");
  try {
    const entries = await openInbox(serviceUrl() ?? card.serviceUrl, card.secret);
    ui.inboxEmpty.hidden = entries.length > 0;
    const rows: HTMLLIElement[] = [];
    let last: CheckedBill | undefined;
    for (const entry of entries) {
      if (entry.bill === undefined) {
        const row = document.createElement("li");
        row.className = "bill-row";
        row.dataset.testid = "inbox-error";
        row.textContent = `${entry.delivery.id}: ${failureOf(entry.error).detail}`;
        rows.push(row);
        continue;
      }
      const bill = entry.bill;
      const checked = await checkDelivered(bill, ledger());
      await keep(checked, "card", bill.deliveryId);
      last = checked;
      const { billId } = decodeBillUri(bill.uri);
      const row = billRow(bill.bill, billId, checked, { open: () => renderChecked(ui.result, checked, verifyStored) });
      row.dataset.testid = "inbox-bill";
      rows.push(row);
    }
    ui.inbox.replaceChildren(...rows);
    ui.inbox.dataset.count = String(rows.length);
    if (mine === generation) {
      if (last) renderChecked(ui.result, last, verifyStored);
      else ui.result.hidden = true;
    }
    void refreshBills();
  } catch (error) {
    if (mine === generation) renderFailure(ui.result, failureOf(error));
  }
}

async function handleImage(file: File): Promise<void> {
  let text: string;
  try {
    text = (await decodeQrImage(file)).trim();
  } catch (error) {
    fail({ problem: "no-qr", detail: error instanceof NoQrCodeError ? error.message : String(error) });
    return;
  }
  ui.link.value = text;
  await collect(text);
}

function wireInputs(): void {
  ui.linkForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void collect(ui.link.value.trim());
  });
  ui.uploadQr.addEventListener("change", () => {
    const file = ui.uploadQr.files?.[0];
    ui.uploadQr.value = "";
    if (file) void handleImage(file);
  });
  document.addEventListener("paste", (event) => {
    const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith("image/"));
    if (file) {
      event.preventDefault();
      void handleImage(file);
    }
  });
  ui.refresh.addEventListener("click", () => void refreshBills());
  ui.cardForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void createCard();
  });
  ui.checkInbox.addEventListener("click", () => void checkInbox());
  if (cameraAvailable()) {
    ui.scan.hidden = false;
    let scan: CameraScan | undefined;
    const close = (): void => {
      scan?.stop();
      scan = undefined;
      ui.camera.hidden = true;
    };
    ui.cameraCancel.addEventListener("click", close);
    ui.scan.addEventListener("click", () => {
      ui.camera.hidden = false;
      startCameraScan(ui.cameraVideo)
        .then(async (running) => {
          scan = running;
          const found = await running.result;
          close();
          if (found) {
            ui.link.value = found.trim();
            await collect(found.trim());
          }
        })
        .catch((error: unknown) => {
          close();
          fail({ problem: "other", detail: (error as Error).message ?? String(error) });
        });
    });
  }
}

async function start(): Promise<void> {
  fillLabels();
  wireInputs();
  config = await loadConfig();
  ui.rpc.value = config.rpcUrl;
  ui.registry.value = config.registry ?? "";
  ui.service.value = config.serviceUrl ?? "";
  ui.footer.replaceChildren(`MedBill · ${config.rpcUrl}${config.serviceUrl ? ` · ${config.serviceUrl}` : ""}`);
  const card = await loadCard().catch(() => undefined);
  if (card) await showCard(card);
  else ui.cardForm.hidden = false;
  await refreshBills();
  // Opened from a pickup link (the service forwards /pickup/<id>#<key> here as #<link>): collect it. The key stays
  // in fragments all the way, never sent to a server.
  const fromLink = decodeURIComponent(location.hash.slice(1));
  if (fromLink.startsWith("http")) {
    history.replaceState(null, "", location.pathname + location.search); // the key leaves the address bar
    ui.link.value = fromLink;
    void collect(fromLink);
  }
  document.body.dataset.ready = "true";
}

void start();
