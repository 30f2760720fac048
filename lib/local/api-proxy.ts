import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RouteMatch } from './api-routes';

/**
 * The Lambda proxy integration's wire shapes (REST v1), as API Gateway builds and reads them: the
 * event a request becomes (path and query parameters, single- and multi-value headers,
 * `X-Forwarded-*`, requestContext.identity with sourceIp and userAgent, body with isBase64Encoded
 * for binary media types), and the proxy result written back. Apart from the router
 * (api-router.ts), which decides which route a request takes and answers API Gateway's own errors.
 */

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
export function sigv4AccessKey(authorization: string | undefined): string | undefined {
  return /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

/** The request's headers as API Gateway passes them on: hop-by-hop ones dropped, `X-Forwarded-*` and a trace id added. */
function proxyHeaders(
  rawHeaders: string[],
  remoteAddress: string,
  port: number,
): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const add = (name: string, value: string): void => {
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    headers[existing] = value;
    (multiValueHeaders[existing] ??= []).push(value);
  };
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (/^(connection|content-length|transfer-encoding|keep-alive)$/i.test(name)) continue;
    add(name, rawHeaders[i + 1]!);
  }
  // API Gateway appends the caller's address to X-Forwarded-For and sets the port and protocol.
  const xffKey = Object.keys(headers).find((k) => k.toLowerCase() === 'x-forwarded-for');
  const xff = xffKey ? `${headers[xffKey]}, ${remoteAddress}` : remoteAddress;
  if (xffKey) {
    delete headers[xffKey];
    delete multiValueHeaders[xffKey];
  }
  add('X-Forwarded-For', xff);
  add('X-Forwarded-Port', String(port));
  add('X-Forwarded-Proto', 'http');
  const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  add('X-Amzn-Trace-Id', traceId);
  return { headers, multiValueHeaders };
}

/** The query string's parameters, single- and multi-value (null when there are none, as API Gateway sends them). */
function queryParameters(requestUrl: string): { query: Record<string, string> | null; multiQuery: Record<string, string[]> | null } {
  const url = new URL(requestUrl, 'http://local');
  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  for (const [k, v] of url.searchParams) {
    (query ??= {})[k] = v;
    ((multiQuery ??= {})[k] ??= []).push(v);
  }
  return { query, multiQuery };
}

/** requestContext.identity: the caller's address and agent, and for a SigV4-signed request its access key. */
function identityOf(accessKey: string | undefined, accountId: string, sourceIp: string, userAgent: string | undefined): Record<string, unknown> {
  return {
    cognitoIdentityPoolId: null,
    accountId: accessKey ? accountId : null,
    cognitoIdentityId: null,
    caller: accessKey ?? null,
    sourceIp,
    principalOrgId: null,
    accessKey: accessKey ?? null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: accessKey ? `arn:aws:iam::${accountId}:user/local-${accessKey}` : null,
    userAgent: userAgent ?? null,
    user: accessKey ?? null,
    apiKey: null,
    apiKeyId: null,
    clientCert: null,
  };
}

/** The Lambda proxy event API Gateway sends for `req` on the route `match`. */
export function buildProxyEvent(
  req: { method: string; rawHeaders: string[]; url: string; remoteAddress: string; body: Buffer },
  match: RouteMatch,
  ctx: { path: string; stage: string; apiId: string; accountId: string; binaryMediaTypes: string[]; host: string; port: number },
): Record<string, unknown> {
  const { headers, multiValueHeaders } = proxyHeaders(req.rawHeaders, req.remoteAddress, ctx.port);
  const { query, multiQuery } = queryParameters(req.url);
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
      identity: identityOf(accessKey, ctx.accountId, req.remoteAddress, find('user-agent')),
      domainName: ctx.host,
      apiId: ctx.apiId,
    },
    body: req.body.length === 0 ? null : binary ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: binary && req.body.length > 0,
  };
}

/** Writes a Lambda proxy result; false when it is malformed (the caller answers 502). */
export function writeProxyResult(res: ServerResponse, result: unknown, requestId: string): boolean {
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
