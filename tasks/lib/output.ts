/** Writes lines to stdout (the task's result; progress and errors go to stderr). */
export function print(...lines: string[]): void {
  for (const line of lines) process.stdout.write(line + "\n");
}

/** Writes a warning line to stderr. */
export function warn(message: string): void {
  process.stderr.write(`Warning: ${message}\n`);
}

/** Formats `key value` pairs with the values aligned. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`);
}

/** Formats rows as columns separated by two spaces (the last column unpadded). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i] - displayWidth(cell))))
      .join("  ")
      .trimEnd(),
  );
}

/** Terminal width of a string: CJK characters take two columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return width;
}

/** A block time (seconds since the epoch) as `YYYY-MM-DD HH:MM:SS UTC`. */
export function formatTime(seconds: number): string {
  return new Date(seconds * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}
