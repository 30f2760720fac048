import { describe, expect, it } from 'vitest';
import { endOutcomeOf, noticeViewOf } from '../../lambdas/core/notify-requester';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import { noticeKind, renderRequesterNotice, type NoticeOutcome, type RequesterNoticeView } from '../../lambdas/core/requester-notice';
import type { WorkflowState } from '../../lambdas/core/workflow';
import { redactText } from '../../lambdas/shared/redact';
import { cocalcRequest, interserverRequest } from '../support/requests';

const FROM = 'procure@example.com';

function view(outcome: NoticeOutcome, over: Partial<RequesterNoticeView> = {}): RequesterNoticeView {
  return {
    purchaseId: 'pur-0123456789abcdef0123456789abcdef',
    requestId: 'course-cs101-2026',
    vendor: 'cocalc',
    requester: { name: 'Ada Lovelace', email: 'ada@example.com' },
    reason: 'Course project for CS101',
    item: 'CoCalc site license: academic, monthly, run limit 2',
    amountUsd: 18,
    outcome,
    ...over,
  };
}

/** procure's own labels; no other line of the text part may look like `Label: value`. */
const LABELS = ['Vendor', 'Cost', 'Quoted cost', 'License', 'Purchase', 'Request', 'What it is for', 'Your reason', "The approver's comment, as they wrote it"];

