import fs from "node:fs";
import path from "node:path";
import { convert } from "fontverter";
import type { Page } from "playwright-core";
import { cmapCodePoints, isCjk } from "../../../web/build/glyphs";

/** The family name of the page's own font (web/build/cjk-font.ts). */
export const PAGE_FONT_FAMILY = "MedBill Sans SC";

/** One weight of the font a built page ships, and the code points it covers. */
export interface ShippedFontFile {
  readonly file: string;
  readonly weight: number;
  readonly covered: ReadonlySet<number>;
}

/**
 * Reads the page font files of a built site (`<dist>/assets/medbill-sans-sc-<weight>-<hash>.woff2`).
 *
 * @param dist - The built site's directory.
 * @returns One entry per weight, sorted by weight.
 */
export async function shippedFont(dist: string): Promise<ShippedFontFile[]> {
  const dir = path.join(dist, "assets");
  const files = fs.readdirSync(dir).filter((name) => /^medbill-sans-sc-\d+-[0-9a-f]+\.woff2$/.test(name));
  const fonts: ShippedFontFile[] = [];
  for (const name of files) {
    // One at a time: wawoff2's WASM decoder is not safe to run concurrently.
    const sfnt = await convert(fs.readFileSync(path.join(dir, name)), "sfnt");
    fonts.push({ file: path.join(dir, name), weight: Number(name.split("-")[3]), covered: cmapCodePoints(sfnt) });
  }
  return fonts.sort((a, b) => a.weight - b.weight);
}

/** The CJK characters of `text` that `font` has no glyph for (each once). */
export function missingCjk(text: string, font: ShippedFontFile): string[] {
  return [...new Set([...text].filter((char) => isCjk(char) && !font.covered.has(char.codePointAt(0) ?? 0)))];
}

/** Everything the page shows as text: its visible text, its title, and the values and placeholders of its inputs. */
export async function shownText(page: Page): Promise<string> {
  const text = await page.evaluate(
    `[document.title, document.body.innerText, ...Array.from(document.querySelectorAll("input"), (input) => input.value + input.placeholder)].join("\\n")`,
  );
  return String(text);
}

/** The weights of the page's own font that the page has loaded (after its fonts settled). */
export async function loadedPageFontWeights(page: Page): Promise<string[]> {
  const weights = await page.evaluate(
    `document.fonts.ready.then(() => Array.from(document.fonts).filter((face) => face.family.replace(/"/g, "") === ${JSON.stringify(PAGE_FONT_FAMILY)} && face.status === "loaded").map((face) => face.weight))`,
  );
  return (weights as string[]).sort();
}
