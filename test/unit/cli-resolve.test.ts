import { describe, expect, it } from 'vitest';
import { useApiStandIn } from '../support/api-stand-in';
import { resolutionOf, run } from '../../lib/cli/resolve';

/** `procure resolve` against a loopback stand-in for the API: what it sends, what it prints, its exit codes. */
describe('procure resolve', () => {
  const stand = useApiStandIn();

  const resolved = {
    purchaseId: 'pur-1',
    status: 'COMPLETED',
    resolution: { finding: 'bought', licenseId: 'lic-1', actor: 'arn:aws:iam::000000000000:user/local-AKIA', comment: 'seen', at: '2030-01-01T00:00:00.000Z' },
    budget: 'committed',
    alreadyResolved: false,
  };

  it('signs POST /purchases/{id}/resolution with the finding and prints the outcome', async () => {
    stand.answer = { status: 200, body: resolved };

    expect(await run(['pur-1', '--bought', 'lic-1', '--comment', 'seen', '--api', stand.api])).toBe(0);

    expect(stand.received).toHaveLength(1);
    expect(stand.received[0]).toMatchObject({ method: 'POST', url: '/prod/purchases/pur-1/resolution' });
    expect(stand.received[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\S+\/execute-api\/aws4_request/);
    expect(JSON.parse(stand.received[0]!.body)).toEqual({ finding: 'bought', licenseId: 'lic-1', comment: 'seen' });
    expect(stand.out.join('\n')).toMatch(/^status\s+COMPLETED$/m);
    expect(stand.out.join('\n')).toMatch(/^finding\s+bought, license lic-1$/m);
    expect(stand.out.join('\n')).toMatch(/^budget\s+committed$/m);
  });

  it('prints the API answer as JSON with --json', async () => {
    stand.answer = { status: 200, body: { ...resolved, alreadyResolved: true } };
    expect(await run(['pur-1', '--bought', 'lic-1', '--api', stand.api, '--json'])).toBe(0);
    expect(JSON.parse(stand.out.join('\n'))).toEqual({ ...resolved, alreadyResolved: true });
  });

  it('exits 1 with the reason when the API refuses (409, 404, 400 with reasons)', async () => {
    stand.answer = {
      status: 409,
      body: { error: 'NotResolvable', message: 'purchase pur-1 is COMPLETED; only a purchase in NEEDS_ATTENTION can be resolved' },
    };
    expect(await run(['pur-1', '--not-bought', '--api', stand.api])).toBe(1);
    expect(stand.err.join('\n')).toContain('answered 409: purchase pur-1 is COMPLETED; only a purchase in NEEDS_ATTENTION can be resolved');

    stand.answer = { status: 400, body: { error: 'InvalidRequestError', message: 'invalid resolution', reasons: ['licenseId: bad'] } };
    expect(await run(['pur-1', '--bought', 'x', '--api', stand.api])).toBe(1);
    expect(stand.err.join('\n')).toContain('(licenseId: bad)');
  });

  it.each([
    [['pur-1', '--api', 'http://127.0.0.1:9'], /say what you found: --bought LICENSE_ID or --not-bought/],
    [['pur-1', '--bought', 'l', '--not-bought', '--api', 'http://127.0.0.1:9'], /either --bought LICENSE_ID or --not-bought, not both/],
    [['--not-bought', '--api', 'http://127.0.0.1:9'], /missing <purchaseId>/],
  ])('is a usage error (exit 2, nothing sent): %j', async (argv, message) => {
    expect(await run(argv)).toBe(2);
    expect(stand.err.join('\n')).toMatch(message);
    expect(stand.received).toEqual([]);
  });

  it('builds the two bodies', () => {
    expect(resolutionOf({ bought: ' lic-2 ' })).toEqual({ finding: 'bought', licenseId: 'lic-2' });
    expect(resolutionOf({ 'not-bought': true, comment: 'checked the cart' })).toEqual({ finding: 'not-bought', comment: 'checked the cart' });
  });
});