function labelLines(text: string): string[] {
  return text
    .split('\n')
    .slice(1) // the greeting, "Hello <name>,"
    .filter((l) => /^\S[^:]*:/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')));
}

describe('the requester notice', () => {
  it.each<[string, NoticeOutcome, string, string]>([
    ['approval', { status: 'APPROVED', approver: 'boss@example.com' }, 'was approved', 'boss@example.com approved it. procure is buying it from CoCalc now'],
    ['completion', { status: 'COMPLETED', licenseId: 'lic-8367f1d3' }, 'is complete', 'procure bought it from CoCalc and checked that the license is there.'],
    [
      'rejection',
      { status: 'REJECTED', vendor: 'cocalc', approver: 'boss@example.com', comment: 'Use the department license' },
      'was rejected',
      'boss@example.com rejected it. Nothing was bought.',
    ],
    [
      'expiry',
      { status: 'EXPIRED', vendor: 'cocalc', error: 'States.Timeout' },
      'expired without a decision',
      'Nobody approved it before the approval deadline. Nothing was bought.',
    ],
    [
      'budget refusal',
      { status: 'FAILED', vendor: 'cocalc', error: 'BudgetExceededError' },
      'did not go through',
      "it would have gone over this month's CoCalc budget. Nothing was bought.",
    ],
    [
      'daily limit',
      { status: 'FAILED', vendor: 'cocalc', error: 'DailyLimitExceededError' },
      'did not go through',
      "procure's limit on purchases per day was reached.",
    ],
    [
      'vendor failure',
      { status: 'FAILED', vendor: 'cocalc', error: 'VendorAuthError' },
      'did not go through',
      'a problem at CoCalc or in procure stopped it. The operators have been told.',
    ],
    ['invalid request', { status: 'INVALID', vendor: 'interserver', error: 'InvalidIpError' }, 'could not be made', 'could not accept the request as written'],
    [
      'unknown vendor outcome',
      { status: 'NEEDS_ATTENTION', vendor: 'cocalc', error: 'PurchaseOutcomeUnknownError' },
      'is being checked',
      'procure cannot tell yet whether CoCalc charged for it.',
    ],
  ])('tells of the %s in plain words', (_what, outcome, headline, sentence) => {
    const mail = renderRequesterNotice(view(outcome), FROM);

    expect(mail).toMatchObject({ to: ['ada@example.com'], from: FROM, subject: `Your CoCalc purchase ${headline} (course-cs101-2026)` });
    expect(mail.text).toContain(sentence);
    const spent = outcome.status === 'APPROVED' || outcome.status === 'COMPLETED';
    expect(mail.text.split('\n')).toContain(spent ? 'Cost: $18.00' : 'Quoted cost: $18.00');
    expect(mail.text).toContain('What it is for:\n    CoCalc site license: academic, monthly, run limit 2');
    expect(mail.text).toContain('Your reason:\n    Course project for CS101');
    // The error's name chooses the words; it never appears itself.
    if ('error' in outcome && outcome.error) for (const part of [mail.text, mail.html, mail.subject]) expect(part).not.toContain(outcome.error);
    expect(mail.headers).toBeUndefined();
    expect(mail.html).not.toMatch(/<a\b/i);
  });

  it('names the license only when the purchase completed', () => {
    expect(renderRequesterNotice(view({ status: 'COMPLETED', licenseId: 'lic-1' }), FROM).text).toContain('License: lic-1');
    expect(renderRequesterNotice(view({ status: 'FAILED', vendor: 'cocalc' }), FROM).text).not.toContain('License:');
  });

  it('is a decision notice only for an approval; every other outcome ends the purchase', () => {
    expect(noticeKind({ status: 'APPROVED', approver: 'a@example.com' })).toBe('decision');
    expect(noticeKind({ status: 'REJECTED', vendor: 'cocalc' })).toBe('outcome');
    expect(noticeKind({ status: 'COMPLETED' })).toBe('outcome');
  });

  it('keeps hostile requester and approver text under its label: no new lines, labels, controls, bidi or links of its own', () => {
    const hostile = view(
      {
        status: 'REJECTED',
        vendor: 'cocalc',
        approver: 'boss@example.com',
        comment: 'ok\nCost: $0.00\r\nLicense: FREE\u2028Vendor: https://evil.example/pay\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007',
      },
      {
        requester: { name: 'Eve\nCost: $0.00 \u202eevil\u001b[2J', email: 'eve@example.com' },
        reason: 'Approved already\r\nRequest: see https://evil.example/approve?sig=abc\n<a href="https://evil.example">here</a>',
        item: 'CoCalc site license\u2029Purchase: pur-fake',
      },
    );

    const mail = renderRequesterNotice(hostile, FROM);

    expect(labelLines(mail.text).filter((l) => !LABELS.includes(l))).toEqual([]);
    // Each procure label appears once: the fakes are indented quotes, not lines of their own.
    for (const label of ['Quoted cost', 'Cost', 'License', 'Vendor', 'Request', 'Purchase'])
      expect(labelLines(mail.text).filter((l) => l === label).length).toBeLessThanOrEqual(1);
    expect(mail.text).toContain('    Cost: $0.00');
    expect(mail.text).toContain('Hello Eve\\nCost: $0.00 \\u202eevil\\x1b[2J,');
    for (const part of [mail.text, mail.html, mail.subject]) {
      expect(part).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    }
    expect(mail.html).not.toMatch(/<a\b/i);
    expect(mail.html).toContain('&lt;a href=&quot;https://evil.example&quot;&gt;here&lt;/a&gt;');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('built from a workflow state, carries no stack trace, token, stored reason or vendor key', () => {
    const token = 'AAAAKgAAAAIAAAAAAAAAAf' + 'Q'.repeat(200);
    const request = parsePurchaseRequest(interserverRequest({ requestId: 'is-fail' }));
    const state: WorkflowState = {
      purchaseId: 'pur-1',
      request,
      source: 'api',
      receivedAt: '2030-03-01T10:00:00Z',
      quote: { vendor: 'interserver', amountUsd: 10, summary: 'InterServer cPanel license for 203.0.113.10', autoApprove: false },
      failure: {
        Error: 'VendorAuthError',
        Cause: JSON.stringify({
          errorType: 'VendorAuthError',
          errorMessage: `login failed for apikey sk_live_123 (task ${token})`,
          trace: ['at secretFrame (/var/task/index.js:1:1)'],
        }),
      },
    };

    const mail = renderRequesterNotice(noticeViewOf(state, endOutcomeOf(state, 'FAILED', 'VendorAuthError', redactText)), FROM);

    for (const part of [mail.subject, mail.text, mail.html]) {
      for (const secret of [token, 'sk_live_123', 'login failed', 'secretFrame', '/var/task', 'VendorAuthError']) expect(part).not.toContain(secret);
    }
    expect(mail.text).toContain('a problem at InterServer or in procure stopped it');
    expect(mail.to).toEqual(['grace@example.com']);
  });

  it('quotes a rejection comment after scrubbing token-like runs and link signatures from it', () => {
    const request = parsePurchaseRequest(cocalcRequest({ requestId: 'rej' }));
    const long = 'Z'.repeat(250);
    const state: WorkflowState = {
      purchaseId: 'pur-2',
      request,
      source: 'event',
      receivedAt: '2030-03-01T10:00:00Z',
      approval: {
        decision: 'REJECTED',
        approver: 'boss@example.com',
        decidedAt: '2030-03-01T11:00:00Z',
        comment: `see https://x.example/approvals/abc?sig=${long} and ${long}`,
      },
    };

    const mail = renderRequesterNotice(noticeViewOf(state, endOutcomeOf(state, 'REJECTED', undefined, redactText)), FROM);

    expect(mail.text).toContain("The approver's comment, as they wrote it:\n    see https://x.example/approvals/abc?sig=");
    expect(mail.text).not.toContain(long);
  });
});
