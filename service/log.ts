/** One-line log messages on stderr, prefixed with the time and the part. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A logger whose lines are prefixed with `[part]`. */
  child(part: string): Logger;
}

/** A logger writing to stderr; `MEDBILL_LOG=silent` keeps it quiet (tests), `MEDBILL_LOG=warn` shows warnings only. */
export function createLogger(level: string = process.env.MEDBILL_LOG ?? "info", prefix = ""): Logger {
  const rank = level === "silent" ? 3 : level === "error" ? 2 : level === "warn" ? 1 : 0;
  const write = (min: number, kind: string, message: string): void => {
    if (rank <= min) process.stderr.write(`${new Date().toISOString()} ${kind}${prefix} ${message}\n`);
  };
  return {
    info: (m) => write(0, "info", m),
    warn: (m) => write(1, "warn", m),
    error: (m) => write(2, "error", m),
    child: (part) => createLogger(level, `${prefix} [${part}]`),
  };
}
