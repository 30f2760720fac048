import { describe, expect, it } from 'vitest';
import { planFollowUps, resendAllowedAt, RESEND_MIN_INTERVAL_MS, type FollowUpPolicy } from '../../lambdas/core/approval-follow-up-plan';

// A round sent at 00:00 whose links expire at 72:00 (hours since sending, to read the table easily).
const H = 3_600_000;
const SENT = Date.parse('2030-03-01T00:00:00.000Z');
const at = (hours: number): Date => new Date(SENT + hours * H);
const round = (over: { remindersSent?: number; escalatedAt?: string; expiresInHours?: number } = {}) => ({
  sentAt: new Date(SENT).toISOString(),
  expiresAt: new Date(SENT + (over.expiresInHours ?? 72) * H).toISOString(),
  remindersSent: over.remindersSent ?? 0,
  ...(over.escalatedAt ? { escalatedAt: over.escalatedAt } : {}),
});
// Reminders 24 h and 2 h before expiry (given out of order on purpose); escalation after 48 h.
const POLICY: FollowUpPolicy = { reminderOffsetsSeconds: [2 * 3600, 24 * 3600], escalation: { approvers: ['boss@acme.test'], delaySeconds: 48 * 3600 } };

describe('planFollowUps', () => {
  it.each([
    { case: 'nothing is due right after sending', hours: 1, r: round(), want: { escalate: false } },
    { case: 'nothing just before the first reminder', hours: 47.99, r: round(), want: { escalate: false } },
    { case: 'nothing a minute before the first reminder, 24 h before expiry', hours: 48 - 1 / 60, r: round(), want: { escalate: false } },
    {
      case: 'at 48 h: the first reminder and the escalation',
      hours: 48,
      r: round(),
      want: { escalate: true, reminder: { from: 0, upTo: 1, offsetSeconds: 86_400, send: true } },
    },
    { case: 'the first reminder is not sent twice', hours: 60, r: round({ remindersSent: 1, escalatedAt: 'x' }), want: { escalate: false } },
    {
      case: 'the second reminder 2 h before expiry',
      hours: 70,
      r: round({ remindersSent: 1, escalatedAt: 'x' }),
      want: { escalate: false, reminder: { from: 1, upTo: 2, offsetSeconds: 7200, send: true } },
    },
    {
      case: 'a late run sends one reminder for both offsets, at the later offset',
      hours: 71,
      r: round({ escalatedAt: 'x' }),
      want: { escalate: false, reminder: { from: 0, upTo: 2, offsetSeconds: 7200, send: true } },
    },
    { case: 'all reminders done, escalated: nothing', hours: 71.5, r: round({ remindersSent: 2, escalatedAt: 'x' }), want: { escalate: false } },
    { case: 'nothing once the links expired, even if never reminded', hours: 72, r: round(), want: { escalate: false } },
    {
      case: 'an offset longer than the links live is recorded, not mailed',
      hours: 0.5,
      r: round({ expiresInHours: 10 }),
      want: { escalate: false, reminder: { from: 0, upTo: 1, offsetSeconds: 86_400, send: false } },
    },
  ])('$case', ({ hours, r, want }) => {
    expect(planFollowUps(r, POLICY, at(hours))).toEqual(want);
  });

  it('never escalates without escalation approvers', () => {
    expect(planFollowUps(round(), { reminderOffsetsSeconds: [], escalation: { approvers: [], delaySeconds: 60 } }, at(50))).toEqual({ escalate: false });
    expect(planFollowUps(round(), { reminderOffsetsSeconds: [] }, at(50))).toEqual({ escalate: false });
  });
});

describe('resendAllowedAt', () => {
  it('allows a first resend at once and the next one the minimum interval after the last', () => {
    expect(resendAllowedAt({})).toBe(0);
    expect(resendAllowedAt({ resentAt: new Date(SENT).toISOString() })).toBe(SENT + RESEND_MIN_INTERVAL_MS);
  });
});
