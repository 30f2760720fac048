import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchRoute, type ApiDescription, type ApiRoute } from './api-routes';
import { answerTooLarge, MAX_REQUEST_BYTES, readBody } from './http-body';
import { AwsServiceError } from './aws-error';
import type { RuntimeCredentials } from './local-credentials';
import { checkSigV4 } from './sigv4-check';

/**
 * API Gateway (REST v1) on loopback: routes from the template (api-routes.ts), Lambda proxy
 * events built the way API Gateway builds them (path and query parameters, single- and
 * multi-value headers, `X-Forwarded-*`, requestContext.identity with sourceIp and userAgent, body
 * with isBase64Encoded for binary media types), and the proxy result written back (statusCode,
 * headers, multiValueHeaders, body, isBase64Encoded). API Gateway's own answers are kept: 403
 * "Missing Authentication Token" for unknown routes and unsigned IAM routes, 502 for a failed or
 * malformed Lambda response, 504 after the integration timeout. Requests may carry the stage
 * prefix (`/prod/...`) or not.
 */
export type IamAuthMode =
  /**
   * AWS_IAM routes need a SigV4 `Authorization` header; with the router's `credentials` its signature
   * is checked against them (sigv4-check.ts), as API Gateway checks it against IAM.
   */
  | 'require-signature'
  /** AWS_IAM routes are open; a signed request still fills requestContext.identity. */
  | 'open';

export interface ApiRouterOptions {
  api: ApiDescription;
  invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  accountId: string;
  port?: number;
  iamAuth?: IamAuthMode;
  /** The runtime's credentials: AWS_IAM routes (require-signature) accept only requests signed with them. */
  credentials?: RuntimeCredentials;
  log?: (line: string) => void;
}

export interface ApiRouter {
  url: string;
  port: number;
  /** From now on every request is answered 503 with `message` (a stopping runtime); requests already in progress finish. */
  stopAccepting(message: string): void;
  close(): Promise<void>;
}

/** Bodies over 1 MiB are refused while reading (413), never buffered whole. */
const MAX_BODY = MAX_REQUEST_BYTES;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID(), ...headers });
  res.end(text);
}

function requestTime(d: Date): string {
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function isBinary(contentType: string | undefined, binaryTypes: string[]): boolean {
  if (!contentType || binaryTypes.length === 0) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return binaryTypes.some((t) => t === '*/*' || t.toLowerCase() === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1).toLowerCase())));
}

/** SigV4 credential of an Authorization header, if any. */
function sigv4AccessKey(authorization: string | undefined): string | undefined {
  return /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

export function buildProxyEvent(
  req: { method: string; rawHeaders: string[]; url: string; remoteAddress: string; body: Buffer },
  match: { route: ApiRoute; pathParameters: Record<string, string> | null },
  ctx: { path: string; stage: string; apiId: string; accountId: string; binaryMediaTypes: string[]; host: string; port: number },
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const add = (name: string, value: string): void => {
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    headers[existing] = value;
    (multiValueHeaders[existing] ??= []).push(value);
  };
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (/^(connection|content-length|transfer-encoding|keep-alive)$/i.test(name)) continue;
    add(name, req.rawHeaders[i + 1]!);
  }
  // API Gateway appends the caller's address to X-Forwarded-For and sets the port and protocol.
  const xffKey = Object.keys(headers).find((k) => k.toLowerCase() === 'x-forwarded-for');
  const xff = xffKey ? `${headers[xffKey]}, ${req.remoteAddress}` : req.remoteAddress;
  if (xffKey) {
    delete headers[xffKey];
    delete multiValueHeaders[xffKey];
  }
  add('X-Forwarded-For', xff);
  add('X-Forwarded-Port', String(ctx.port));
  add('X-Forwarded-Proto', 'http');
  const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  add('X-Amzn-Trace-Id', traceId);
  const url = new URL(req.url, 'http://local');
  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  for (const [k, v] of url.searchParams) {
    (query ??= {})[k] = v;
    ((multiQuery ??= {})[k] ??= []).push(v);
  }
  const find = (name: string): string | undefined => {
    const k = Object.keys(headers).find((h) => h.toLowerCase() === name);
    return k ? headers[k] : undefined;
  };
  const binary = isBinary(find('content-type'), ctx.binaryMediaTypes);
  const now = new Date();
  const accessKey = sigv4AccessKey(find('authorization'));
  const requestId = randomUUID();
  return {
    resource: match.route.resourcePath,
    path: ctx.path,
    httpMethod: req.method,
    headers: Object.keys(headers).length ? headers : null,
    multiValueHeaders: Object.keys(multiValueHeaders).length ? multiValueHeaders : null,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: match.pathParameters,
    stageVariables: null,
    requestContext: {
      resourceId: match.route.resourceId,
      resourcePath: match.route.resourcePath,
      httpMethod: req.method,
      extendedRequestId: randomBytes(8).toString('base64url').slice(0, 11) + '=',
      requestTime: requestTime(now),
      path: `/${ctx.stage}${ctx.path}`,
      accountId: ctx.accountId,
      protocol: 'HTTP/1.1',
      stage: ctx.stage,
      domainPrefix: ctx.host.split('.')[0] ?? ctx.host,
      requestTimeEpoch: now.getTime(),
      requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: accessKey ? ctx.accountId : null,
        cognitoIdentityId: null,
        caller: accessKey ?? null,
        sourceIp: req.remoteAddress,
        principalOrgId: null,
        accessKey: accessKey ?? null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: accessKey ? `arn:aws:iam::${ctx.accountId}:user/local-${accessKey}` : null,
        userAgent: find('user-agent') ?? null,
        user: accessKey ?? null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
      },
      domainName: ctx.host,
      apiId: ctx.apiId,
    },
    body: req.body.length === 0 ? null : binary ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: binary && req.body.length > 0,
  };
}

