import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, ProcureApi, resolveApiTarget } from '../../lib/cli/api-client';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The SigV4 signature AWS computes for a received request (per the Signature Version 4 spec). */
function expectedSignature(req: Received, secretAccessKey: string): { signature: string; credential: string } {
  const auth = String(req.headers.authorization);
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new Error(`unexpected Authorization header shape`);
  const [, credential, signedHeaders] = m as unknown as [string, string, string];
  const [, date, region, service, terminator] = credential.split('/');
  const amzDate = String(req.headers['x-amz-date']);
  const url = new URL(req.url, 'http://x');
  const query = [...url.searchParams]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
  const canonicalRequest = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, sha(req.body)].join('\n');
  const scope = `${date}/${region}/${service}/${terminator}`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonicalRequest)].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  return { signature: createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex'), credential };
}

describe('ProcureApi', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };

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
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  beforeEach(() => {
    received.length = 0;
  });

  const api = () => new ProcureApi({ apiUrl: `${base}/prod`, region: 'eu-west-1', credentials, local: false });

  it('signs GET /licenses?vendor= with SigV4 for execute-api, and the signature verifies', async () => {
    answer = { status: 200, body: { licenses: [{ vendor: 'cocalc', id: 'l-1' }] } };
    const licenses = await api().listLicenses('cocalc');
    expect(licenses).toEqual([{ vendor: 'cocalc', id: 'l-1' }]);
    const req = received[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/prod/licenses?vendor=cocalc');
    expect(req.headers['x-amz-security-token']).toBe('session-token');
    const { signature, credential } = expectedSignature(req, credentials.secretAccessKey);
    expect(credential).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request$/);
    expect(String(req.headers.authorization)).toMatch(/SignedHeaders=[^,]*host[^,]*x-amz-date/);
    expect(String(req.headers.authorization)).toContain(`Signature=${signature}`);
    // The check is not vacuous: another secret gives another signature.
    expect(String(req.headers.authorization)).not.toContain(`Signature=${expectedSignature(req, 'other-secret').signature}`);
  });

  it('signs the JSON body of POST /purchases', async () => {
    answer = { status: 202, body: { purchaseId: 'pur-1', status: 'RECEIVED', existing: false } };
    const result = await api().submitPurchase({ requestId: 'r-1', b: [1, 2] });
    expect(result).toEqual({ purchaseId: 'pur-1', status: 'RECEIVED', existing: false, httpStatus: 202 });
    const req = received[0]!;
    expect(req.body).toBe('{"requestId":"r-1","b":[1,2]}');
    expect(req.headers['content-type']).toBe('application/json');
    expect(String(req.headers.authorization)).toContain(`Signature=${expectedSignature(req, credentials.secretAccessKey).signature}`);
    const tampered = { ...req, body: '{"requestId":"r-2","b":[1,2]}' };
    expect(String(req.headers.authorization)).not.toContain(`Signature=${expectedSignature(tampered, credentials.secretAccessKey).signature}`);
  });

  it('turns an error answer into an ApiError with the message and reasons, never the Authorization header', async () => {
    answer = { status: 400, body: { error: 'InvalidRequest', message: 'invalid purchase request', reasons: ['reason: too short'] } };
    const err = await api()
      .submitPurchase({})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toBe('POST /purchases answered 400: invalid purchase request');
    expect((err as ApiError).reasons).toEqual(['reason: too short']);
    answer = { status: 403, body: { message: 'Missing Authentication Token' } };
    const denied = (await api()
      .getPurchase('pur-1')
      .catch((e: unknown) => e)) as ApiError;
    expect(denied.message).toMatch(/answered 403: Missing Authentication Token \(check the AWS credentials and that the URL includes the stage/);
    expect(denied.message).not.toContain(credentials.accessKeyId);
  });

  it('says which API it cannot reach', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const local = new ProcureApi({ apiUrl: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials, local: true });
    await expect(local.listLicenses()).rejects.toThrow(
      `cannot reach the procure API at http://127.0.0.1:${port} (ECONNREFUSED): is 'npm start' still running?`,
    );
  });
});

describe('resolveApiTarget', () => {
  let dir: string;
  const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'procure-cli-target-'));
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("takes a deployment's region from its execute-api URL and keeps the stage", () => {
    const t = resolveApiTarget({ api: 'https://a1b2c3.execute-api.eu-central-1.amazonaws.com/prod/' });
    expect(t).toMatchObject({ apiUrl: 'https://a1b2c3.execute-api.eu-central-1.amazonaws.com/prod', region: 'eu-central-1', local: false });
  });

  it('asks for AWS_REGION when a custom domain does not tell the region', () => {
    expect(() => resolveApiTarget({ api: 'https://api.example.com/prod' })).toThrow(/set AWS_REGION/);
    process.env.AWS_REGION = 'ap-south-1';
    expect(resolveApiTarget({ api: 'https://api.example.com/prod' }).region).toBe('ap-south-1');
  });

  it('treats a loopback --api as a local runtime', () => {
    expect(resolveApiTarget({ api: 'http://127.0.0.1:3000' })).toMatchObject({ apiUrl: 'http://127.0.0.1:3000', local: true });
  });

  it('refuses an --api that is not an http(s) URL', () => {
    expect(() => resolveApiTarget({ api: 'execute-api' })).toThrow(/--api must be a URL/);
    expect(() => resolveApiTarget({ api: 'ftp://x/prod' })).toThrow(/--api must be an http\(s\) URL/);
  });

  it('finds a running local runtime through <data-dir>/runtime.json', () => {
    writeFileSync(
      join(dir, 'runtime.json'),
      JSON.stringify({ apiUrl: 'http://127.0.0.1:4321', eventsEndpoint: 'http://127.0.0.1:4322', region: 'us-east-1', pid: process.pid }),
    );
    expect(resolveApiTarget({ dataDir: dir })).toMatchObject({ apiUrl: 'http://127.0.0.1:4321', eventsEndpoint: 'http://127.0.0.1:4322', local: true });
  });

  it("tells to run 'npm start' when no runtime is recorded or the recorded one is gone", () => {
    expect(() => resolveApiTarget({ dataDir: dir })).toThrow(/no local runtime found .*start one with 'npm start', or pass --api <url>/);
    writeFileSync(join(dir, 'runtime.json'), JSON.stringify({ apiUrl: 'http://127.0.0.1:4321', pid: 2 ** 30 }));
    expect(() => resolveApiTarget({ dataDir: dir })).toThrow(/is not running: start it with 'npm start'/);
  });
});
