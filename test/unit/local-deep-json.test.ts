import { describe, expect, it } from 'vitest';
import { stringifyDeep, toJsonText } from '../../lib/local/deep-json';

describe('toJsonText: the local runtime passes on documents nested deeper than JSON.stringify recurses', () => {
  it('writes the same text as JSON.stringify for ordinary data', () => {
    const samples: unknown[] = [
      { a: 1, b: [true, null, 'x"y', { c: -0.5 }], d: undefined, e: { f: [] }, g: {} },
      [1, undefined, 'z'],
      'text',
      42,
      null,
      { detail: { requestId: 'r-1', item: { description: { run_limit: 2, range: ['2026-01-01', '2026-02-01'] } } } },
    ];
    for (const s of samples) {
      expect(stringifyDeep(s)).toBe(JSON.stringify(s));
      expect(toJsonText(s)).toBe(JSON.stringify(s));
    }
  });

  it('serializes an array nested 200,000 levels deep (JSON.stringify overflows) to text JSON.parse reads back', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    const value = { detail: { extra: deep } };
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    const text = toJsonText(value);
    expect(text.startsWith('{"detail":{"extra":[[[')).toBe(true);
    expect(text.length).toBe('{"detail":{"extra":'.length + 200_000 * 2 + '"bottom"'.length + 2);
    const back = JSON.parse(text) as { detail: { extra: unknown } };
    let depth = 0;
    let cur: unknown = back.detail.extra;
    while (Array.isArray(cur)) {
      cur = cur[0];
      depth += 1;
    }
    expect([depth, cur]).toEqual([200_000, 'bottom']);
  });
});
