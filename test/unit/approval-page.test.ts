import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { APPROVAL_PAGE_CSP, escapeHtml, renderConfirmPage, renderDecidedPage, renderErrorPage, type ApprovalErrorKind } from '../../lambdas/core/approval-page';
import type { ApprovalSummary } from '../../lambdas/core/ports';

const summary: ApprovalSummary = {
  vendor: 'cocalc',
  item: 'CoCalc site license: academic, monthly, 4 GB RAM',
  amountUsd: 12.5,
  requester: { name: '<script>alert(1)</script>', email: 'ada@example.com' },
  reason: 'Needs "quotes" & <b>tags</b>',
};
const view = {
  approvalId: 'AAAAAAAAAAAAAAAAAAAAAA',
  signature: 'SIG_sig-1234567890123456789012345678901234',
  approver: 'boss@example.com',
  expiresAt: '2030-01-02T03:04:05.000Z',
  summary,
  budget: { remainingUsd: 87.5, capUsd: 100 },
};

describe('approval pages', () => {
  it('escapes a requester name like <script> and every other interpolated value', () => {
    const html = renderConfirmPage(view);

    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Needs &quot;quotes&quot; &amp; &lt;b&gt;tags&lt;/b&gt;');
  });

  it('shows vendor, item, cost, requester, reason, budget left and expiry on the confirm page', () => {
    const html = renderConfirmPage(view);

    for (const text of [
      'CoCalc',
      'academic, monthly, 4 GB RAM',
      '$12.50',
      'ada@example.com',
      '$87.50 of $100.00 left this month',
      '2030-01-02 03:04 UTC',
      'boss@example.com',
    ]) {
      expect(html).toContain(text);
    }
  });

  it('has one POST form back to the approval with the signature hidden and both decisions as buttons', () => {
    const html = renderConfirmPage(view);

    expect(html.match(/<form/g)).toHaveLength(1);
    expect(html).toContain(`<form method="post" action="${view.approvalId}">`);
    expect(html).toContain(`<input type="hidden" name="sig" value="${view.signature}">`);
    expect(html).toContain('name="decision" value="approve"');
    expect(html).toContain('name="decision" value="reject"');
    expect(html).toContain('name="comment"');
  });

  it('loads nothing external and runs no script', () => {
    const pages = [renderConfirmPage(view), renderDecidedPage({ decision: 'APPROVED', approver: 'a@b.c', decidedAt: view.expiresAt, summary })];

    for (const html of pages) {
      expect(html).not.toMatch(/<script|\ssrc=|<link|<img|https?:\/\/|\son\w+=/i);
    }
  });

  it('allows its inline style by hash in a strict CSP', () => {
    const html = renderConfirmPage(view);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');

    expect(APPROVAL_PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(APPROVAL_PAGE_CSP).toContain("default-src 'none'");
    expect(APPROVAL_PAGE_CSP).toContain("frame-ancestors 'none'");
    expect(APPROVAL_PAGE_CSP).toContain("form-action 'self'");
  });

  it('says the total changed when approval is asked again after a mismatch', () => {
    const html = renderConfirmPage({ ...view, summary: { ...summary, mismatch: 'vendor total $14.00, quoted $12.50' } });

    expect(html).toContain('total changed');
    expect(html).toContain('vendor total $14.00, quoted $12.50');
  });

  it('renders a clear page for every way a link can fail', () => {
    const kinds: ApprovalErrorKind[] = ['invalid', 'expired', 'already-decided', 'not-found', 'unavailable'];
    const titles = kinds.map((k) => /<h1>(.*?)<\/h1>/.exec(renderErrorPage(k))?.[1]);

    expect(new Set(titles).size).toBe(kinds.length);
    expect(renderErrorPage('expired')).toContain('expired');
    expect(renderErrorPage('already-decided', '<i>x</i>')).toContain('&lt;i&gt;x&lt;/i&gt;');
  });

  it('confirms the decision on the result page', () => {
    expect(renderDecidedPage({ decision: 'APPROVED', approver: 'a@b.c', decidedAt: view.expiresAt })).toContain('Purchase approved');
    expect(renderDecidedPage({ decision: 'REJECTED', approver: 'a@b.c', decidedAt: view.expiresAt })).toContain('Nothing will be bought');
  });

  it('escapes all five HTML-significant characters', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});
