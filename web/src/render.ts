import { formatYuan } from "../../src/amount";
import { bilingual, type LabelKey } from "./i18n";
import { memberOf } from "./members";
import { PROBLEM_LABELS, type BillFacts, type HistoryEntry, type Outcome, type Source, type Verdict } from "./outcome";

const VERDICT_LABELS: Record<Verdict, { title: LabelKey; explain: LabelKey; icon: string }> = {
  genuine: { title: "verdictGenuine", explain: "explainGenuine", icon: "✓" },
  tampered: { title: "verdictTampered", explain: "explainTampered", icon: "×" },
  unknown: { title: "verdictUnknown", explain: "explainUnknown", icon: "?" },
  voided: { title: "verdictVoided", explain: "explainVoided", icon: "⊘" },
};

const STATUS_LABELS: Record<BillFacts["status"], LabelKey> = {
  Issued: "statusIssued",
  PartiallyReimbursed: "statusPartiallyReimbursed",
  Reimbursed: "statusReimbursed",
  Voided: "statusVoided",
};

const EVENT_LABELS: Record<HistoryEntry["kind"], LabelKey> = {
  issued: "eventIssued",
  reimbursed: "eventReimbursed",
  voided: "eventVoided",
};

/** Callbacks the result offers (verifying a voided bill's replacement). */
export interface RenderActions {
  /** Verifies the bill behind a URI. */
  verifyUri(uri: string): void;
}

/**
 * Renders an outcome into the result section, replacing what was there.
 *
 * @param target - The result section.
 * @param outcome - What to show.
 * @param actions - What the result's buttons do.
 */
export function renderOutcome(target: HTMLElement, outcome: Outcome, actions: RenderActions): void {
  target.replaceChildren();
  target.hidden = false;
  target.dataset.state = outcome.kind === "verdict" ? outcome.verdict : outcome.problem;
  if (outcome.kind === "problem") {
    target.append(banner("error", "!", PROBLEM_LABELS[outcome.problem], undefined, outcome.detail));
    if (outcome.source) target.append(sourceLine(outcome.source));
    return;
  }
  const labels = VERDICT_LABELS[outcome.verdict];
  target.append(banner(outcome.verdict, labels.icon, labels.title, labels.explain));
  const bill = outcome.bill;
  if (!bill) {
    target.append(facts([["billId", mono(outcome.billId)]]));
  } else {
    target.append(billFacts(bill, outcome.fileTotal));
    if (bill.status === "Voided") target.append(replacement(bill, actions));
    target.append(payments(bill));
    target.append(history(bill));
  }
  target.append(sourceLine(outcome.source));
}

/** Shows a "checking…" placeholder while a check runs. */
export function renderChecking(target: HTMLElement): void {
  target.hidden = false;
  target.dataset.state = "checking";
  const p = document.createElement("p");
  p.className = "muted";
  p.append(bilingual("checking"));
  target.replaceChildren(p);
}

function banner(kind: string, icon: string, title: LabelKey, explain?: LabelKey, detail?: string): HTMLElement {
  const box = el("div", `verdict ${kind}`);
  box.dataset.testid = "verdict";
  box.setAttribute("role", "status");
  const mark = el("div", "icon");
  mark.textContent = icon;
  mark.setAttribute("aria-hidden", "true");
  const body = el("div", "");
  const heading = document.createElement("h2");
  heading.append(bilingual(title));
  body.append(heading);
  if (explain) {
    const p = document.createElement("p");
    p.append(bilingual(explain));
    body.append(p);
  }
  if (detail) {
    const p = el("p", "detail");
    p.dataset.testid = "detail";
    p.textContent = detail;
    body.append(p);
  }
  box.append(mark, body);
  return box;
}

function billFacts(bill: BillFacts, fileTotal: bigint | undefined): HTMLElement {
  const issued = bill.history.find((entry) => entry.kind === "issued");
  const rows: Array<[LabelKey, Node]> = [
    ["hospital", party(bill.issuer)],
    ["amount", money(bill.amount, "amount")],
    ["reimbursed", money(bill.reimbursed, "reimbursed")],
    ["remaining", money(bill.remaining, "remaining")],
    ["status", bilingual(STATUS_LABELS[bill.status])],
  ];
  if (fileTotal !== undefined && fileTotal !== bill.amount) {
    const stated = el("span", "differs");
    const tag = el("span", "tag bad");
    tag.append(bilingual("fileTotalDiffers"));
    stated.append(money(fileTotal, "fileTotal"), " ", tag);
    rows.splice(2, 0, ["fileTotal", stated]);
  }
  if (issued?.at) rows.push(["issuedAt", time(issued.at)]);
  rows.push(["billId", mono(bill.billId)]);
  return facts(rows);
}

