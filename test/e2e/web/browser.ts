/**
 * The one way the browser tests start Chromium: the build shipped inside the npm package `@sparticuz/chromium`
 * (pinned in package.json), driven through playwright-core, so `npm test` needs nothing but Node and npm.
 * `MEDBILL_CHROMIUM=/path/to/chromium` uses that Chromium instead (e.g. Debian's /usr/bin/chromium).
 *
 * The packaged Chromium runs with the shared libraries the package ships beside it (NSS, NSPR, expat, built for
 * Amazon Linux 2023; they need only glibc), so the machine needs none of its own.
 *
 * The browser finds the package's Open Sans and the machine's fonts (a bare machine has none). The page brings its
 * own font for its Chinese (web/build/cjk-font.ts); test/e2e/web/font.ts checks that it loaded and covers every CJK
 * character the page shows, so a screenshot on this machine is what a machine without CJK fonts shows too.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import packagedChromium from "@sparticuz/chromium";
import { chromium, type Browser, type LaunchOptions } from "playwright-core";

/** Where the Chromium a test launches comes from. */
export interface ChromiumExecutable {
  /** Absolute path of the Chromium binary. */
  readonly path: string;
  /** `MEDBILL_CHROMIUM` when that variable named it, else `@sparticuz/chromium@<version>`. */
  readonly source: string;
  /** A fontconfig file listing the fonts that ship with the project's Chromium (and the machine's, if any). */
  readonly fontconfigFile: string;
  /** The shared libraries the packaged Chromium brings (NSS, NSPR, expat), for `LD_LIBRARY_PATH`; none for a named one. */
  readonly libraryPath?: string;
}

/** Flags for a headless Chromium in a test: no sandbox (CI runs as root), no GPU, no traffic of its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--no-zygote",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

const PACKAGE = "@sparticuz/chromium";
const COMPLETE = ".complete";
/** Names the layout of an unpacked copy; a new layout gets a new directory rather than reusing an older one. */
const LAYOUT = "r2";

/** The installed `@sparticuz/chromium` package's version (the cache directory is named after it). */
function packageVersion(): string {
  // The package's exports hide its package.json: walk up from its entry point.
  for (let dir = path.dirname(require.resolve(PACKAGE)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (manifest.name === PACKAGE && manifest.version) return manifest.version;
  }
  throw new Error(`cannot find the version of ${PACKAGE} (is it installed? run npm ci)`);
}

/**
 * Writes `<home>/fonts.conf` (atomically: concurrent runs share `home`): a fontconfig file listing `<home>/fonts`
 * (the package's Open Sans: without any font Chromium's renderer crashes) and the machine's own fonts if it has any,
 * with its cache in `<home>/fontconfig-cache`. Written on every run, so a change here reaches unpacked copies too.
 */
function writeFontconfig(home: string): string {
  const xml = (value: string): string => value.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const file = path.join(home, "fonts.conf");
  const draft = `${file}.${process.pid}`;
  fs.writeFileSync(
    draft,
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      "<fontconfig>",
      `  <dir>${xml(path.join(home, "fonts"))}</dir>`,
      '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
      `  <cachedir>${xml(path.join(home, "fontconfig-cache"))}</cachedir>`,
      "</fontconfig>",
      "",
    ].join("\n"),
  );
  fs.renameSync(draft, file);
  return file;
}

/**
 * Unpacks the package's Chromium (Brotli-compressed in node_modules) once per version into
 * `<tmpdir>/medbill-chromium-<version>-<layout>/`. The package unpacks into `os.tmpdir()`, so it is pointed at a private
 * staging directory that is renamed into place only when complete: concurrent test runs (other worktrees, other
 * users of the machine) never see half a binary, and a run killed mid-way leaves only a staging directory.
 */
async function unpackPackagedChromium(): Promise<ChromiumExecutable> {
  const version = packageVersion();
  const source = `${PACKAGE}@${version}`;
  const target = path.join(os.tmpdir(), `medbill-chromium-${version}-${LAYOUT}`);
  const ready = (): ChromiumExecutable => ({
    path: path.join(target, "chromium"),
    source,
    fontconfigFile: writeFontconfig(target),
    libraryPath: path.join(target, "al2023", "lib"),
  });
  if (fs.existsSync(path.join(target, COMPLETE))) return ready();

  const staging = fs.mkdtempSync(`${target}.partial-`);
  const saved = { TMPDIR: process.env.TMPDIR, AWS_LAMBDA_JS_RUNTIME: process.env.AWS_LAMBDA_JS_RUNTIME };
  try {
    process.env.TMPDIR = staging; // os.tmpdir() reads it on every call: the package unpacks into staging
    // Also unpack the libraries it ships for Amazon Linux 2023 (NSS, NSPR, expat): a machine with only Node and
    // npm need not have them, and with them the browser is the same build on every machine.
    process.env.AWS_LAMBDA_JS_RUNTIME = "nodejs20.x";
    const binary = await packagedChromium.executablePath();
    if (path.resolve(binary) !== path.join(staging, "chromium")) {
      throw new Error(`${source} unpacked Chromium to ${binary}, expected ${path.join(staging, "chromium")}`);
    }
    if (!fs.existsSync(path.join(staging, "al2023", "lib", "libnss3.so"))) {
      throw new Error(`${source} did not unpack its libraries (al2023/lib/libnss3.so)`);
    }
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  fs.writeFileSync(path.join(staging, COMPLETE), `${source}\n`);
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another run finished first: use its copy.
    if (!fs.existsSync(path.join(target, COMPLETE))) throw error;
  }
  return ready();
}

/** A system Chromium named by `MEDBILL_CHROMIUM`, with the packaged fonts only. */
async function namedChromium(binary: string): Promise<ChromiumExecutable> {
  if (!fs.existsSync(binary)) {
    throw new Error(`MEDBILL_CHROMIUM=${binary}: no such file (unset it to use the Chromium of ${PACKAGE})`);
  }
  const packaged = await unpackPackagedChromium();
  return { path: binary, source: "MEDBILL_CHROMIUM", fontconfigFile: packaged.fontconfigFile };
}

let resolving: Promise<ChromiumExecutable> | undefined;

/**
 * The Chromium the browser tests launch: `MEDBILL_CHROMIUM` if set, else the one inside `@sparticuz/chromium`
 * (unpacked on first use, a few seconds, then reused).
 *
 * @returns The binary, where it came from, and the fontconfig file to run it with.
 */
export function chromiumExecutable(): Promise<ChromiumExecutable> {
  resolving ??= (process.env.MEDBILL_CHROMIUM ? namedChromium(process.env.MEDBILL_CHROMIUM) : unpackPackagedChromium())
    // A failed unpack is retried by the next caller rather than cached.
    .catch((error: unknown) => {
      resolving = undefined;
      throw error;
    });
  return resolving;
}

/**
 * Launches a headless Chromium for a test (see {@link chromiumExecutable}); the caller closes it.
 *
 * @param options - playwright-core launch options merged over the defaults (`args` are added to {@link CHROMIUM_ARGS}).
 * @returns The running browser.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executable = await chromiumExecutable();
  try {
    return await chromium.launch({
      ...options,
      executablePath: executable.path,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
      env: {
        ...process.env,
        ...options.env,
        FONTCONFIG_FILE: executable.fontconfigFile,
        ...(executable.libraryPath && {
          LD_LIBRARY_PATH: [executable.libraryPath, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
        }),
      },
    });
  } catch (error) {
    throw new Error(`could not launch Chromium from ${executable.source} (${executable.path}): ${String(error)}`, {
      cause: error,
    });
  }
}
