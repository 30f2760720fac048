import { describe, expect, it } from 'vitest';
import { useApiStandIn } from '../support/api-stand-in';
import { run } from '../../lib/cli/resend';

/** `procure resend` against a loopback stand-in for the API: what it sends, what it prints, its exit codes. */
describe('procure resend', () => {
  const stand = useApiStandIn();

  it('signs POST /purchases/{id}/approvals/resend and prints who was mailed', async () => {
    stand.answer = {
      status: 200,
      body: { purchaseId: 'pur-1', resentTo: ['a@acme.test', 'b@acme.test'], expiresAt: '2030-01-04T00:00:00.000Z', resentAt: '2030-01-01T00:00:00.000Z' },
    };

    expect(await run(['pur-1', '--api', stand.api])).toBe(0);

    expect(stand.received).toHaveLength(1);
    expect(stand.received[0]).toMatchObject({ method: 'POST', url: '/prod/purchases/pur-1/approvals/resend' });
    expect(stand.received[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\S+\/execute-api\/aws4_request/);
    expect(stand.out.join('\n')).toMatch(/^sent to\s+a@acme\.test, b@acme\.test$/m);
    expect(stand.out.join('\n')).toMatch(/^expires\s+2030-01-04T00:00:00\.000Z$/m);
  });

  it('fails with the API reason when a resend comes too soon', async () => {
    stand.answer = { status: 429, body: { error: 'ResendTooSoonError', message: 'purchase pur-1 was resent less than 5 minutes ago', retryAfterSeconds: 120 } };

    expect(await run(['pur-1', '--api', stand.api])).toBe(1);

    expect(stand.err.join('\n')).toContain('resent less than 5 minutes ago');
    expect(stand.out).toEqual([]);
  });
});
