import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StepEvent } from '../../lib/local';
import { printTable } from '../../lib/cli/output';
import { sinceValue } from '../../lib/cli/list';
import { formatAge, formatTime, oneLine, printAuditTrail, printPurchase, stepLine, toDecide } from '../../lib/cli/views';

const step = (over: Partial<StepEvent>): StepEvent => ({
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Procure-Purchase:pur-52aaae2ec0378ec1adf9e9cd95d7dd00',
  executionName: 'pur-52aaae2ec0378ec1adf9e9cd95d7dd00',
  type: 'StateExited',
  timestamp: 0,
  ...over,
});

describe('stepLine', () => {
  it('prints one line per finished state: short purchase id, state, outcome, duration', () => {
    expect(stepLine(step({ state: 'Checkout', outcome: 'succeeded', durationMs: 1392 }))).toBe('  [pur-52aaae2e] Checkout           succeeded    1.4 s');
    expect(stepLine(step({ state: 'CartSlotReady', outcome: 'succeeded', durationMs: 3 }))).toBe('  [pur-52aaae2e] CartSlotReady      succeeded     3 ms');
  });

  it("adds a failure's error and the message inside a Lambda error Cause", () => {
    const cause = JSON.stringify({ errorType: 'VendorRejectedError', errorMessage: 'card declined', trace: ['at x'] });
    expect(stepLine(step({ type: 'StateFailed', state: 'BuyLicense', outcome: 'failed', durationMs: 20, error: 'VendorRejectedError', cause }))).toBe(
      '  [pur-52aaae2e] BuyLicense         failed       20 ms  VendorRejectedError: card declined',
    );
    expect(stepLine(step({ type: 'StateRetried', state: 'Checkout', outcome: 'retrying', attempt: 2, error: 'Lambda.ServiceException' }))).toMatch(
      /retrying\s+attempt 2 after Lambda\.ServiceException$/,
    );
  });

  it('prints nothing for entries and execution events', () => {
    expect(stepLine(step({ type: 'StateEntered', state: 'Checkout' }))).toBeUndefined();
    expect(stepLine(step({ type: 'ExecutionSucceeded', outcome: 'SUCCEEDED' }))).toBeUndefined();
  });
});

describe('text helpers', () => {
  it('formats ISO times without milliseconds, and shortens long causes', () => {
    expect(formatTime('2026-11-28T23:00:03.972Z')).toBe('2026-11-28 23:00:03Z');
    expect(formatTime(null)).toBe('');
    expect(oneLine('x'.repeat(300), 20)).toBe(`${'x'.repeat(17)}...`);
    expect(oneLine('plain\n  text')).toBe('plain text');
  });
});

describe('tables', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('aligns columns and marks a cut value with an ellipsis', () => {
    printTable([
      { a: 'x', b: 'y'.repeat(70) },
      { a: 'longer', b: 'z' },
    ]);
    expect(out).toEqual([`a       b`, `------  ${'-'.repeat(60)}`, `x       ${'y'.repeat(59)}…`, `longer  z`]);
  });

  it('prints an audit trail oldest first with a wide detail column', () => {
    printAuditTrail([
      {
        seq: '1',
        at: '2026-11-28T23:00:01.000Z',
        type: 'REQUEST_RECEIVED',
        status: 'RECEIVED',
        actor: 'requester:ada@example.com',
        message: 'purchase request received via api',
      },
      { seq: '2', at: '2026-11-28T23:00:02.000Z', type: 'QUOTED', status: 'QUOTED', detail: { amountUsd: 18 } },
    ]);
    expect(out[0]).toMatch(/^time\s+event\s+status\s+actor\s+detail$/);
    expect(out[2]).toMatch(/^2026-11-28 23:00:01Z\s+REQUEST_RECEIVED\s+RECEIVED\s+requester:ada@example\.com\s+purchase request received via api$/);
    expect(out[3]).toMatch(/QUOTED\s+QUOTED\s+\{"amountUsd":18\}$/);
  });

  it('says (none) for no rows', () => {
    printTable([]);
    expect(out).toEqual(['(none)']);
  });
});

describe('printPurchase', () => {
  it('says what a waiting purchase waits for and when it tries again', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      printPurchase({
        purchaseId: 'pur-1',
        status: 'RESERVED',
        audit: [],
        waiting: { for: 'a CoCalc cart/add slot', since: '2026-12-06T10:00:00.000Z', until: '2026-12-06T10:00:42.000Z' },
      });
    } finally {
      spy.mockRestore();
    }
    expect(lines.find((l) => l.startsWith('waiting for'))).toBe(
      'waiting for  a CoCalc cart/add slot, since 2026-12-06 10:00:00Z, next try 2026-12-06 10:00:42Z',
    );
  });

  it('prints no waiting line once the purchase goes on (waiting: null)', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      printPurchase({ purchaseId: 'pur-1', status: 'IN_CART', audit: [], waiting: null });
    } finally {
      spy.mockRestore();
    }
    expect(lines.some((l) => l.startsWith('waiting for'))).toBe(false);
  });
});

describe('`procure list` values', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m 00s'],
    [3_599, '59m 59s'],
    [3_900, '1h 05m'],
    [86_399, '23h 59m'],
    [200_000, '2d 07h'],
  ])('shows an age of %i s as %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });

  it('says who still has to decide: the approvers and until when, an operator, or nobody', () => {
    expect(toDecide({ pendingApprovers: ['a@example.com', 'b@example.com'], approvalExpiresAt: '2030-01-04T00:00:00.000Z', needsResolution: false })).toBe(
      'a@example.com, b@example.com (until 2030-01-04 00:00:00Z)',
    );
    expect(toDecide({ pendingApprovers: [], needsResolution: true })).toBe('an operator: procure resolve');
    expect(toDecide({ pendingApprovers: [], needsResolution: false })).toBe('');
  });

  it('turns --since ages into times and passes dates through for the API to check', () => {
    const now = new Date('2030-01-10T12:00:00.000Z');
    expect(sinceValue('30m', now)).toBe('2030-01-10T11:30:00.000Z');
    expect(sinceValue('24h', now)).toBe('2030-01-09T12:00:00.000Z');
    expect(sinceValue('7d', now)).toBe('2030-01-03T12:00:00.000Z');
    expect(sinceValue('2030-01-01', now)).toBe('2030-01-01');
    expect(sinceValue('yesterday', now)).toBe('yesterday');
  });
});
