import QRCode from "qrcode";
import { billToJson, formatYuan, type MedicalBill } from "../../../src";
import { bilingual } from "../i18n";
import { memberOf } from "../members";
import { renderOutcome } from "../render";
import { WALLET_PROBLEM_LABELS, type CheckedBill, type WalletFailure } from "./check";
import { wl, type WalletLabelKey } from "./labels";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

/** "12345.60" → "¥12,345.60" (display only). */
export function yuan(fen: bigint): string {
  const [whole, cents] = formatYuan(fen).split(".");
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}

function banner(kind: string, icon: string, title: WalletLabelKey, detail?: string): HTMLElement {
  const box = el("div", `verdict ${kind}`);
  box.dataset.testid = "verdict";
  box.setAttribute("role", "status");
  const mark = el("div", "icon");
  mark.textContent = icon;
  mark.setAttribute("aria-hidden", "true");
  const body = el("div");
  const heading = el("h2");
  heading.append(wl(title));
  body.append(heading);
  if (detail) {
    const p = el("p", "detail");
    p.dataset.testid = "detail";
    p.textContent = detail;
    body.append(p);
  }
  box.append(mark, body);
  return box;
}

/** Shows a "working…" line in the result section. */
export function renderBusy(target: HTMLElement, label: WalletLabelKey): void {
  target.hidden = false;
  target.dataset.state = "checking";
  const p = el("p", "muted");
  p.append(wl(label));
  target.replaceChildren(p);
}

/** Shows a named problem (never a stack trace): its bilingual heading and the SDK's one-line detail. */
export function renderFailure(target: HTMLElement, failure: WalletFailure): void {
  target.hidden = false;
  target.dataset.state = failure.problem;
  target.replaceChildren(banner("error", "!", WALLET_PROBLEM_LABELS[failure.problem], failure.detail));
}

/** The bill document itself: hospital, patient, items and total (shown only on the patient's own device). */
export function documentSection(bill: MedicalBill): HTMLElement {
  const section = el("section", "document");
  section.dataset.testid = "document";
  const heading = el("h3");
  heading.append(wl("document"));
  const facts = el("dl", "facts");
  const row = (key: WalletLabelKey, value: string, testid: string): void => {
    const dt = el("dt");
    dt.append(wl(key));
    const dd = el("dd");
    dd.dataset.testid = testid;
    dd.textContent = value;
    facts.append(dt, dd);
  };
  row("patient", bill.patientName, "doc-patient");
  row("department", bill.department, "doc-department");
  row("date", bill.issuedOn, "doc-date");
  row("billNumber", `${bill.billCode}-${bill.billNumber}`, "doc-number");
  const items = el("table", "items");
  items.dataset.testid = "doc-items";
  for (const item of bill.items) {
    const tr = el("tr");
    const name = el("td");
    name.textContent = item.name;
    const quantity = el("td", "num");
    quantity.textContent = `× ${item.quantity}`;
    const price = el("td", "num money");
    price.textContent = yuan(item.unitPrice * BigInt(item.quantity));
    tr.append(name, quantity, price);
    items.append(tr);
  }
  const total = el("tr", "total");
  const label = el("td");
  label.colSpan = 2;
  label.append(wl("total"));
  const sum = el("td", "num money");
  sum.dataset.testid = "doc-total";
  sum.textContent = yuan(bill.total);
  total.append(label, sum);
  items.append(total);
  const itemsHeading = el("h3");
  itemsHeading.append(wl("items"));
  section.append(heading, facts, itemsHeading, items);
  return section;
}

/** Export for a payer: the document file (download) and the bill URI with its QR code. */
export function exportSection(checked: CheckedBill): HTMLElement {
  const { bill, uri } = checked.content;
  const section = el("section", "export");
  section.dataset.testid = "export";
  const heading = el("h3");
  heading.append(wl("export"));
  const download = el("a", "button");
  download.dataset.testid = "export-file";
  const file = new Blob([JSON.stringify(billToJson(bill), null, 2)], { type: "application/json" });
  download.href = URL.createObjectURL(file);
  download.download = `bill-${bill.billCode}-${bill.billNumber}.json`;
  download.append(wl("exportFile"));
  const uriLabel = el("p", "small");
  uriLabel.append(wl("copyUri"));
  const uriBox = el("input");
  uriBox.type = "text";
  uriBox.readOnly = true;
  uriBox.value = uri;
  uriBox.dataset.testid = "export-uri";
  uriBox.addEventListener("focus", () => uriBox.select());
  const qr = el("img", "qr");
  qr.alt = uri;
  qr.width = 200;
  qr.height = 200;
  void QRCode.toDataURL(uri, { margin: 2, width: 200 }).then((data) => (qr.src = data));
  section.append(heading, download, uriLabel, uriBox, qr);
  return section;
}

