import jsQR from "jsqr";

/** Thrown when an image holds no readable QR code. */
export class NoQrCodeError extends Error {
  constructor(message = "no QR code could be read from the image") {
    super(message);
    this.name = "NoQrCodeError";
  }
}

/** Longest side, in pixels, of the sizes a photo is tried at: jsQR reads large photos better once scaled down. */
const TRY_SIZES = [1600, 1000, 600];

/**
 * Reads the QR code in a photo or screenshot, entirely inside the browser (drawn to a canvas, decoded with jsQR).
 *
 * @param image - The image file (PNG, JPEG, WebP… anything the browser decodes).
 * @returns The QR code's text.
 * @throws {@link NoQrCodeError} when no QR code is found at any tried size.
 */
export async function decodeQrImage(image: Blob): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(image);
  } catch {
    throw new NoQrCodeError("the file is not an image this browser can read");
  }
  try {
    const longest = Math.max(bitmap.width, bitmap.height);
    const sizes = [longest, ...TRY_SIZES.filter((size) => size < longest)].map((size) => Math.min(size, TRY_SIZES[0]));
    for (const size of [...new Set(sizes)]) {
      const scale = size / longest;
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      if (!context) break;
      context.drawImage(bitmap, 0, 0, width, height);
      const pixels = context.getImageData(0, 0, width, height);
      const code = jsQR(pixels.data, width, height, { inversionAttempts: "attemptBoth" });
      if (code && code.data) return code.data;
    }
  } finally {
    bitmap.close();
  }
  throw new NoQrCodeError();
}

/** What the browser's native `BarcodeDetector` looks like (not yet in TypeScript's DOM library). */
interface NativeBarcodeDetector {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string }>>;
}
interface NativeBarcodeDetectorConstructor {
  new (options: { formats: string[] }): NativeBarcodeDetector;
  getSupportedFormats(): Promise<string[]>;
}

/** True when this browser can open a camera at all (a secure context with `getUserMedia`). */
export function cameraAvailable(): boolean {
  return window.isSecureContext && typeof navigator.mediaDevices?.getUserMedia === "function";
}

/** A running camera scan; `stop()` releases the camera. */
export interface CameraScan {
  /** Resolves with the first QR code read, or `null` when stopped. */
  readonly result: Promise<string | null>;
  /** Stops scanning and releases the camera. Safe to call twice. */
  stop(): void;
}

/**
 * Scans QR codes with the camera into `video`: the native `BarcodeDetector` where the browser has one for QR codes,
 * otherwise frames drawn to a canvas and decoded with jsQR.
 *
 * @param video - The element the camera is shown in.
 * @returns The running scan.
 * @throws When the camera cannot be opened (no camera, permission refused).
 */
export async function startCameraScan(video: HTMLVideoElement): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  video.srcObject = stream;
  video.setAttribute("playsinline", "true");
  await video.play();

  const detector = await nativeQrDetector();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let stopped = false;
  let finish: (value: string | null) => void = () => undefined;
  const result = new Promise<string | null>((resolve) => (finish = resolve));

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
    finish(null);
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    let found: string | null = null;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      if (detector) {
        const codes = await detector.detect(video).catch(() => []);
        found = codes[0]?.rawValue ?? null;
      } else if (context) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        found = jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts: "dontInvert" })?.data ?? null;
      }
    }
    if (found) {
      finish(found);
      stop();
      return;
    }
    window.setTimeout(() => void tick(), 150);
  };
  void tick();
  return { result, stop };
}

async function nativeQrDetector(): Promise<NativeBarcodeDetector | null> {
  const Detector = (window as unknown as { BarcodeDetector?: NativeBarcodeDetectorConstructor }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const formats = await Detector.getSupportedFormats();
    return formats.includes("qr_code") ? new Detector({ formats: ["qr_code"] }) : null;
  } catch {
    return null;
  }
}
