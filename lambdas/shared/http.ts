import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidRequestError, RequestConflictError } from '../core/errors';
import { logger } from './logger';

/**
 * The one place API Gateway proxy responses are built and request bodies are parsed, so every
 * route gets the same security headers and the same error mapping (HOUSE-STYLE: no hand-built
 * responses per handler).
 */

/** Bodies larger than this are refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Sent with every response. `no-store`: pages and JSON carry purchase details. `no-referrer`:
 * an approval page's URL holds its signature, which must not leak to any other site.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Strict-Transport-Security': 'max-age=31536000',
};

/** CSP for JSON responses: nothing is ever meant to render or load from them. */
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Security-Policy': JSON_CSP,
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** An HTML response with the page's own Content-Security-Policy. */
export function html(statusCode: number, body: string, options: { csp: string }): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': options.csp },
    body,
  };
}

/**
 * A 303 See Other to `location` (may be relative to the request's URL), with no body and the
 * page's CSP.
 */
export function redirect(location: string, options: { csp: string }): APIGatewayProxyResult {
  return {
    statusCode: 303,
    headers: { ...SECURITY_HEADERS, Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': options.csp },
    body: '',
  };
}

/** Error name -> HTTP status, for errors that are the caller's to fix. */
function statusFor(err: unknown): number {
  if (err instanceof InvalidRequestError) return 400;
  if (err instanceof RequestConflictError) return 409;
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && name.endsWith('NotFoundError')) return 404;
  return 500;
}

/**
 * Maps an error to a JSON response: 400 with the reasons, 409, 404, and otherwise 500 with no
 * internals (the error is logged instead).
 */
export function errorResponse(err: unknown): APIGatewayProxyResult {
  const status = statusFor(err);
  if (status === 500) {
    logger.error('request failed', { error: err as Error });
    return json(500, { error: 'InternalError', message: 'internal error' });
  }
  const e = err as Error;
  return json(status, {
    error: e.name,
    message: e.message,
    ...(err instanceof InvalidRequestError && err.issues.length ? { reasons: err.issues } : {}),
  });
}

/** A request header, case-insensitively. */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === wanted && v !== undefined) return v;
  }
  return undefined;
}

/** The raw body text, base64-decoded when API Gateway encoded it; refuses oversized bodies. */
export function bodyText(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new InvalidRequestError(`request body is larger than ${MAX_BODY_BYTES} bytes`, ['(body): too large']);
  }
  return text;
}

function mediaType(event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined {
  return header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
}

/**
 * Parses a JSON body. A non-JSON content type is refused too: it keeps cross-site HTML forms
 * (which cannot send application/json) from submitting purchases.
 */
export function parseJsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers'>): unknown {
  const type = mediaType(event);
  if (type !== undefined && type !== 'application/json' && !type.endsWith('+json')) {
    throw new InvalidRequestError(`Content-Type must be application/json, not ${type}`, ['(body): Content-Type must be application/json']);
  }
  const text = bodyText(event);
  if (text.trim() === '') throw new InvalidRequestError('request body is empty', ['(body): a JSON object is required']);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidRequestError('request body is not valid JSON', ['(body): not valid JSON']);
  }
}

/**
 * Parses an application/x-www-form-urlencoded body into single values. A field sent twice is
 * refused: "decision=approve&decision=reject" must not mean whichever one a parser picks.
 */
export function parseFormBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers'>): Record<string, string> {
  const type = mediaType(event);
  if (type !== undefined && type !== 'application/x-www-form-urlencoded') {
    throw new InvalidRequestError(`Content-Type must be application/x-www-form-urlencoded, not ${type}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(bodyText(event))) {
    if (Object.hasOwn(out, k)) throw new InvalidRequestError(`form field ${k} was sent more than once`);
    out[k] = v;
  }
  return out;
}

/** Caller metadata for the audit trail (API Gateway REST `requestContext.identity`). */
export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext' | 'headers'>): { sourceIp?: string; userAgent?: string } {
  const identity = event.requestContext?.identity;
  const sourceIp = identity?.sourceIp ?? undefined;
  const userAgent = identity?.userAgent ?? header(event, 'user-agent');
  return { ...(sourceIp ? { sourceIp } : {}), ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}) };
}

/**
 * A `{name}` path parameter; when API Gateway did not fill `pathParameters` (a proxy resource or a
 * local router), the last path segment is used instead.
 */
export function pathParam(event: Pick<APIGatewayProxyEvent, 'pathParameters' | 'path'>, name: string): string | undefined {
  const given = event.pathParameters?.[name];
  if (given) return given;
  const last = event.path?.split('/').filter(Boolean).at(-1);
  if (last === undefined) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return undefined;
  }
}

/**
 * Who called an IAM-authorized route, as API Gateway verified it (the IAM user or assumed-role
 * ARN); the local runtime fills the same fields from the SigV4 credential.
 */
export function iamCaller(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined {
  const identity = event.requestContext?.identity;
  return identity?.userArn ?? identity?.caller ?? identity?.accessKey ?? undefined;
}
