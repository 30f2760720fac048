import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError } from './aws-error';
import { answerTooLarge, MAX_REQUEST_BYTES, readBody } from './http-body';
import type { RuntimeCredentials } from './local-credentials';
import { checkSigV4 } from './sigv4-check';

/**
 * One loopback HTTP endpoint answering the AWS wire protocols of the services the handlers call
 * besides DynamoDB: AWS-JSON 1.0 (Step Functions, `X-Amz-Target: AWSStepFunctions.<Op>`), AWS-JSON
 * 1.1 (Secrets Manager `secretsmanager.<Op>`, EventBridge `AWSEvents.<Op>`) and REST-JSON (SES v2
 * `POST /v2/email/outbound-emails`). Handlers point at it with `AWS_ENDPOINT_URL_<SERVICE>`; the
 * real SDK signs and serializes, the facades only answer. Request bodies are never logged (they
 * carry task tokens and secrets).
 */
export type JsonOperation = (operation: string, body: Record<string, unknown>) => unknown;
export type RestRoute = (method: string, path: string, body: Record<string, unknown>) => unknown;

export interface AwsEndpointServices {
  /** AWS-JSON 1.0, target prefix AWSStepFunctions. */
  sfn?: JsonOperation;
  /** AWS-JSON 1.1, target prefix secretsmanager. */
  secretsManager?: JsonOperation;
  /** AWS-JSON 1.1, target prefix AWSEvents. */
  events?: JsonOperation;
  /** REST-JSON under /v2/email/. */
  sesv2?: RestRoute;
}

export interface AwsEndpoint {
  url: string;
  close(): Promise<void>;
}

const TARGETS: Record<string, { service: keyof AwsEndpointServices; contentType: string }> = {
  AWSStepFunctions: { service: 'sfn', contentType: 'application/x-amz-json-1.0' },
  secretsmanager: { service: 'secretsManager', contentType: 'application/x-amz-json-1.1' },
  AWSEvents: { service: 'events', contentType: 'application/x-amz-json-1.1' },
};

function parseJson(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AwsServiceError('SerializationException', 'request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID(), ...extra });
  res.end(text);
}

export interface AwsEndpointOptions {
  log?: (line: string) => void;
  /**
   * Asked before each AWS-JSON operation runs; throwing (an AwsServiceError) refuses it. `sessionToken`
   * is the caller's `X-Amz-Security-Token` (what tells a hosted function's call from an outside one).
   */
  admit?: (call: { service: keyof AwsEndpointServices; operation: string; sessionToken: string | undefined }) => void;
  /**
   * When given, every request must carry a valid SigV4 signature made with these credentials
   * (sigv4-check.ts); anything else is answered 403 as AWS does and changes nothing.
   */
  credentials?: RuntimeCredentials;
}

export async function startAwsEndpoint(services: AwsEndpointServices, options: AwsEndpointOptions = {}): Promise<AwsEndpoint> {
  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let contentType = 'application/x-amz-json-1.1';
    try {
      const raw = await readBody(req, MAX_REQUEST_BYTES);
      if (!raw) {
        answerTooLarge(
          res,
          { __type: 'RequestEntityTooLargeException', message: `request body over ${MAX_REQUEST_BYTES} bytes` },
          { 'content-type': contentType, 'x-amzn-errortype': 'RequestEntityTooLargeException' },
        );
        return;
      }
      const verify = async (): Promise<void> => {
        if (options.credentials) await checkSigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: raw }, options.credentials);
      };
      if (target) {
        const dot = target.indexOf('.');
        const spec = TARGETS[target.slice(0, dot)];
        const op = target.slice(dot + 1);
        if (spec) contentType = spec.contentType;
        const fn = spec ? (services[spec.service] as JsonOperation | undefined) : undefined;
        if (!spec || !fn) throw new AwsServiceError('UnknownOperationException', `the local runtime does not serve ${target}`);
        const token = req.headers['x-amz-security-token'];
        // A stopping runtime answers 503 before looking at the signature (it tells nothing but that).
        options.admit?.({ service: spec.service, operation: op, sessionToken: typeof token === 'string' ? token : undefined });
        await verify();
        send(res, 200, contentType, await fn(op, parseJson(raw)));
        return;
      }
      if (path.startsWith('/v2/email/') && services.sesv2) {
        contentType = 'application/json';
        await verify();
        send(res, 200, contentType, await services.sesv2(req.method ?? 'GET', path, parseJson(raw)));
        return;
      }
      throw new AwsServiceError('UnknownOperationException', `the local runtime does not serve ${req.method} ${path}`, 404);
    } catch (err) {
      if (err instanceof AwsServiceError) {
        send(res, err.statusCode, contentType, { __type: err.code, message: err.message }, { 'x-amzn-errortype': err.code });
      } else {
        options.log?.(`aws endpoint: ${target || path} failed: ${(err as Error).stack ?? String(err)}`);
        send(res, 500, contentType, { __type: 'InternalFailure', message: (err as Error).message }, { 'x-amzn-errortype': 'InternalFailure' });
      }
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
