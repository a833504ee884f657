import fs from "node:fs";
import QRCode from "qrcode";
import type { PatientCard } from "../../src/delivery";
import type { Sdk } from "./context";
import { CliError } from "./errors";

/** Where the CLI delivers bills: the delivery service's URL and the issuer's bearer token for it. */
export interface DeliverySettings {
  /** `--service`, else `MEDBILL_SERVICE_URL`. */
  readonly serviceUrl: string;
  /** `MEDBILL_API_TOKEN`: the bearer token the service requires on every write. */
  readonly token: string;
  /** `--card`: the patient card to deliver to, when given. */
  readonly card?: PatientCard;
}

/**
 * Reads and checks the delivery settings before anything is sent: the service URL (`--service` or
 * `MEDBILL_SERVICE_URL`), the token (`MEDBILL_API_TOKEN`) and the patient card's QR payload (`--card`).
 *
 * @throws {@link CliError} naming the missing or bad setting.
 */
export function deliverySettings(
  sdk: Sdk,
  args: { service?: string; card?: string },
  env: NodeJS.ProcessEnv = process.env,
): DeliverySettings {
  const raw = args.service?.trim() || env.MEDBILL_SERVICE_URL?.trim();
  if (!raw) {
    throw new CliError("--deliver needs the delivery service: set MEDBILL_SERVICE_URL (or pass --service <url>)");
  }
  let serviceUrl: string;
  try {
    serviceUrl = new URL(raw).href.replace(/\/+$/, "");
    if (!/^https?:$/.test(new URL(raw).protocol)) throw new Error("not http(s)");
  } catch {
    throw new CliError(`the delivery service URL "${raw}" is not an http(s) URL (MEDBILL_SERVICE_URL / --service)`);
  }
  const token = env.MEDBILL_API_TOKEN?.trim();
  if (!token) throw new CliError("--deliver needs the service's bearer token: set MEDBILL_API_TOKEN");
  let card: PatientCard | undefined;
  if (args.card !== undefined) {
    try {
      card = sdk.decodePatientCard(args.card.trim());
    } catch (error) {
      throw new CliError(`--card: ${(error as Error).message}`);
    }
  }
  return { serviceUrl, token, card };
}

/** A pickup link's QR code: PNG bytes and the code drawn for a terminal. */
export async function pickupQr(link: string): Promise<{ png: Buffer; terminal: string }> {
  const [png, terminal] = await Promise.all([
    QRCode.toBuffer(link, { errorCorrectionLevel: "M", margin: 4, scale: 8, type: "png" }),
    QRCode.toString(link, { errorCorrectionLevel: "M", margin: 2, type: "utf8" }),
  ]);
  return { png, terminal };
}

/** Writes a pickup link's QR code as PNG to `file`. */
export async function writePickupQr(link: string, file: string): Promise<string> {
  const { png, terminal } = await pickupQr(link);
  fs.writeFileSync(file, png);
  return terminal;
}

/** What `--deliver` did for one bill. */
export interface DeliveredOutput {
  /** Lines for the task's output (`key value` pairs). */
  readonly pairs: [string, string][];
  /** The pickup QR drawn for the terminal, for a pickup delivery. */
  readonly terminal?: string;
  /** The delivery's id, pickup link and the PNG written. */
  readonly result: { deliveryId: string; expiresAt: string; pickupUrl?: string; pickupQr?: string };
}

/**
 * Delivers an issued bill through the SDK's `deliverBill` (encrypted on this machine; the service gets ciphertext
 * only) and, for a pickup delivery, writes the pickup QR code's PNG.
 *
 * @throws {@link CliError} with the service's refusal (wrong token, unreachable, ...).
 */
export async function deliverIssued(
  sdk: Sdk,
  settings: DeliverySettings,
  bill: { uri: string; document: Parameters<Sdk["deliverBill"]>[0]["bill"] },
  pickupFile: string,
): Promise<DeliveredOutput> {
  let delivery: Awaited<ReturnType<Sdk["deliverBill"]>>;
  try {
    delivery = await sdk.deliverBill({
      serviceUrl: settings.serviceUrl,
      token: settings.token,
      uri: bill.uri,
      bill: bill.document,
      card: settings.card,
    });
  } catch (error) {
    throw new CliError(
      `the bill is on chain, but its delivery to ${settings.serviceUrl} failed: ${(error as Error).message} ` +
        "(run the same command again to deliver it)",
      { cause: error },
    );
  }
  const pairs: [string, string][] = [
    ["delivery", `${delivery.deliveryId} on ${settings.serviceUrl}, expires ${delivery.expiresAt.toISOString()}`],
  ];
  if (delivery.pickupUrl === undefined) {
    pairs.push(["delivered to", `patient card ${settings.card?.patientRef} (its wallet's inbox)`]);
    return {
      pairs,
      result: { deliveryId: delivery.deliveryId, expiresAt: delivery.expiresAt.toISOString() },
    };
  }
  const terminal = await writePickupQr(delivery.pickupUrl, pickupFile);
  pairs.push(["pickup", delivery.pickupUrl], ["pickup QR", `${pickupFile} (print it on the examination record)`]);
  return {
    pairs,
    terminal,
    result: {
      deliveryId: delivery.deliveryId,
      expiresAt: delivery.expiresAt.toISOString(),
      pickupUrl: delivery.pickupUrl,
      pickupQr: pickupFile,
    },
  };
}
