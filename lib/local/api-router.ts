import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildProxyEvent, sigv4AccessKey, writeProxyResult } from './api-proxy';
import { matchRoute, type ApiDescription, type RouteMatch } from './api-routes';
import { answerTooLarge, MAX_REQUEST_BYTES, readBody } from './http-body';
import { AwsServiceError } from './aws-error';
import type { RuntimeCredentials } from './local-credentials';
import { checkSigV4 } from './sigv4-check';

// Split by concern: the Lambda proxy integration's event and result live in api-proxy.ts.

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

/** What a request's handling reads of the running router. */
interface RouterState {
  options: ApiRouterOptions;
  iamAuth: IamAuthMode;
  /** The port listened on (0 until listening). */
  port: number;
  /** Set by stopAccepting: every request is answered 503 with it. */
  refusal?: string;
}

export async function startApiRouter(options: ApiRouterOptions): Promise<ApiRouter> {
  const state: RouterState = { options, iamAuth: options.iamAuth ?? 'require-signature', port: 0 };
  const server = createServer((req, res) => {
    void handle(state, req, res).catch((err: unknown) => {
      options.log?.(`api: ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) json(res, 500, { message: 'Internal server error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.port = port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stopAccepting: (message) => {
      state.refusal = message;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** One request: refused while stopping, routed (with or without the stage prefix), authorized, then integrated. */
async function handle(state: RouterState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (state.refusal !== undefined) {
    json(res, 503, { message: state.refusal }, { 'x-amzn-errortype': 'ServiceUnavailableException', connection: 'close' });
    return;
  }
  const { api } = state.options;
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
  const signed = match.route.authorizationType === 'AWS_IAM' && state.iamAuth === 'require-signature';
  if (signed && !sigv4AccessKey(req.headers.authorization)) {
    json(res, 403, { message: 'Missing Authentication Token' }, { 'x-amzn-errortype': 'MissingAuthenticationTokenException' });
    return;
  }
  const body = await readBody(req, MAX_BODY);
  if (!body) {
    answerTooLarge(res, { message: 'Request Too Long' }, { 'x-amzn-requestid': randomUUID() });
    return;
  }
  if (signed && state.options.credentials) {
    try {
      await checkSigV4({ method, url: req.url ?? '/', headers: req.headers, body }, state.options.credentials);
    } catch (err) {
      if (!(err instanceof AwsServiceError)) throw err;
      json(res, 403, { message: err.message }, { 'x-amzn-errortype': err.code });
      return;
    }
  }
  await integrate(state, req, res, { method, path, match, body });
}

/** The route's integration: a MOCK answer, or the Lambda proxy under the integration timeout (API Gateway's 502 / 504 on failure). */
async function integrate(
  state: RouterState,
  req: IncomingMessage,
  res: ServerResponse,
  request: { method: string; path: string; match: RouteMatch; body: Buffer },
): Promise<void> {
  const { options, port } = state;
  const { api, log } = options;
  const { method, path, match, body } = request;
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
