/**
 * EventBridge event-pattern matching, the subset procure's rules need and a little more: exact
 * values (strings, numbers, booleans, null), `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (value, list, `{prefix}`, `{suffix}`), `exists`, `numeric` ranges, `wildcard`,
 * nested objects, `$or`, and array fields in the event (match when any element matches).
 * Unknown operators throw at start-up (parsePattern), so a rule is never silently ignored.
 */
export type EventPattern = Record<string, unknown>;

export class EventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventPatternError';
  }
}

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'exists', 'numeric', 'wildcard']);

/** Validates a pattern (throws EventPatternError on what the matcher does not implement). */
export function validatePattern(pattern: unknown, path = '$'): void {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) throw new EventPatternError(`${path}: a pattern level must be an object`);
  for (const [key, value] of Object.entries(pattern as Record<string, unknown>)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new EventPatternError(`${path}.$or must be an array of at least two patterns`);
      value.forEach((p, i) => {
        validatePattern(p, `${path}.$or[${i}]`);
      });
    } else if (Array.isArray(value)) {
      for (const m of value) {
        if (m !== null && typeof m === 'object') {
          const ops = Object.keys(m as object);
          if (ops.length !== 1 || !OPERATORS.has(ops[0]!)) throw new EventPatternError(`${path}.${key}: unsupported matcher ${JSON.stringify(m)}`);
        }
      }
    } else if (value !== null && typeof value === 'object') {
      validatePattern(value, `${path}.${key}`);
    } else {
      throw new EventPatternError(`${path}.${key}: match values must be in an array`);
    }
  }
}

/** True when `event` matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (event === null || typeof event !== 'object') return false;
  const obj = event as Record<string, unknown>;
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(rule as EventPattern[]).some((p) => matchesPattern(p, event))) return false;
      continue;
    }
    const present = Object.hasOwn(obj, key);
    const value = obj[key];
    if (Array.isArray(rule)) {
      if (!matchField(rule, present, value)) return false;
    } else if (rule !== null && typeof rule === 'object') {
      if (!present) return false;
      const values = Array.isArray(value) ? value : [value];
      if (!values.some((v) => matchesPattern(rule as EventPattern, v))) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchField(matchers: unknown[], present: boolean, value: unknown): boolean {
  // `exists` is about the field itself, not its values.
  for (const m of matchers) {
    if (m !== null && typeof m === 'object' && 'exists' in (m as object)) {
      const want = (m as { exists: boolean }).exists;
      const leafPresent = present && (value === null || typeof value !== 'object' || Array.isArray(value));
      if (want ? leafPresent : !present) return true;
    }
  }
  if (!present) return false;
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((m) => !(m !== null && typeof m === 'object' && 'exists' in (m as object)) && values.some((v) => matchOne(m, v)));
}

function matchOne(matcher: unknown, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return matcher === value;
  const [op, arg] = Object.entries(matcher as Record<string, unknown>)[0] ?? [];
  switch (op) {
    case 'prefix':
      return (
        typeof value === 'string' &&
        (typeof arg === 'string'
          ? value.startsWith(arg)
          : value.toLowerCase().startsWith(String((arg as Record<string, unknown>)['equals-ignore-case'] ?? '').toLowerCase()))
      );
    case 'suffix':
      return (
        typeof value === 'string' &&
        (typeof arg === 'string'
          ? value.endsWith(arg)
          : value.toLowerCase().endsWith(String((arg as Record<string, unknown>)['equals-ignore-case'] ?? '').toLowerCase()))
      );
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof arg === 'string' && wildcardRegExp(arg).test(value);
    case 'anything-but':
      return anythingBut(arg, value);
    case 'numeric':
      return typeof value === 'number' && numeric(arg as unknown[], value);
    default:
      return false;
  }
}

function anythingBut(arg: unknown, value: unknown): boolean {
  if (Array.isArray(arg)) return !arg.includes(value);
  if (arg !== null && typeof arg === 'object') {
    const [op, v] = Object.entries(arg as Record<string, unknown>)[0] ?? [];
    if (typeof value !== 'string') return true;
    if (op === 'prefix') return !value.startsWith(String(v));
    if (op === 'suffix') return !value.endsWith(String(v));
    if (op === 'equals-ignore-case')
      return Array.isArray(v) ? !v.some((x) => String(x).toLowerCase() === value.toLowerCase()) : String(v).toLowerCase() !== value.toLowerCase();
    return false;
  }
  return value !== arg;
}

function numeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
}

function wildcardRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}
