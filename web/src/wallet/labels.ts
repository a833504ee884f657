import { bilingualLabel, type Label } from "../i18n";

/** Every fixed text of the wallet page, in Chinese and English (shown side by side, as on the verification page). */
export const WALLET_LABELS = {
  title: { zh: "我的医疗票据", en: "My medical bills" },
  subtitle: {
    zh: "扫描检查单上的票据领取码，票据在本机解密、向区块链账本核验，并只保存在本机。",
    en: "Scan the pickup code on your examination record: the bill is decrypted on this phone, checked against the ledger and kept only here.",
  },
  toVerify: { zh: "票据核验页", en: "Verification page" },
  collectTitle: { zh: "领取票据", en: "Collect a bill" },
  scan: { zh: "扫码领取", en: "Scan the pickup code" },
  uploadQr: { zh: "上传领取码图片", en: "Upload a photo of the code" },
  pasteLink: { zh: "领取链接", en: "Pickup link" },
  collect: { zh: "领取", en: "Collect" },
  privacy: {
    zh: "解密密钥只在链接的 # 之后，从不发送给任何服务器。",
    en: "The key is only after the # of the link and is never sent to any server.",
  },
  cancel: { zh: "取消", en: "Cancel" },
  collecting: { zh: "正在领取并核验…", en: "Collecting and verifying…" },
  billsTitle: { zh: "本机保存的票据", en: "Bills on this device" },
  noBills: { zh: "还没有票据。", en: "No bills yet." },
  refresh: { zh: "刷新状态", en: "Refresh status" },
  saved: { zh: "已保存到本机", en: "Saved on this device" },
  document: { zh: "票据内容", en: "The bill" },
  patient: { zh: "患者", en: "Patient" },
  department: { zh: "科室", en: "Department" },
  date: { zh: "开票日期", en: "Date" },
  billNumber: { zh: "票据代码-号码", en: "Bill code-number" },
  items: { zh: "项目", en: "Items" },
  total: { zh: "合计", en: "Total" },
  hashMatches: { zh: "票据哈希与链上一致", en: "The document's hash matches the chain" },
  export: { zh: "导出给报销方", en: "Export for a payer" },
  exportFile: { zh: "下载票据文件", en: "Download the bill file" },
  copyUri: { zh: "票据链接（交给报销方）", en: "Bill URI (give it to the payer)" },
  open: { zh: "查看", en: "Open" },
  remove: { zh: "删除", en: "Remove" },
  loading: { zh: "正在读取账本…", en: "Reading the ledger…" },

  cardTitle: { zh: "我的患者码", en: "My patient card" },
  cardExplain: {
    zh: "结账时出示患者码，票据将直接送到本机收件箱，无需领取码。身份证号只用于在本机计算患者标识，不会保存或发送。",
    en: "Show this card at the cashier and your bills come to this inbox, no pickup code needed. Your ID is only used on this device to compute your patient reference; it is neither stored nor sent.",
  },
  patientId: { zh: "身份证号", en: "National ID number" },
  createCard: { zh: "生成患者码", en: "Create my card" },
  checkInbox: { zh: "查看收件箱", en: "Check my inbox" },
  inboxTitle: { zh: "收件箱", en: "Inbox" },
  inboxEmpty: { zh: "收件箱是空的。", en: "The inbox is empty." },
  inboxAdded: { zh: "已加入本机票据", en: "Added to this device's bills" },

  settings: { zh: "服务设置", en: "Settings" },
  serviceInput: { zh: "票据投递服务地址", en: "Delivery service URL" },
  registryInput: { zh: "账本合约地址", en: "Registry address" },
  rpcInput: { zh: "节点地址", en: "Node URL" },

  errorNotPickup: { zh: "这不是票据领取码", en: "Not a pickup link" },
  errorBadKey: { zh: "领取码中的密钥不完整或有误", en: "The key in the pickup link is truncated or malformed" },
  errorWrongKey: { zh: "密钥错误：无法打开这张票据", en: "Wrong key: it does not open this bill" },
  errorUnknown: { zh: "未找到该票据投递", en: "Unknown delivery" },
  errorExpired: { zh: "票据领取已过期", en: "The delivery has expired" },
  errorTampered: { zh: "加密票据已被篡改", en: "The encrypted bill was tampered with" },
  errorHashMismatch: {
    zh: "票据内容与链上哈希不符",
    en: "The bill's hash does not match the chain",
  },
  errorService: { zh: "无法连接票据投递服务", en: "Cannot reach the delivery service" },
  errorRateLimited: { zh: "请求过于频繁，请稍后再试", en: "Too many requests: try again shortly" },
  errorBadContent: { zh: "投递内容不是有效的票据", en: "The delivery does not hold a valid bill" },
  errorCard: { zh: "无法生成患者码", en: "Cannot create the patient card" },
  errorNoQr: { zh: "图片中未找到二维码", en: "No QR code found in the image" },
  errorNoCrypto: { zh: "此浏览器无法解密", en: "This browser cannot decrypt" },
  errorStorage: { zh: "无法使用本机存储", en: "Cannot use this device's storage" },
  errorOther: { zh: "领取出错", en: "Collecting failed" },
} as const satisfies Record<string, Label>;

/** A key of {@link WALLET_LABELS}. */
export type WalletLabelKey = keyof typeof WALLET_LABELS;

/** The bilingual element of a wallet label. */
export function wl(key: WalletLabelKey, className?: string): HTMLSpanElement {
  return bilingualLabel(WALLET_LABELS[key], className);
}

/** Plain text of a wallet label in both languages. */
export function wtext(key: WalletLabelKey): string {
  const label: Label = WALLET_LABELS[key];
  return `${label.zh} ${label.en}`;
}
