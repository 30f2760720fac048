import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';

/** What a CLI command sent to the stand-in. */
export interface ReceivedCall {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The stand-in's state, read by the tests (fields are replaced before each test). */
export interface ApiStandIn {
  /** The API base URL, `http://127.0.0.1:<port>/prod`. */
  api: string;
  received: ReceivedCall[];
  /** What the stand-in answers next (every call). */
  answer: { status: number; body: unknown };
  /** console.log and console.error lines of the command. */
  out: string[];
  err: string[];
}

/**
 * A loopback stand-in for procure's API for CLI command tests: records every call, answers with
 * `answer`, and captures the command's console output; the vitest hooks are registered here.
 */
export function useApiStandIn(): ApiStandIn {
  const stand: ApiStandIn = { api: '', received: [], answer: { status: 200, body: {} }, out: [], err: [] };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        stand.received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(stand.answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(stand.answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stand.api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    stand.received.length = 0;
    stand.out = [];
    stand.err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stand.out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stand.err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());
  return stand;
}
