/** Small statistics and a plain-text table for the bench's output. */

/** The p-th percentile (0..100) of `values`, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** `value / baseline` as e.g. "1.58×"; "n/a" when either is missing. */
export function ratio(value: number, baseline: number): string {
  return Number.isFinite(value) && Number.isFinite(baseline) && baseline > 0 ? `${(value / baseline).toFixed(2)}×` : 'n/a';
}

/** Columns padded to their widest cell; numbers-looking cells right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const numeric = (cell: string) => /^[\d.,$×%-]+( ?[a-zA-Z/×%]*)?$/.test(cell);
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (numeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** min / median / max of the functions' ratios, how many are within issue 13's cold-init target (1.10×), and the worst five. */
export function ratioSummary(what: string, ratios: readonly [string, number][]): string {
  const values = ratios.map(([, value]) => value);
  const worst = [...ratios].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const within = values.filter((value) => value <= 1.1).length;
  return `${what}: min ${Math.min(...values).toFixed(2)}×, median ${median(values).toFixed(2)}×, max ${Math.max(...values).toFixed(2)}×; `
    + `${within} of ${values.length} within 1.10×; worst: ${worst.map(([name, value]) => `${name} ${value.toFixed(2)}×`).join(', ')}`;
}