function facts(rows: Array<[LabelKey, Node]>): HTMLElement {
  const list = el("dl", "facts");
  for (const [key, value] of rows) {
    const dt = document.createElement("dt");
    dt.append(bilingual(key));
    const dd = document.createElement("dd");
    dd.dataset.testid = key;
    dd.append(value);
    list.append(dt, dd);
  }
  return list;
}

function payments(bill: BillFacts): HTMLElement {
  const section = el("section", "");
  section.dataset.testid = "payers";
  const heading = document.createElement("h3");
  heading.append(bilingual("payers"));
  section.append(heading);
  if (bill.payments.length === 0) {
    const p = el("p", "muted");
    p.append(bilingual("noPayers"));
    section.append(p);
    return section;
  }
  const list = el("ul", "payers");
  for (const payment of bill.payments) {
    const item = document.createElement("li");
    item.append(party(payment.claimer), money(payment.amount));
    list.append(item);
  }
  section.append(list);
  return section;
}

function replacement(bill: BillFacts, actions: RenderActions): HTMLElement {
  const section = el("section", "replacement");
  section.dataset.testid = "replacement";
  const heading = document.createElement("h3");
  heading.append(bilingual("replacement"));
  section.append(heading);
  if (!bill.replacementId) {
    const p = el("p", "muted");
    p.append(bilingual("noReplacement"));
    section.append(p);
    return section;
  }
  const id = el("p", "");
  id.append(mono(bill.replacementId));
  section.append(id);
  if (bill.replacementUri) {
    const uri = bill.replacementUri;
    const button = el("button", "primary");
    button.setAttribute("type", "button");
    button.dataset.testid = "verify-replacement";
    button.append(bilingual("verifyReplacement"));
    button.addEventListener("click", () => actions.verifyUri(uri));
    section.append(button);
  }
  return section;
}

function history(bill: BillFacts): HTMLElement {
  const section = el("section", "");
  section.dataset.testid = "history";
  const heading = document.createElement("h3");
  heading.append(bilingual("history"));
  const list = el("ol", "history");
  for (const entry of bill.history) {
    const item = document.createElement("li");
    const what = el("span", "");
    what.append(bilingual(EVENT_LABELS[entry.kind]), " · ", party(entry.actor));
    if (entry.amount !== undefined) what.append(" · ", money(entry.amount));
    if (entry.reason) {
      const reason = el("span", "muted");
      reason.append(" · ", bilingual("reason"), `: ${entry.reason}`);
      what.append(reason);
    }
    item.append(what, entry.at ? time(entry.at) : mono(entry.txHash.slice(0, 10)));
    list.append(item);
  }
  section.append(heading, list);
  return section;
}

function sourceLine(source: Source): HTMLElement {
  const line = el("p", "muted small");
  line.dataset.testid = "source";
  line.append(bilingual("source"), `: ${source.rpcUrl}`);
  if (source.chainId !== undefined) line.append(` · chain ${source.chainId}`);
  if (source.registry) line.append(` · ${source.registry}`);
  return line;
}

/** A member's name (Chinese and English), or the bare address marked as not a member. */
function party(address: string): HTMLElement {
  const member = memberOf(address);
  const span = el("span", "party");
  if (member) {
    const zh = el("span", "zh");
    zh.lang = "zh-CN";
    zh.textContent = member.nameZh ?? member.name;
    const en = el("span", "en muted");
    en.lang = "en";
    en.textContent = member.name;
    span.append(zh, " ", en);
    span.title = member.address;
  } else {
    span.append(mono(address), " ");
    const tag = el("span", "tag");
    tag.append(bilingual("notMember"));
    span.append(tag);
  }
  return span;
}

function money(fen: bigint, testid?: string): HTMLElement {
  const span = el("span", "money");
  if (testid) span.dataset.testid = `${testid}-value`;
  span.textContent = `¥${groupThousands(formatYuan(fen))}`;
  return span;
}

/** "12345.60" → "12,345.60" (display only; amounts stay bigint fen everywhere else). */
function groupThousands(yuan: string): string {
  const [whole, cents] = yuan.split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}

function time(at: Date): HTMLElement {
  const node = document.createElement("time");
  node.dateTime = at.toISOString();
  const pad = (n: number): string => String(n).padStart(2, "0");
  node.textContent =
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` +
    `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return node;
}

function mono(textValue: string): HTMLElement {
  const span = el("span", "mono");
  span.textContent = textValue;
  return span;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}