/**
 * Renders a collected bill: the chain's verdict (or, when the document's hash is not the chain's, a named warning
 * above it), the document, and the export for a payer.
 */
export function renderChecked(target: HTMLElement, checked: CheckedBill, verifyUri: (uri: string) => void): void {
  const ledger = el("div", "ledger");
  renderOutcome(ledger, checked.outcome, { verifyUri });
  ledger.hidden = false;
  ledger.removeAttribute("data-state");
  target.hidden = false;
  const onChain = checked.outcome.kind === "verdict" ? checked.outcome.verdict : checked.outcome.problem;
  const mismatch = checked.outcome.kind === "verdict" && checked.outcome.verdict !== "unknown" && !checked.matchesChain;
  target.dataset.state = mismatch ? "hash-mismatch" : onChain;
  const parts: HTMLElement[] = [];
  if (mismatch) {
    parts.push(
      banner(
        "tampered",
        "×",
        "errorHashMismatch",
        `the document hashes to ${checked.recomputedHash}; the ledger recorded another hash for this bill`,
      ),
    );
  } else if (checked.matchesChain) {
    const ok = el("p", "small ok-line");
    ok.dataset.testid = "hash-ok";
    ok.append("✓ ", wl("hashMatches"), " · ", wl("saved"));
    parts.push(ok);
  }
  parts.push(ledger, documentSection(checked.content.bill));
  if (checked.matchesChain) parts.push(exportSection(checked));
  target.replaceChildren(...parts);
}

/** One bill of the device's list, with its live status from the chain. */
export function billRow(
  bill: MedicalBill,
  billId: string,
  status: CheckedBill | undefined,
  actions: { open(): void },
): HTMLLIElement {
  const item = el("li", "bill-row");
  item.dataset.billId = billId;
  const head = el("div", "bill-head");
  const title = el("strong");
  title.textContent = `${bill.hospital}`;
  const amount = el("span", "money");
  amount.textContent = yuan(bill.total);
  head.append(title, amount);
  const meta = el("div", "muted small");
  meta.textContent = `${bill.issuedOn} · ${bill.billCode}-${bill.billNumber} · ${bill.department}`;
  const live = el("div", "live");
  live.dataset.testid = "live-status";
  if (status === undefined) {
    live.append(wl("loading"));
  } else if (status.outcome.kind === "problem") {
    live.append(bilingual("verdictError"), `: ${status.outcome.detail}`);
  } else {
    const facts = status.outcome.bill;
    if (!status.matchesChain) live.append(wl("errorHashMismatch"));
    else if (facts) {
      const chip = el("span", `chip ${facts.status}`);
      chip.dataset.testid = "status";
      chip.append(bilingual(`status${facts.status}` as const));
      live.append(chip);
      for (const payment of facts.payments) {
        const payer = el("span", "payer");
        const member = memberOf(payment.claimer);
        payer.textContent = `${member ? [member.nameZh, member.name].filter(Boolean).join(" ") : payment.claimer} ${yuan(payment.amount)}`;
        live.append(" ", payer);
      }
      const remaining = el("span", "remaining");
      remaining.dataset.testid = "remaining";
      remaining.append(" ", bilingual("remaining"), ` ${yuan(facts.remaining)}`);
      live.append(remaining);
      if (facts.status === "Voided") {
        const replaced = el("span", "small");
        replaced.append(" · ", bilingual("replacement"), `: ${facts.replacementId ?? "—"}`);
        live.append(replaced);
      }
    }
  }
  const open = el("button", "small-button");
  open.type = "button";
  open.append(wl("open"));
  open.addEventListener("click", actions.open);
  item.append(head, meta, live, open);
  return item;
}
