import cliProgress from "cli-progress";

/** A progress display for long-running work: done / total, rate and ETA, on stderr. */
export interface Progress {
  /** Sets how many items are done so far. */
  update(done: number): void;
  /** Stops the display (leaves the last state on screen). */
  stop(): void;
}

/**
 * Starts a progress bar on stderr: `[bar] done/total | N bills/s | ETA 12s`. On a terminal it redraws in place; when
 * stderr is not a terminal (CI, a log file) it prints a line every few seconds. `quiet` shows nothing.
 *
 * @param startAt - Items already done when the bar starts (they do not count towards the rate).
 */
export function startProgress(
  total: number,
  options: { unit?: string; quiet?: boolean; startAt?: number } = {},
): Progress {
  if (options.quiet === true || total === 0) return { update: () => undefined, stop: () => undefined };
  const unit = options.unit ?? "items";
  const startAt = options.startAt ?? 0;
  const started = Date.now();
  const bar = new cliProgress.SingleBar({
    format: `{bar} {value}/{total} ${unit} | {rate} ${unit}/s | ETA {etaText}`,
    stream: process.stderr,
    hideCursor: false,
    noTTYOutput: true,
    notTTYSchedule: 5_000,
    barsize: 30,
    barCompleteChar: "█",
    barIncompleteChar: "░",
  });
  const payload = (done: number): { rate: string; etaText: string } => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? (done - startAt) / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    return { rate: rate.toFixed(0), etaText: Number.isFinite(eta) ? formatDuration(eta) : "--" };
  };
  bar.start(total, startAt, payload(startAt));
  return {
    update(done) {
      bar.update(done, payload(done));
    },
    stop() {
      bar.stop();
    },
  };
}

/** Formats seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
