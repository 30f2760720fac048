import { describe, expect, it } from 'vitest';
import { renderDecidedPage, renderErrorPage } from '../../lambdas/core/approval-page';
import { pageLines, pageText, parseApprovalLink } from '../../lib/cli/approval-client';
import { classifyOutcome } from '../../lib/cli/decision-command';

describe('CLI approval-link client', () => {
  it('splits a link into the POST target, the signature and the approval id', () => {
    const r = parseApprovalLink('http://127.0.0.1:4010/approvals/abc_DEF-123?sig=s1g');
    expect(r).toEqual({
      postUrl: 'http://127.0.0.1:4010/approvals/abc_DEF-123',
      sig: 's1g',
      approvalId: 'abc_DEF-123',
      url: 'http://127.0.0.1:4010/approvals/abc_DEF-123?sig=s1g',
    });
  });

  it('takes a link a mail client mangled back to its canonical form', () => {
    const id = 'A'.repeat(21) + '_';
    const sig = 'b'.repeat(42) + '-';
    const canonical = `https://x.example/prod/approvals/${id}?sig=${sig}`;
    for (const mangled of [
      `https://x.example/prod/approvals/${id}/?sig=${sig}`,
      `${canonical}/`,
      `${canonical})`,
      `${canonical}.`,
      `${canonical}>`,
      `${canonical}&amp;`,
      `https://x.example/prod/approvals/${id}%29?sig=${sig}`,
    ]) {
      expect(parseApprovalLink(mangled), mangled).toEqual({ postUrl: `https://x.example/prod/approvals/${id}`, sig, approvalId: id, url: canonical });
    }
  });

  it('keeps a stage prefix in the POST target', () => {
    expect(parseApprovalLink('https://x.example/prod/approvals/id1?sig=z').postUrl).toBe('https://x.example/prod/approvals/id1');
  });

  it('refuses a link without a signature', () => {
    expect(() => parseApprovalLink('http://127.0.0.1/approvals/id1')).toThrow(/sig=/);
  });

  it('refuses text that is not a URL', () => {
    expect(() => parseApprovalLink('approve please')).toThrow(/not an approval link/);
  });

  it('reduces a page to its readable text', () => {
    expect(pageText('<html><style>p{}</style><h1>Approved</h1><p>by a&amp;b &lt;x&gt;</p></html>')).toBe('Approved by a&b <x>');
  });
});

describe('approval pages as the CLI reads them', () => {
  const summary = {
    vendor: 'cocalc' as const,
    item: 'CoCalc site license: academic',
    amountUsd: 18,
    requester: { name: 'Ada', email: 'ada@example.com' },
    reason: 'CS101 <projects> & more',
  };

  it('gives one line per block of the decided page, without the head', () => {
    const lines = pageLines(renderDecidedPage({ decision: 'APPROVED', approver: 'boss@example.com', decidedAt: '2030-01-02T03:04:05Z', summary }));
    expect(lines.slice(0, 3)).toEqual([
      'Purchase approved',
      'boss@example.com approved this purchase at 2030-01-02 03:04 UTC.',
      'The purchase continues now; the requester is told the outcome.',
    ]);
    expect(lines).toContain('Reason: CS101 <projects> & more');
    expect(lines.join('\n')).not.toMatch(/font:|noindex|<title>/);
  });

  it('classifies each page the approvals endpoint answers with', () => {
    const page = (status: number, html: string) => {
      const lines = pageLines(html);
      return { status, lines, text: lines.join(' ') };
    };
    expect(classifyOutcome(page(200, renderDecidedPage({ decision: 'APPROVED', approver: 'a@x', decidedAt: '2030-01-01T00:00:00Z' })))).toBe('approved');
    expect(classifyOutcome(page(200, renderDecidedPage({ decision: 'REJECTED', approver: 'a@x', decidedAt: '2030-01-01T00:00:00Z' })))).toBe('rejected');
    expect(classifyOutcome(page(409, renderErrorPage('already-decided')))).toBe('already-decided');
    expect(classifyOutcome(page(410, renderErrorPage('expired')))).toBe('expired');
    expect(classifyOutcome(page(403, renderErrorPage('invalid')))).toBe('invalid');
    expect(classifyOutcome(page(404, renderErrorPage('not-found')))).toBe('not-found');
    expect(classifyOutcome(page(500, renderErrorPage('unavailable')))).toBe('failed');
    // A 200 that is not a decided page (the confirm page, say) is not a decision.
    expect(classifyOutcome(page(200, '<h1>Approve a CoCalc purchase?</h1>'))).toBe('failed');
  });
});
