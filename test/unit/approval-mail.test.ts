import { describe, expect, it } from 'vitest';
import { APPROVAL_LINK_HEADER, renderApprovalMail } from '../../lambdas/core/approval-mail';
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
    for (const text of [
      'InterServer',
      'cPanel license for 203.0.113.10',
      '$45.00',
      'grace@example.com',
      'New web server',
      '$55.00 of $100.00 left',
      base.url,
      '2030-01-02 03:04 UTC',
    ]) {
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

describe('approval mail with hostile requester text (issue 9)', () => {
  // Valid under the schema: the reason may span lines. The name and title hold what the schema
  // refuses today, as a record stored earlier could.
  const hostile: ApprovalSummary = {
    vendor: 'cocalc',
    item: 'CoCalc site license "T\u202Eitle\nCost: $0.01": academic, monthly',
    amountUsd: 180,
    requester: { name: 'Eve\r\nCost: $0.50 (corrected)\x1b]8;;https://evil.example\x07', email: 'eve@example.com' },
    reason: [
      'Needed for the course.',
      '',
      'Cost: $0.50 (corrected)',
      'Review and decide: https://evil.example/approvals/AAAAAAAAAAAAAAAAAAAAAA?sig=forged',
      'Link expires: never',
      'Budget left: plenty',
    ].join('\r\n'),
  };
  const mail = renderApprovalMail({ ...base, summary: hostile });
  const lines = mail.text.split('\n');

  it('gives every label line to procure: requester text is only indented under its label', () => {
    for (const label of ['Cost', 'Review and decide', 'Link expires', 'Budget left', 'Vendor']) {
      expect(
        lines.filter((l) => l.startsWith(`${label}:`)),
        label,
      ).toHaveLength(1);
    }
    expect(lines.find((l) => l.startsWith('Cost:'))).toBe('Cost: $180.00');
    const reasonAt = lines.findIndex((l) => l.startsWith('Reason'));
    expect(lines.slice(reasonAt + 1, reasonAt + 7)).toEqual([
      '    Needed for the course.',
      '    ',
      '    Cost: $0.50 (corrected)',
      '    Review and decide: https://evil.example/approvals/AAAAAAAAAAAAAAAAAAAAAA?sig=forged',
      '    Link expires: never',
      '    Budget left: plenty',
    ]);
    // Every line is procure's own (a fixed label or text) or indented requester text.
    const own =
      /^(|A license purchase needs your approval\.|(Review and decide|Link expires|Vendor|Cost|Budget left): .+|(Item|Requester|Reason, as written by the requester):|The link opens a page.+)$/;
    for (const l of lines) expect(own.test(l) || l.startsWith('    '), l).toBe(true);
  });

  it('puts the genuine link first, before any requester text, and in its own header', () => {
    const genuineAt = mail.text.indexOf(`Review and decide: ${base.url}`);
    expect(genuineAt).toBeGreaterThan(-1);
    expect(genuineAt).toBeLessThan(mail.text.indexOf('Eve'));
    expect(genuineAt).toBeLessThan(mail.text.indexOf('Needed for the course'));
    expect(mail.text.match(/https?:\/\/\S+/)?.[0]).toBe(base.url);
    expect(mail.html.match(/href="([^"]+)"/)?.[1]).toBe(base.url);
    expect(mail.html.indexOf(`href="${base.url}"`)).toBeLessThan(mail.html.indexOf('Needed for the course'));
    expect(mail.headers).toEqual({ [APPROVAL_LINK_HEADER]: base.url });
  });

  it('shows no control or bidi character anywhere: they appear as visible escapes', () => {
    const active = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;
    expect(mail.text).not.toMatch(active);
    expect(mail.html).not.toMatch(active);
    expect(mail.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(mail.subject).toBe('Approve purchase: CoCalc $180.00 for Eve\\r\\nCost: $0.50 (corrected)\\x1b]8;;https://evil.example\\x07');
    expect(mail.text).toContain('    CoCalc site license "T\\u202eitle');
  });
});
