import QRCode from "qrcode";
import { decodeBillUri } from "./uri";

/** A bill's QR code in the forms an app needs. */
export interface BillQr {
  /** The URI encoded. */
  readonly uri: string;
  /** PNG image bytes (a Buffer in Node). */
  readonly png: Uint8Array;
  /** The PNG as a `data:image/png;base64,...` URL, for an `<img>`. */
  readonly dataUrl: string;
  /** An SVG image, as text. */
  readonly svg: string;
  /** The code drawn with Unicode half blocks, light on dark, for a terminal. */
  readonly terminal: string;
}

/** Options of {@link billQr}. */
export interface BillQrOptions {
  /** Pixels per module of the PNG (default 8). */
  readonly scale?: number;
  /** Quiet zone in modules (default 4). */
  readonly margin?: number;
}

type QrModule = { create(text: string, opts?: object): { modules: { size: number; data: Uint8Array } } } & {
  toBuffer?: (text: string, opts?: object) => Promise<Uint8Array>;
  toDataURL(text: string, opts?: object): Promise<string>;
  toString(text: string, opts?: object): Promise<string>;
};

/**
 * Draws a bill URI as a QR code (error correction M). The URI is checked with {@link decodeBillUri} first.
 * Works in Node and in browsers (where the PNG comes from a canvas).
 *
 * @param uri - A bill URI.
 * @param options - PNG scale and margin.
 * @returns PNG bytes, a data URL, SVG text and terminal text.
 * @throws {@link InvalidUriError} when the URI is malformed.
 */
export async function billQr(uri: string, options: BillQrOptions = {}): Promise<BillQr> {
  decodeBillUri(uri);
  const qr = QRCode as unknown as QrModule;
  const opts = { errorCorrectionLevel: "M", margin: options.margin ?? 4, scale: options.scale ?? 8 };
  let png: Uint8Array;
  let dataUrl: string;
  if (typeof qr.toBuffer === "function") {
    png = await qr.toBuffer(uri, { ...opts, type: "png" });
    dataUrl = `data:image/png;base64,${base64(png)}`;
  } else {
    dataUrl = await qr.toDataURL(uri, { ...opts, type: "image/png" });
    png = fromBase64(dataUrl.slice(dataUrl.indexOf(",") + 1));
  }
  const svg = await qr.toString(uri, { ...opts, type: "svg" });
  return { uri, png, dataUrl, svg, terminal: terminalText(qr.create(uri, opts).modules, opts.margin) };
}

/** Two module rows per line; light modules (and the quiet zone) drawn, dark ones left blank. */
function terminalText(modules: { size: number; data: Uint8Array }, margin: number): string {
  const size = modules.size;
  const dark = (r: number, c: number): boolean =>
    r >= 0 && c >= 0 && r < size && c < size && modules.data[r * size + c] === 1;
  const lines: string[] = [];
  for (let r = -margin; r < size + margin; r += 2) {
    let line = "";
    for (let c = -margin; c < size + margin; c++) {
      const top = !dark(r, c);
      const bottom = r + 1 < size + margin ? !dark(r + 1, c) : false;
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(line);
  }
  return lines.join("\n") + "\n";
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? B64[n & 63] : "=";
  }
  return out;
}

function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let j = 0;
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
