/**
 * Context values given with `cdk synth -c procure:key=value` arrive as strings: these coerce them
 * into what the schema expects. A value that does not parse is passed on unchanged, so the schema,
 * not this step, reports it.
 */

/** A comma-separated list, trimmed, empty items dropped. */
export const csv = (v: unknown): unknown =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : v;
/** JSON text parsed; text that is not JSON stays as it is. */
export const json = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
/** A numeric string as a number. */
export const num = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);
