/**
 * The page's own font, so that its Chinese is legible on a machine with no CJK font (and looks the same on every
 * machine): a Vite plugin that, at build time, subsets Noto Sans SC (npm `@expo-google-fonts/noto-sans-sc`, SIL
 * OFL 1.1) to the characters found in web/ and the consortium files (./glyphs.ts) plus printable ASCII, with
 * harfbuzz's hb-subset (npm `subset-font`, WASM), and ships it as WOFF2 (regular and bold) with every page:
 * `<link rel="preload">` and an `@font-face` of family {@link FONT_FAMILY} are added to each HTML page.
 *
 * A CJK character used in web/ that the font lacks fails the build, naming it. A new page or string needs no list:
 * the characters are read from the sources on every build (and on every page load of the dev server).
 */
import type { HtmlTagDescriptor, Plugin } from "vite";
import { nonAsciiCharacters, pageSources } from "./glyphs";
import { FONT_FAMILY, buildPageFont, describe, type PageFont, type PageFontFile } from "./page-font";

/** `<link rel=preload>` and `@font-face` for a page at `pagePath` (e.g. `/wallet.html`), with relative URLs. */
function fontTags(font: PageFont, pagePath: string): HtmlTagDescriptor[] {
  const up = "../".repeat(Math.max(0, pagePath.split("/").filter(Boolean).length - 1));
  const href = (file: PageFontFile): string => `./${up}${file.fileName}`;
  const faces = font.files.map(
    (file) =>
      `@font-face{font-family:"${FONT_FAMILY}";font-style:normal;font-weight:${file.weight};font-display:swap;` +
      `src:url("${href(file)}") format("woff2")}`,
  );
  return [
    ...font.files.map((file): HtmlTagDescriptor => ({
      tag: "link",
      attrs: { rel: "preload", href: href(file), as: "font", type: "font/woff2", crossorigin: "" },
      injectTo: "head",
    })),
    { tag: "style", attrs: { "data-font": FONT_FAMILY }, children: faces.join("\n"), injectTo: "head" },
  ];
}

/**
 * The Vite plugin: builds the page's font (see the module's description) and adds it to every HTML page; the dev
 * server serves the same files from memory, rebuilt when the page's characters change.
 *
 * @param projectRoot - The repository's root.
 * @returns The plugin.
 */
export function pageFont(projectRoot: string): Plugin {
  let cached: { key: string; font: Promise<PageFont> } | undefined;
  const current = (): Promise<PageFont> => {
    const characters = nonAsciiCharacters(pageSources(projectRoot));
    const key = characters.join("");
    if (cached?.key !== key) cached = { key, font: buildPageFont(projectRoot, characters) };
    return cached.font;
  };
  return {
    name: "medbill-page-font",
    async buildStart() {
      const font = await current();
      if (font.fallback.length > 0) this.warn(`Noto Sans SC lacks ${describe(font.fallback)}: left to the browser`);
    },
    transformIndexHtml: {
      order: "pre",
      handler: async (_html, context) => fontTags(await current(), context.path),
    },
    async generateBundle() {
      for (const file of (await current()).files) {
        this.emitFile({ type: "asset", fileName: file.fileName, source: file.woff2 });
      }
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const wanted = (request.url ?? "").split("?")[0].replace(/^\//, "");
        void current().then((font) => {
          const file = font.files.find((candidate) => candidate.fileName === wanted);
          if (!file) return next();
          response.setHeader("content-type", "font/woff2");
          response.end(file.woff2);
        }, next);
      });
    },
  };
}
