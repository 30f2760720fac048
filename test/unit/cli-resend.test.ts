import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../lib/cli/resend';

/** `procure resend` against a loopback stand-in for the API: what it sends, what it prints, its exit codes. */
describe('procure resend', () => {
  let server: Server;
  let api: string;
  const received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  let answer: { status: number; body: unknown };
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    received.length = 0;
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('signs POST /purchases/{id}/approvals/resend and prints who was mailed', async () => {
    answer = { status: 200, body: { purchaseId: 'pur-1', resentTo: ['a@acme.test', 'b@acme.test'], expiresAt: '2030-01-04T00:00:00.000Z', resentAt: '2030-01-01T00:00:00.000Z' } };

    expect(await run(['pur-1', '--api', api])).toBe(0);

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/prod/purchases/pur-1/approvals/resend' });
    expect(received[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\S+\/execute-api\/aws4_request/);
    expect(out.join('\n')).toMatch(/^sent to\s+a@acme\.test, b@acme\.test$/m);
    expect(out.join('\n')).toMatch(/^expires\s+2030-01-04T00:00:00\.000Z$/m);
  });

  it('fails with the API reason when a resend comes too soon', async () => {
    answer = { status: 429, body: { error: 'ResendTooSoonError', message: 'purchase pur-1 was resent less than 5 minutes ago', retryAfterSeconds: 120 } };

    expect(await run(['pur-1', '--api', api])).toBe(1);

    expect(err.join('\n')).toContain('resent less than 5 minutes ago');
    expect(out).toEqual([]);
  });
});
