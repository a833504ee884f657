/**
 * The page `GET /pickup/{id}` answers: the pickup link a patient's camera app opens. The key is in the link's
 * fragment, which the browser never sent here; this page hands the whole link, fragment included, to the wallet
 * (`MEDBILL_WALLET_URL`) in the wallet's own fragment, so the key never reaches any server.
 */

/** HTML-escapes text for an attribute or element. */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The forwarding page.
 *
 * @param walletUrl - The wallet page (`MEDBILL_WALLET_URL`), or undefined when the service names none.
 * @returns The HTML.
 */
export function pickupPage(walletUrl: string | undefined): string {
  const target = walletUrl === undefined ? "" : JSON.stringify(walletUrl).replace(/</g, "\\u003c");
  const script =
    walletUrl === undefined
      ? ""
      : `<script>
  // The wallet decrypts in the page: hand it the full link (the key is in the fragment, never sent to a server).
  location.replace(${target}.split("#")[0] + "#" + encodeURIComponent(location.href));
</script>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="referrer" content="no-referrer" />
<title>领取医疗票据 · Collect your medical bill</title>
</head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>领取医疗票据 <small>Collect your medical bill</small></h1>
${
  walletUrl === undefined
    ? `<p>此服务未配置票据钱包页面。请用 MedBill 钱包扫描此二维码。</p>
<p>This service names no wallet page (MEDBILL_WALLET_URL): scan this QR code with the MedBill wallet.</p>`
    : `<p>正在打开票据钱包… Opening your bill wallet… <a id="wallet" href="${escape(walletUrl)}">MedBill wallet</a></p>`
}
${script}
</body>
</html>
`;
}
