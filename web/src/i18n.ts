/** A label shown in both Chinese and English, side by side (the page is bilingual, not switchable). */
export interface Label {
  readonly zh: string;
  readonly en: string;
}

/** Every fixed text on the page. Values computed at run time (names, amounts, dates) are filled in by the caller. */
export const LABELS = {
  title: { zh: "医疗电子票据核验", en: "Medical e-bill verification" },
  subtitle: {
    zh: "扫描或上传票据二维码、粘贴票据链接，或拖入票据文件，向区块链账本核验票据真伪与报销情况。",
    en: "Scan or upload the bill's QR code, paste its link, or drop the bill file to check it against the ledger.",
  },
  scan: { zh: "扫码", en: "Scan with camera" },
  uploadQr: { zh: "上传二维码图片", en: "Upload a QR photo" },
  pasteUri: { zh: "票据链接", en: "Bill URI" },
  pastePlaceholder: { zh: "medbill:31337/0x…/0x…?h=0x…", en: "" },
  verify: { zh: "核验", en: "Verify" },
  dropFile: { zh: "拖入票据文件（JSON）或二维码图片", en: "Drop a bill file (JSON) or a QR image here" },
  chooseFile: { zh: "选择文件", en: "Choose a file" },
  privacy: {
    zh: "票据文件只在本页面内计算哈希，个人信息不会离开本页面。",
    en: "A bill file is hashed inside this page: no personal data leaves it.",
  },
  registryInput: { zh: "账本合约地址", en: "Registry address" },
  settings: { zh: "账本设置", en: "Ledger settings" },
  rpcInput: { zh: "节点地址", en: "Node URL" },
  cancel: { zh: "取消", en: "Cancel" },
  checking: { zh: "正在核验…", en: "Checking…" },

  verdictGenuine: { zh: "真实票据", en: "Genuine bill" },
  verdictTampered: { zh: "票据内容被篡改", en: "Tampered bill" },
  verdictUnknown: { zh: "未找到该票据", en: "Unknown bill" },
  verdictVoided: { zh: "票据已作废", en: "Voided bill" },
  verdictError: { zh: "无法核验", en: "Cannot verify" },

  explainGenuine: {
    zh: "该票据已登记在账本上，内容与登记的哈希一致。",
    en: "This bill is on the ledger and its content matches the recorded hash.",
  },
  explainTampered: {
    zh: "该票据编号已登记，但票据内容与登记的不一致：票据被修改过，不可报销。",
    en: "The bill number is on the ledger but this content does not match it: the bill was altered. Do not pay it.",
  },
  explainUnknown: {
    zh: "账本上没有这张票据：它从未由联盟内的医院开具。",
    en: "The ledger has no such bill: no hospital of the consortium issued it.",
  },
  explainVoided: {
    zh: "开票医院已作废该票据，不可报销。",
    en: "The issuing hospital voided this bill. It cannot be reimbursed.",
  },

  errorMalformedUri: { zh: "无法识别的票据链接", en: "Not a valid bill URI" },
  errorUnreachable: { zh: "无法连接区块链节点", en: "Cannot reach the ledger node" },
  errorWrongChain: { zh: "票据属于另一条链", en: "The bill belongs to another chain" },
  errorWrongRegistry: { zh: "票据不属于本联盟的账本", en: "The bill is not from this consortium's registry" },
  errorNoContract: { zh: "该地址上没有票据账本", en: "No bill registry at this address" },
  errorNoQr: { zh: "图片中未找到二维码", en: "No QR code found in the image" },
  errorBadFile: { zh: "无法读取票据文件", en: "Cannot read the bill file" },
  errorNoRegistry: { zh: "缺少账本合约地址", en: "The registry address is missing" },
  errorCamera: { zh: "无法使用摄像头", en: "Cannot use the camera" },
  errorOther: { zh: "核验出错", en: "Verification failed" },

  hospital: { zh: "开票医院", en: "Hospital" },
  amount: { zh: "票据金额", en: "Amount" },
  fileTotal: { zh: "文件所列金额", en: "Total stated in the file" },
  fileTotalDiffers: { zh: "与账本不符", en: "differs from the ledger" },
  reason: { zh: "原因", en: "reason" },
  reimbursed: { zh: "已报销", en: "Reimbursed so far" },
  remaining: { zh: "剩余可报销", en: "Remaining" },
  status: { zh: "状态", en: "Status" },
  billId: { zh: "票据标识", en: "Bill ID" },
  issuedAt: { zh: "开具时间", en: "Issued" },
  payers: { zh: "报销记录", en: "Reimbursed by" },
  noPayers: { zh: "尚无报销", en: "No reimbursement yet" },
  replacement: { zh: "替换票据", en: "Replacement bill" },
  noReplacement: { zh: "未指定替换票据", en: "No replacement named" },
  verifyReplacement: { zh: "核验替换票据", en: "Verify the replacement" },
  history: { zh: "票据历史", en: "History" },
  notMember: { zh: "非联盟成员", en: "not a consortium member" },
  source: { zh: "核验依据", en: "Checked against" },
  node: { zh: "节点", en: "Node" },
  chain: { zh: "链", en: "Chain" },
  registry: { zh: "账本合约", en: "Registry" },

  statusIssued: { zh: "已开具，未报销", en: "Issued, not reimbursed" },
  statusPartiallyReimbursed: { zh: "部分报销", en: "Partly reimbursed" },
  statusReimbursed: { zh: "已全额报销", en: "Fully reimbursed" },
  statusVoided: { zh: "已作废", en: "Voided" },

  eventIssued: { zh: "开具", en: "Issued" },
  eventReimbursed: { zh: "报销", en: "Reimbursed" },
  eventVoided: { zh: "作废", en: "Voided" },
} as const satisfies Record<string, Label>;

/** A key of {@link LABELS}. */
export type LabelKey = keyof typeof LABELS;

/**
 * Builds the bilingual rendering of a label: `<span lang="zh-CN">…</span> <span lang="en">…</span>`.
 *
 * @param key - Which label.
 * @param className - Optional class for the wrapper.
 * @returns A detached element holding both languages.
 */
export function bilingual(key: LabelKey, className?: string): HTMLSpanElement {
  return bilingualLabel(LABELS[key], className);
}

/**
 * Builds the bilingual rendering of any label (the wallet's own labels included).
 *
 * @param label - The label's Chinese and English.
 * @param className - Optional class for the wrapper.
 * @returns A detached element holding both languages.
 */
export function bilingualLabel(label: Label, className?: string): HTMLSpanElement {
  const wrapper = document.createElement("span");
  wrapper.className = className ? `bi ${className}` : "bi";
  const zh = document.createElement("span");
  zh.lang = "zh-CN";
  zh.className = "zh";
  zh.textContent = label.zh;
  wrapper.append(zh);
  if (label.en) {
    const en = document.createElement("span");
    en.lang = "en";
    en.className = "en";
    en.textContent = label.en;
    wrapper.append(" ", en);
  }
  return wrapper;
}

/** Plain text of a label in both languages, e.g. "真实票据 Genuine bill". */
export function text(key: LabelKey): string {
  const label: Label = LABELS[key];
  return label.en ? `${label.zh} ${label.en}` : label.zh;
}
