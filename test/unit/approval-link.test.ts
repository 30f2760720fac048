import { describe, expect, it } from 'vitest';
import { buildApprovalUrl, createApprovalId, isApprovalId, signApprovalLink, verifyApprovalSignature } from '../../lambdas/core/approval-link';

const KEY = 'test-signing-key-0123456789abcdef';
const claims = { approvalId: 'AAAAAAAAAAAAAAAAAAAAAA', approver: 'boss@example.com', expiresAt: '2030-01-01T00:00:00.000Z' };

describe('approval links', () => {
  it('creates 128-bit url-safe ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, createApprovalId));

    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isApprovalId(id)).toBe(true);
    expect(Buffer.from([...ids][0]!, 'base64url')).toHaveLength(16);
  });

  it('verifies a signature made for the same id, approver and expiry', () => {
    const sig = signApprovalLink(claims, KEY);

    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyApprovalSignature(claims, sig, KEY)).toBe(true);
  });

  it('rejects a signature when the id, the approver, the expiry or the key differ', () => {
    const sig = signApprovalLink(claims, KEY);

    expect(verifyApprovalSignature({ ...claims, approvalId: 'BAAAAAAAAAAAAAAAAAAAAA' }, sig, KEY)).toBe(false);
    expect(verifyApprovalSignature({ ...claims, approver: 'other@example.com' }, sig, KEY)).toBe(false);
    expect(verifyApprovalSignature({ ...claims, expiresAt: '2031-01-01T00:00:00.000Z' }, sig, KEY)).toBe(false);
    expect(verifyApprovalSignature(claims, sig, 'another-signing-key-0123456789')).toBe(false);
  });

  it('cannot be fooled by moving characters between the signed fields', () => {
    const a = signApprovalLink({ approvalId: 'id1', approver: 'x@y.z', expiresAt: 'T' }, KEY);
    const b = signApprovalLink({ approvalId: 'id', approver: '1x@y.z', expiresAt: 'T' }, KEY);

    expect(a).not.toBe(b);
  });

  it('treats malformed or re-spelled signatures as invalid instead of throwing', () => {
    const sig = signApprovalLink(claims, KEY);
    const last = sig.at(-1)!;
    // base64url's last character has spare bits: a different spelling may decode to the same bytes.
    const respelled = sig.slice(0, -1) + (last === 'A' ? 'B' : String.fromCharCode(last.charCodeAt(0) ^ 1));

    for (const bad of ['', 'abc', sig + 'A', sig.slice(1), `${sig.slice(0, -1)}=`, respelled, '💥'.repeat(43)]) {
      expect(verifyApprovalSignature(claims, bad, KEY)).toBe(false);
    }
  });

  it('refuses to sign with an empty or short key', () => {
    expect(() => signApprovalLink(claims, '')).toThrow(RangeError);
    expect(() => signApprovalLink(claims, 'short')).toThrow(RangeError);
  });

  it('builds <base>/approvals/<id>?sig=<sig> and carries nothing else', () => {
    expect(buildApprovalUrl('https://api.example.com/prod/', 'abc_-1', 'S1g-_')).toBe('https://api.example.com/prod/approvals/abc_-1?sig=S1g-_');
  });
});