/** Writes a Lambda proxy result; false when it is malformed (the caller answers 502). */
function writeProxyResult(res: ServerResponse, result: unknown, requestId: string): boolean {
  if (result === null || typeof result !== 'object') return false;
  const r = result as { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown };
  const status =
    typeof r.statusCode === 'number' ? r.statusCode : typeof r.statusCode === 'string' && /^\d{3}$/.test(r.statusCode) ? Number(r.statusCode) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) return false;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return false;
  const out = new Map<string, { name: string; values: string[] }>();
  for (const [k, v] of Object.entries((r.headers ?? {}) as Record<string, unknown>)) out.set(k.toLowerCase(), { name: k, values: [String(v)] });
  for (const [k, v] of Object.entries((r.multiValueHeaders ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k.toLowerCase(), { name: k, values: v.map(String) });
  }
  if (!out.has('content-type')) out.set('content-type', { name: 'Content-Type', values: ['application/json'] });
  const body = typeof r.body === 'string' ? (r.isBase64Encoded === true ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8')) : Buffer.alloc(0);
  const headers: Record<string, string | string[]> = {
    'x-amzn-RequestId': requestId,
    'x-amz-apigw-id': randomBytes(8).toString('base64url').slice(0, 11) + '=',
  };
  for (const { name, values } of out.values()) headers[name] = values.length === 1 ? values[0]! : values;
  headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
  return true;
}

export async function startApiRouter(options: ApiRouterOptions): Promise<ApiRouter> {
  const { api, log } = options;
  const iamAuth = options.iamAuth ?? 'require-signature';
  let port = 0;
  let refusal: string | undefined;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log?.(`api: ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) json(res, 500, { message: 'Internal server error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (refusal !== undefined) {
      json(res, 503, { message: refusal }, { 'x-amzn-errortype': 'ServiceUnavailableException', connection: 'close' });
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const rawPath = (req.url ?? '/').split('?')[0] || '/';
    let path = rawPath;
    let match = matchRoute(api.routes, method, path);
    const stagePrefix = `/${api.stageName}`;
    if (!match && (rawPath === stagePrefix || rawPath.startsWith(`${stagePrefix}/`))) {
      path = rawPath.slice(stagePrefix.length) || '/';
      match = matchRoute(api.routes, method, path);
    }
    if (!match) {
      json(res, 403, { message: 'Missing Authentication Token' }, { 'x-amzn-errortype': 'MissingAuthenticationTokenException' });
      return;
    }
    if (match.route.authorizationType === 'AWS_IAM' && iamAuth === 'require-signature' && !sigv4AccessKey(req.headers.authorization)) {
      json(res, 403, { message: 'Missing Authentication Token' }, { 'x-amzn-errortype': 'MissingAuthenticationTokenException' });
      return;
    }
    const body = await readBody(req, MAX_BODY);
    if (!body) {
      answerTooLarge(res, { message: 'Request Too Long' }, { 'x-amzn-requestid': randomUUID() });
      return;
    }
    if (match.route.authorizationType === 'AWS_IAM' && iamAuth === 'require-signature' && options.credentials) {
      try {
        await checkSigV4({ method, url: req.url ?? '/', headers: req.headers, body }, options.credentials);
      } catch (err) {
        if (!(err instanceof AwsServiceError)) throw err;
        json(res, 403, { message: err.message }, { 'x-amzn-errortype': err.code });
        return;
      }
    }
    const integration = match.route.integration;
    if (integration.type === 'MOCK') {
      res.writeHead(integration.statusCode, integration.headers);
      res.end(integration.body ?? '');
      return;
    }
    let decodedPath = path;
    try {
      decodedPath = decodeURIComponent(path);
    } catch {
      // keep it encoded
    }
    const event = buildProxyEvent(
      { method, rawHeaders: req.rawHeaders, url: req.url ?? '/', remoteAddress: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', body },
      match,
      {
        path: decodedPath,
        stage: api.stageName,
        apiId: api.apiId,
        accountId: options.accountId,
        binaryMediaTypes: api.binaryMediaTypes,
        host: req.headers.host ?? `127.0.0.1:${port}`,
        port,
      },
    );
    const requestId = (event.requestContext as { requestId: string }).requestId;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = Symbol('timeout');
    const timeout = new Promise<typeof timedOut>((r) => {
      timer = setTimeout(() => r(timedOut), integration.timeoutMs);
    });
    let result: unknown;
    try {
      result = await Promise.race([options.invoke(integration.functionLogicalId, event), timeout]);
    } catch (err) {
      log?.(`api: ${method} ${match.route.resourcePath}: Lambda error ${(err as Error).name}: ${(err as Error).message}`);
      json(res, 502, { message: 'Internal server error' }, { 'x-amzn-errortype': 'InternalServerErrorException' });
      return;
    } finally {
      clearTimeout(timer);
    }
    if (result === timedOut) {
      json(res, 504, { message: 'Endpoint request timed out' });
      return;
    }
    if (!writeProxyResult(res, result, requestId)) {
      log?.(`api: ${method} ${match.route.resourcePath}: malformed Lambda proxy response`);
      json(res, 502, { message: 'Internal server error' }, { 'x-amzn-errortype': 'InternalServerErrorException' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stopAccepting: (message) => {
      refusal = message;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
