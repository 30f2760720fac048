import { escapeControls } from '../../lambdas/core/safe-text';

/**
 * Terminal output for the CLI: readable tables by default, JSON with --json. Every value shown is
 * passed through {@link escapeControls}: stored text may hold terminal escapes (cursor moves, OSC 8
 * links) or bidi overrides, and they are printed visibly (`\x1b`, `\u202e`), never acted on.
 */
export function printTable(rows: Array<Record<string, unknown>>, columns?: string[], options: { maxWidth?: Record<string, number> } = {}): void {
  if (rows.length === 0) {
    console.log('(none)');
    return;
  }
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const cell = (v: unknown): string => escapeControls(v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.min(options.maxWidth?.[c] ?? 60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  // A cut value ends in "…", so a reader knows there is more (--json has it all).
  const fitted = (v: string, w: number): string => (v.length > w ? `${v.slice(0, w - 1)}…` : v.padEnd(w));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => fitted(v, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(cols.map(escapeControls)));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Prints a value as JSON or via the given human formatter. */
export function emit(json: boolean, value: unknown, human: () => void): void {
  if (json) printJson(value);
  else human();
}
