/**
 * Measuring helpers for `npm run bench`. Figures only: nothing here asserts a timing, because
 * timings depend on the machine; the bench prints them for people to compare runs.
 */

/** Calls `fn` in a loop for about `ms` (after a short warm-up) and returns calls per second. */
export function opsPerSecond(fn: (i: number) => unknown, ms: number): { opsPerSec: number; ops: number } {
  const warmUntil = performance.now() + Math.min(100, ms / 5);
  let i = 0;
  while (performance.now() < warmUntil) fn(i++);
  let ops = 0;
  const t0 = performance.now();
  let elapsed = 0;
  // Check the clock every 64 calls: reading it costs about as much as a cheap call.
  do {
    for (let k = 0; k < 64; k++) fn(ops++);
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return { opsPerSec: (ops / elapsed) * 1000, ops };
}

/** Wall time of an async call in milliseconds, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Median (the mean of the middle two for an even count); NaN for none. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One printed row: what was measured, the figure, and how it was measured. */
export interface Row {
  section: string;
  metric: string;
  value: string;
  note?: string;
}

/** A plain-text table with aligned columns (no colours: the output is often piped or pasted). */
export function formatTable(rows: readonly Row[]): string {
  const header: Row = { section: 'section', metric: 'metric', value: 'value', note: 'how' };
  const all = [header, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => (r[k] ?? '').length));
  const [ws, wm, wv] = [w('section'), w('metric'), w('value')];
  const line = (r: Row) => `${r.section.padEnd(ws)}  ${r.metric.padEnd(wm)}  ${r.value.padStart(wv)}  ${r.note ?? ''}`.trimEnd();
  return [line(header), `${'-'.repeat(ws)}  ${'-'.repeat(wm)}  ${'-'.repeat(wv)}  ${'-'.repeat(3)}`, ...rows.map(line)].join('\n');
}

/** 12345.6 -> "12,346"; small values keep a few significant digits. */
export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

/** Milliseconds, one decimal below 100 ms. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return ms >= 100 ? `${Math.round(ms).toLocaleString('en-US')} ms` : `${ms.toFixed(1)} ms`;
}

/** Bytes as MiB. */
export function fmtMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A plain-text table: a header, a dashed rule and the rows, columns two spaces apart; the columns
 * `rightAligned` says are padded on the left (numbers), the others on the right.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: (column: number) => boolean = () => false): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
