/**
 * JSON text for values nested deeper than JSON.stringify's recursion allows ("Maximum call stack
 * size exceeded"). AWS services accept such documents (EventBridge checks only the size) and the
 * Lambda runtime parses them (V8's JSON.parse does not recurse), so the local runtime must not
 * lose them while passing them on. Same output as JSON.stringify for plain JSON data; used only
 * when JSON.stringify overflows.
 */
export function stringifyDeep(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or literal text (separators and closing brackets).
  const stack: Array<{ value: unknown } | { text: string }> = [{ value }];
  while (stack.length) {
    const item = stack.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      const parts: Array<{ value: unknown } | { text: string }> = [{ text: '[' }];
      v.forEach((el, i) => {
        if (i) parts.push({ text: ',' });
        parts.push({ value: el === undefined || typeof el === 'function' || typeof el === 'symbol' ? null : el });
      });
      parts.push({ text: ']' });
      for (let i = parts.length - 1; i >= 0; i -= 1) stack.push(parts[i]!);
    } else if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      const parts: Array<{ value: unknown } | { text: string }> = [{ text: '{' }];
      let first = true;
      for (const [k, el] of Object.entries(v)) {
        if (el === undefined || typeof el === 'function' || typeof el === 'symbol') continue;
        parts.push({ text: `${first ? '' : ','}${JSON.stringify(k)}:` }, { value: el });
        first = false;
      }
      parts.push({ text: '}' });
      for (let i = parts.length - 1; i >= 0; i -= 1) stack.push(parts[i]!);
    } else {
      out.push(JSON.stringify(v) ?? 'null');
    }
  }
  return out.join('');
}

/** JSON.stringify, falling back to {@link stringifyDeep} when the value is nested too deep for it. */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) return stringifyDeep(value);
    throw err;
  }
}

/** The value at a dotted JSONPath (`$`, `$.a.b`) in `root`; undefined where a step is not an object. */
export function jsonPath(path: string, root: unknown): unknown {
  if (path === '$') return root;
  const parts = path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean);
  let cur: unknown = root;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
