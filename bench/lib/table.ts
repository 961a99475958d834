/** One printed row: a label, then cells (numbers are formatted, strings printed as given). */
export type Row = readonly [label: string, ...cells: (string | number)[]];

/** Formats a number with `digits` decimals and thousands separators. */
export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Formats a ratio a/b as "0.83×". */
export function ratio(a: number, b: number, digits = 2): string {
  return `${(a / b).toFixed(digits)}×`;
}

/** Prints a titled table: first column left-aligned, the others right-aligned. */
export function printTable(title: string, header: Row, rows: readonly Row[], out: (line: string) => void = console.log): void {
  const all = [header, ...rows].map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const cols = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  out(`\n${title}`);
  out(line(all[0]!));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of all.slice(1)) out(line(r));
}
