/**
 * The page's own font, built from the page's sources: Noto Sans SC (npm `@expo-google-fonts/noto-sans-sc`, SIL OFL
 * 1.1) subset with harfbuzz's hb-subset (npm `subset-font`, WASM) to printable ASCII and every non-ASCII character
 * found in web/ and the consortium files (./glyphs.ts), as WOFF2, regular and bold. The Vite plugin that ships it
 * with every page is ./cjk-font.ts.
 */
/// <reference path="./modules.d.ts" />
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { convert } from "fontverter";
import subsetFont from "subset-font";
import { ASCII, cmapCodePoints, isCjk, nonAsciiCharacters, pageSources } from "./glyphs";

/** The CSS font family of the page's own font. */
export const FONT_FAMILY = "MedBill Sans SC";
/** Where the built page's font files are (relative to the built site's root). */
export const FONT_DIR = "assets";
const FONT_PACKAGE = "@expo-google-fonts/noto-sans-sc";
const WEIGHTS: ReadonlyArray<readonly [weight: number, file: string]> = [
  [400, "400Regular/NotoSansSC_400Regular.ttf"],
  [700, "700Bold/NotoSansSC_700Bold.ttf"],
];

/** One weight of the page's font. */
export interface PageFontFile {
  readonly weight: number;
  /** Path in the built site, e.g. `assets/medbill-sans-sc-400-0123456789.woff2` (named after its content). */
  readonly fileName: string;
  readonly woff2: Buffer;
}

/** The page's font: its files and what went into them. */
export interface PageFont {
  readonly files: readonly PageFontFile[];
  /** The non-ASCII characters found in the page's sources. */
  readonly characters: readonly string[];
  /** Found characters that are not CJK and that Noto Sans SC lacks: the browser falls back for them. */
  readonly fallback: readonly string[];
}

/** `票 (U+7968), …`: characters named for an error message. */
export const describe = (chars: readonly string[]): string =>
  chars.map((c) => `${c} (U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")})`).join(", ");

/**
 * Subsets the font to the characters of the page's sources.
 *
 * @param projectRoot - The repository's root (its node_modules has the font package).
 * @param characters - The non-ASCII characters to include (default: those found in the page's sources).
 * @returns The WOFF2 files, one per weight.
 * @throws If the font lacks a CJK character among them.
 */
export async function buildPageFont(
  projectRoot: string,
  characters: readonly string[] = nonAsciiCharacters(pageSources(projectRoot)),
): Promise<PageFont> {
  const resolve = createRequire(path.join(projectRoot, "package.json")).resolve;
  const files: PageFontFile[] = [];
  let fallback: string[] = [];
  for (const [weight, file] of WEIGHTS) {
    const source = fs.readFileSync(resolve(`${FONT_PACKAGE}/${file}`));
    const sfnt = await subsetFont(source, ASCII + characters.join(""), { targetFormat: "sfnt" });
    const covered = cmapCodePoints(sfnt);
    const missing = characters.filter((c) => !covered.has(c.codePointAt(0) ?? 0));
    const missingCjk = missing.filter(isCjk);
    if (missingCjk.length > 0) {
      throw new Error(
        `${FONT_PACKAGE} ${file} has no glyph for ${describe(missingCjk)}, used in web/ or consortium/: ` +
          `the page could not show it on a machine without CJK fonts`,
      );
    }
    fallback = missing;
    const woff2 = await convert(sfnt, "woff2");
    const hash = createHash("sha256").update(woff2).digest("hex").slice(0, 10);
    files.push({ weight, fileName: `${FONT_DIR}/medbill-sans-sc-${weight}-${hash}.woff2`, woff2 });
  }
  return { files, characters, fallback };
}
