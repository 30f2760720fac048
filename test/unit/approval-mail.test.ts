import { describe, expect, it } from 'vitest';
import { renderApprovalMail } from '../../lambdas/core/approval-mail';
import type { ApprovalSummary } from '../../lambdas/core/ports';

const summary: ApprovalSummary = {
  vendor: 'interserver',
  item: 'cPanel license for 203.0.113.10',
  amountUsd: 45,
  requester: { name: 'Grace <Hopper>', email: 'grace@example.com' },
  reason: 'New web server',
};
const base = {
  from: 'procure@example.com',
  approver: 'boss@example.com',
  summary,
  url: 'https://api.example.com/approvals/AAAAAAAAAAAAAAAAAAAAAA?sig=abc',
  expiresAt: '2030-01-02T03:04:05.000Z',
  budget: { remainingUsd: 55, capUsd: 100 },
};

describe('approval mail', () => {
  it('goes to one approver and names vendor, item, cost, requester, reason, budget, link and expiry', () => {
    const mail = renderApprovalMail(base);

    expect(mail.to).toEqual(['boss@example.com']);
    expect(mail.from).toBe('procure@example.com');
    expect(mail.subject).toBe('Approve purchase: InterServer $45.00 for Grace <Hopper>');
    for (const text of ['InterServer', 'cPanel license for 203.0.113.10', '$45.00', 'grace@example.com', 'New web server', '$55.00 of $100.00 left', base.url, '2030-01-02 03:04 UTC']) {
      expect(mail.text).toContain(text);
    }
  });

  it('escapes values in the HTML part', () => {
    const mail = renderApprovalMail(base);

    expect(mail.html).toContain('Grace &lt;Hopper&gt;');
    expect(mail.html).not.toContain('<Hopper>');
    expect(mail.html).toContain('href="https://api.example.com/approvals/AAAAAAAAAAAAAAAAAAAAAA?sig=abc"');
  });

  it('says the vendor total changed and asks again when there was a mismatch', () => {
    const mail = renderApprovalMail({ ...base, summary: { ...summary, mismatch: 'total $50.00, quoted $45.00' } });

    expect(mail.subject).toMatch(/^Changed total, approve again:/);
    expect(mail.text).toContain("The vendor's total for this purchase changed");
    expect(mail.text).toContain('total $50.00, quoted $45.00');
  });

  it('keeps the subject on one line whatever the requester name holds', () => {
    const mail = renderApprovalMail({ ...base, summary: { ...summary, requester: { name: 'Eve\r\nBcc: x@evil', email: 'e@x.y' } } });

    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});
