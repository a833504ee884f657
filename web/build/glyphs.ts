/**
 * What the page's own font must cover, and what a font file does cover. Used by the Vite plugin that builds the
 * page's CJK font subset (./cjk-font.ts) and by the browser tests that check the shipped font.
 *
 * Node only; no dependencies.
 */
import fs from "node:fs";
import path from "node:path";

/** Printable ASCII: always in the subset (addresses, amounts, URIs and English text are typed in the same font). */
export const ASCII = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).join("");

/** Files under web/ whose text the page shows: markup, code, styles and data; not built output or the build itself. */
const SOURCE = /\.(html|ts|tsx|css|json)$/;
const SKIP_DIRS = new Set(["dist", "build", "node_modules"]);

/**
 * Whether `char` must come from the page's CJK font: CJK ideographs, radicals and symbols, kana, CJK punctuation,
 * and full-width forms. Other non-ASCII characters (¥, ·, →, …) are taken into the subset when the font has them,
 * and otherwise left to the browser's fallback.
 */
export function isCjk(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    (code >= 0x2e80 && code <= 0x9fff) || // radicals, CJK symbols and punctuation, kana, ideographs
    (code >= 0xf900 && code <= 0xfaff) || // compatibility ideographs
    (code >= 0xfe30 && code <= 0xfe4f) || // compatibility forms
    (code >= 0xff00 && code <= 0xffef) || // half-width and full-width forms
    (code >= 0x20000 && code <= 0x3ffff) // supplementary ideographs
  );
}

function walk(dir: string, files: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(full, files);
    } else if (SOURCE.test(entry.name) && !entry.name.startsWith("vite.config")) {
      files.push(full);
    }
  }
}

/**
 * The files whose characters the page can show: every source under `web/` (pages, code, styles, data; a new page
 * or string is picked up with no list to update) and the consortium files, whose members' names the page shows.
 *
 * @param projectRoot - The repository's root.
 * @returns Absolute paths, sorted.
 */
export function pageSources(projectRoot: string): string[] {
  const files: string[] = [];
  walk(path.join(projectRoot, "web"), files);
  walk(path.join(projectRoot, "consortium"), files);
  return files.sort();
}

/**
 * Every non-ASCII character in `files` (code points, sorted, each once).
 *
 * @param files - Text files to read.
 * @returns The characters.
 */
export function nonAsciiCharacters(files: readonly string[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    for (const char of fs.readFileSync(file, "utf8")) if ((char.codePointAt(0) ?? 0) > 0x7e) found.add(char);
  }
  return [...found].sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0));
}

/**
 * The code points a TrueType/OpenType font (sfnt, not WOFF2) maps to a glyph, read from its `cmap` table
 * (Unicode subtables of format 4 and 12).
 *
 * @param font - The font file's bytes.
 * @returns The covered code points.
 */
export function cmapCodePoints(font: Buffer): Set<number> {
  const numTables = font.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < numTables; i++) {
    const record = 12 + 16 * i;
    if (font.toString("latin1", record, record + 4) === "cmap") cmap = font.readUInt32BE(record + 8);
  }
  if (cmap < 0) throw new Error("the font has no cmap table");
  const covered = new Set<number>();
  const subtables = font.readUInt16BE(cmap + 2);
  for (let i = 0; i < subtables; i++) {
    const platform = font.readUInt16BE(cmap + 4 + 8 * i);
    const encoding = font.readUInt16BE(cmap + 6 + 8 * i);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const table = cmap + font.readUInt32BE(cmap + 8 + 8 * i);
    const format = font.readUInt16BE(table);
    if (format === 12) {
      const groups = font.readUInt32BE(table + 12);
      for (let g = 0; g < groups; g++) {
        const start = font.readUInt32BE(table + 16 + 12 * g);
        const end = font.readUInt32BE(table + 20 + 12 * g);
        const glyph = font.readUInt32BE(table + 24 + 12 * g);
        for (let code = start; code <= end; code++) if (glyph + (code - start) !== 0) covered.add(code);
      }
    } else if (format === 4) {
      const segments = font.readUInt16BE(table + 6) / 2;
      const ends = table + 14;
      const starts = ends + 2 * segments + 2;
      const deltas = starts + 2 * segments;
      const rangeOffsets = deltas + 2 * segments;
      for (let s = 0; s < segments; s++) {
        const start = font.readUInt16BE(starts + 2 * s);
        const end = font.readUInt16BE(ends + 2 * s);
        const delta = font.readInt16BE(deltas + 2 * s);
        const rangeOffsetAt = rangeOffsets + 2 * s;
        const rangeOffset = font.readUInt16BE(rangeOffsetAt);
        for (let code = start; code <= end && code !== 0xffff; code++) {
          let glyph: number;
          if (rangeOffset === 0) glyph = (code + delta) & 0xffff;
          else {
            const raw = font.readUInt16BE(rangeOffsetAt + rangeOffset + 2 * (code - start));
            glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
          }
          if (glyph !== 0) covered.add(code);
        }
      }
    }
  }
  return covered;
}
