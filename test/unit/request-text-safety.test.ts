import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../lambdas/core/errors';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import { escapeControls, findUnsafeChar, safeLines } from '../../lambdas/core/safe-text';
import { cocalcRequest, interserverRequest } from '../support/requests';

/**
 * Issue 9 §1: text a requester writes cannot pose as procure. One-line fields refuse line breaks,
 * C0/C1 controls and bidi formatting; multi-line fields allow line breaks only.
 */

/** Hostile strings, each with what it tries to do. None is acceptable in a one-line field. */
const HOSTILE: Array<[string, string]> = [
  ['CRLF + a fake Cost line', 'Eve\r\nCost: $0.50 (corrected)'],
  ['LF + a fake link line', 'Eve\nReview and decide: https://evil.example/approvals/x?sig=y'],
  ['lone CR', 'Eve\rCost: $0.50'],
  ['ESC CSI: cursor up, erase line', 'Eve\x1b[1A\x1b[2K'],
  ['OSC 8 hyperlink', '\x1b]8;;https://evil.example\x07click\x1b]8;;\x07'],
  ['BEL', 'Eve\x07'],
  ['U+202E right-to-left override', 'Eve\u202Egnp.exe'],
  ['U+2066 left-to-right isolate', 'Eve\u2066x\u2069'],
  ['U+200F right-to-left mark', 'Eve\u200F'],
  ['U+061C Arabic letter mark', 'Eve\u061C'],
  ['NUL', 'Eve\u0000'],
  ['C1 NEL 0x85', 'Eve\u0085Cost: $0.50'],
  ['C1 CSI 0x9b', 'Eve\u009b2J'],
  ['DEL', 'Eve\u007f'],
  ['TAB', 'Eve\tCost'],
  ['U+2028 line separator', 'Eve\u2028Cost: $0.50'],
];

/** What a one-line field must refuse beyond what a multi-line one must (line breaks). */
const LINE_BREAKS = new Set(['LF + a fake link line']);

function issuesOf(body: unknown): string[] {
  try {
    parsePurchaseRequest(body);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRequestError);
    return (e as InvalidRequestError).issues;
  }
  return [];
}

const cocalcWith = (description: Record<string, unknown>) => {
  const base = cocalcRequest() as { item: { description: Record<string, unknown> } };
  return cocalcRequest({ item: { description: { ...base.item.description, ...description } } });
};

/** Each one-line field, and how to build a request that puts `value` in it. */
const SINGLE_LINE: Array<[string, RegExp, (value: string) => unknown]> = [
  [
    'requester.name',
    /^requester\.name: name must be a single line without control or bidirectional-formatting characters \(found U\+[0-9A-F]{4} at position \d+\)$/,
    (v) => cocalcRequest({ requester: { email: 'eve@example.com', name: v } }),
  ],
  ['CoCalc title', /^item\.description\.title: title must be a single line/, (v) => cocalcWith({ title: v })],
  ['InterServer licenseType', /licenseType/, (v) => interserverRequest({ item: { ip: '203.0.113.10', licenseType: v } })],
];

/** Each multi-line field. */
const MULTI_LINE: Array<[string, RegExp, (value: string) => unknown]> = [
  [
    'reason',
    /^reason: reason may contain line breaks but no other control or bidirectional-formatting characters \(found U\+/,
    (v) => cocalcRequest({ reason: v }),
  ],
  ['CoCalc description', /^item\.description\.description: description may contain line breaks but no other/, (v) => cocalcWith({ description: v })],
];

describe('requester text in purchase requests', () => {
  describe.each(SINGLE_LINE)('%s (one line)', (_field, message, build) => {
    it.each(HOSTILE)('refuses %s with the field named', (_what, value) => {
      const issues = issuesOf(build(value));
      expect(
        issues.some((i) => message.test(i)),
        issues.join('; '),
      ).toBe(true);
    });

    it('accepts ordinary text, accents and scripts included', () => {
      expect(issuesOf(build('Zoë Ångström-Núñez (Team α) 李雷 محمد'))).toEqual([]);
    });
  });

  describe.each(MULTI_LINE)('%s (multi-line)', (_field, message, build) => {
    it.each(HOSTILE.filter(([what]) => !LINE_BREAKS.has(what) && what !== 'CRLF + a fake Cost line'))('refuses %s with the field named', (_what, value) => {
      const issues = issuesOf(build(value));
      expect(
        issues.some((i) => message.test(i)),
        issues.join('; '),
      ).toBe(true);
    });

    it('accepts line breaks (LF and CRLF)', () => {
      expect(issuesOf(build('First line\nCost: $0.50\r\nReview and decide: https://evil.example/'))).toEqual([]);
    });
  });

  it('names the first refused character and its position', () => {
    expect(findUnsafeChar('ab\u202Ec', { multiLine: false })).toEqual({ char: '\u202E', index: 2 });
    expect(findUnsafeChar('ab\r\nc', { multiLine: true })).toBeUndefined();
    expect(findUnsafeChar('ab\rc', { multiLine: true })).toEqual({ char: '\r', index: 2 });
  });
});

describe('escapeControls', () => {
  it('shows every control, separator and bidi character as a visible escape', () => {
    expect(escapeControls('a\x1b[2Kb')).toBe('a\\x1b[2Kb');
    expect(escapeControls('\x1b]8;;https://evil.example\x07x\x1b]8;;\x07')).toBe('\\x1b]8;;https://evil.example\\x07x\\x1b]8;;\\x07');
    expect(escapeControls('a\r\nb\tc')).toBe('a\\r\\nb\\tc');
    expect(escapeControls('\u0000\u007f\u0085\u009b')).toBe('\\x00\\x7f\\x85\\x9b');
    expect(escapeControls('x\u202Ey\u2066\u2069\u200E\u200F\u061C\u2028')).toBe('x\\u202ey\\u2066\\u2069\\u200e\\u200f\\u061c\\u2028');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Zoë <zoe@example.com> paid $12.50 — 李雷 محمد \\x1b (typed, not an escape)';
    expect(escapeControls(text)).toBe(text);
  });

  it('leaves no character a terminal acts on', () => {
    for (const [, value] of HOSTILE)
      expect(escapeControls(value)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/);
  });

  it('splits multi-line text on any line break and escapes each line', () => {
    expect(safeLines('a\r\nb\nc\rd\u2028e\x1b')).toEqual(['a', 'b', 'c', 'd', 'e\\x1b']);
  });
});
