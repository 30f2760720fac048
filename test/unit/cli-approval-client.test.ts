import { describe, expect, it } from 'vitest';
import { pageText, parseApprovalLink } from '../../lib/cli/approval-client';

describe('CLI approval-link client', () => {
  it('splits a link into the POST target, the signature and the approval id', () => {
    const r = parseApprovalLink('http://127.0.0.1:4010/approvals/abc_DEF-123?sig=s1g');
    expect(r).toEqual({ postUrl: 'http://127.0.0.1:4010/approvals/abc_DEF-123', sig: 's1g', approvalId: 'abc_DEF-123' });
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
