import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny AWS-protocol stub on 127.0.0.1 for adapter unit tests of services nothing on npm emulates
 * (Step Functions, SES, EventBridge, Secrets Manager). The real SDK client serializes and parses;
 * the test decides the answer. Not a fake of procure's ports: the adapters' own code runs unchanged.
 */
export interface StubRequest {
  method: string;
  path: string;
  /** `X-Amz-Target` operation for AWS-JSON services ("AWSStepFunctions.StartExecution" -> "StartExecution"). */
  operation: string;
  body: Record<string, unknown>;
}
export interface StubResponse {
  status?: number;
  body?: Record<string, unknown>;
  /** For AWS-JSON errors: sets `__type` and HTTP 400. */
  errorType?: string;
  message?: string;
}
export interface LoopbackAws {
  endpoint: string;
  requests: StubRequest[];
  close(): Promise<void>;
  /** Client config pointing at this stub. */
  clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLoopbackAws(respond: (req: StubRequest) => StubResponse | Promise<StubResponse>): Promise<LoopbackAws> {
  const requests: StubRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const stubReq: StubRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      operation: target.includes('.') ? target.slice(target.lastIndexOf('.') + 1) : target,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
    };
    requests.push(stubReq);
    const out = await respond(stubReq);
    if (out.errorType) {
      res.writeHead(out.status ?? 400, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': out.errorType,
      });
      res.end(JSON.stringify({ __type: out.errorType, message: out.message ?? out.errorType }));
      return;
    }
    res.writeHead(out.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out.body ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    clientConfig: () => ({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
