// Types for the two untyped font packages the page's build and its tests use (only what they call).

declare module "subset-font" {
  /** Subsets a font (TrueType, OpenType, WOFF, WOFF2) to the characters of `text` with harfbuzz's hb-subset (WASM). */
  export default function subsetFont(
    font: Buffer,
    text: string,
    options?: { targetFormat?: "sfnt" | "truetype" | "woff" | "woff2" },
  ): Promise<Buffer>;
}

declare module "fontverter" {
  /** Converts a font between sfnt (TrueType/OpenType), WOFF and WOFF2. */
  export function convert(font: Buffer, to: "sfnt" | "truetype" | "woff" | "woff2"): Promise<Buffer>;
}
