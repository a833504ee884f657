import "./style.css";
import { loadConfig, type PageConfig } from "./config";
import { bilingual, LABELS, text, type LabelKey } from "./i18n";
import type { Outcome } from "./outcome";
import { cameraAvailable, decodeQrImage, NoQrCodeError, startCameraScan, type CameraScan } from "./qr";
import { renderChecking, renderOutcome } from "./render";
import { checkDocument, checkUri, type Ledger } from "./verify";

const $ = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
};

const ui = {
  result: $("result"),
  uriForm: $<HTMLFormElement>("uri-form"),
  uri: $<HTMLInputElement>("uri"),
  scan: $<HTMLButtonElement>("scan"),
  uploadQr: $<HTMLInputElement>("upload-qr"),
  chooseFile: $<HTMLInputElement>("choose-file"),
  drop: $("drop"),
  registry: $<HTMLInputElement>("registry"),
  rpc: $<HTMLInputElement>("rpc"),
  camera: $("camera"),
  cameraVideo: $<HTMLVideoElement>("camera-video"),
  cameraCancel: $<HTMLButtonElement>("camera-cancel"),
  footer: $("footer"),
};

/** Puts the bilingual label `key` at the start of element `id` (before any child it already has, e.g. an input). */
function label(id: string, key: LabelKey): void {
  $(id).prepend(bilingual(key));
}

function fillLabels(): void {
  label("title", "title");
  $("subtitle").textContent = `${LABELS.subtitle.zh} ${LABELS.subtitle.en}`;
  label("scan", "scan");
  label("upload-qr-label", "uploadQr");
  label("uri-label", "pasteUri");
  label("verify", "verify");
  label("drop-label", "dropFile");
  label("choose-file-label", "chooseFile");
  label("privacy", "privacy");
  label("settings-label", "settings");
  label("registry-label", "registryInput");
  label("rpc-label", "rpcInput");
  label("camera-cancel", "cancel");
  ui.uri.placeholder = LABELS.pastePlaceholder.zh;
  ui.uri.setAttribute("aria-label", text("pasteUri"));
}

let config: PageConfig = { rpcUrl: "http://127.0.0.1:8545" };
/** Increases with every check, so a slow answer to an older check never overwrites a newer one. */
let generation = 0;

/** What the checks read: the node and registry from the settings (pre-filled from `config.json`). */
function ledger(): Ledger {
  return {
    rpcUrl: ui.rpc.value.trim() || config.rpcUrl,
    registry: ui.registry.value.trim() || undefined,
    note: config.note,
  };
}

async function show(check: () => Promise<Outcome>): Promise<void> {
  const mine = ++generation;
  renderChecking(ui.result);
  const outcome = await check();
  if (mine !== generation) return;
  renderOutcome(ui.result, outcome, { verifyUri: (uri) => verifyUri(uri) });
  ui.result.scrollIntoView({ block: "start", behavior: "smooth" });
}

function verifyUri(uri: string): void {
  ui.uri.value = uri;
  void show(() => checkUri(uri, ledger()));
}

function problem(problemKind: "no-qr" | "bad-file" | "camera", detail: string): void {
  ++generation;
  renderOutcome(ui.result, { kind: "problem", problem: problemKind, detail }, { verifyUri });
}

/** Anything the user hands us: a QR image, a bill JSON file, or a text file holding a URI. */
async function handleFile(file: File): Promise<void> {
  if (file.type.startsWith("image/")) {
    try {
      verifyUri((await decodeQrImage(file)).trim());
    } catch (error) {
      problem("no-qr", error instanceof NoQrCodeError ? error.message : String(error));
    }
    return;
  }
  if (file.size > 1_000_000) {
    problem("bad-file", `${file.name} is ${file.size} bytes: a bill file is JSON of at most 1 MB`);
    return;
  }
  let content: string;
  try {
    content = await file.text();
  } catch (error) {
    problem("bad-file", `${file.name}: ${(error as Error).message}`);
    return;
  }
  const trimmed = content.trim();
  if (trimmed.startsWith("medbill:")) verifyUri(trimmed);
  else void show(() => checkDocument(content, file.name, ledger()));
}

function wireInputs(): void {
  ui.uriForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = ui.uri.value.trim();
    if (value.startsWith("{")) void show(() => checkDocument(value, "pasted text", ledger()));
    else verifyUri(value);
  });
  for (const input of [ui.uploadQr, ui.chooseFile]) {
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      input.value = "";
      if (file) void handleFile(file);
    });
  }
  ui.drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    ui.drop.classList.add("over");
  });
  ui.drop.addEventListener("dragleave", () => ui.drop.classList.remove("over"));
  ui.drop.addEventListener("drop", (event) => {
    event.preventDefault();
    ui.drop.classList.remove("over");
    const file = event.dataTransfer?.files[0];
    if (file) void handleFile(file);
  });
  // Pasting an image (a screenshot of the QR code) anywhere on the page reads it too.
  document.addEventListener("paste", (event) => {
    const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith("image/"));
    if (file) {
      event.preventDefault();
      void handleFile(file);
    }
  });

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
          if (found) verifyUri(found.trim());
        })
        .catch((error: unknown) => {
          close();
          problem("camera", (error as Error).message ?? String(error));
        });
    });
  }
}

function renderFooter(): void {
  ui.footer.replaceChildren(`MedBill · ${text("node")}: ${config.rpcUrl}`);
  if (config.registry) ui.footer.append(` · ${text("registry")}: ${config.registry}`);
  if (config.note) ui.footer.append(` · ${config.note}`);
}

async function start(): Promise<void> {
  fillLabels();
  wireInputs();
  config = await loadConfig();
  ui.rpc.value = config.rpcUrl;
  ui.registry.value = config.registry ?? "";
  renderFooter();
  // A link to the page may carry the bill URI in its fragment (never sent to any server): …/#medbill:…
  const fromLink = decodeURIComponent(location.hash.slice(1));
  if (fromLink.startsWith("medbill:")) verifyUri(fromLink);
  document.body.dataset.ready = "true";
}

void start();
