/** Progress and summary lines: progress goes to stderr (so stdout stays the command's result), throttled on long work. */
export interface Reporter {
  /** The command's result (tables, summaries): stdout. */
  out(line: string): void;
  /** Progress of long work: stderr, at most once a second unless `force`. */
  progress(line: string, force?: boolean): void;
  /** Why the command failed: stderr. */
  error(line: string): void;
}

export function consoleReporter(now = () => Date.now()): Reporter {
  let last = 0;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    progress: (line, force = false) => {
      if (!force && now() - last < 1000) return;
      last = now();
      process.stderr.write(`${line}\n`);
    },
    error: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Rows as aligned columns, header first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
