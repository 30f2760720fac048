import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsServiceError } from './aws-error';
import type { RuntimeCredentials } from './local-credentials';

/**
 * Checks a request's SigV4 signature against the runtime's per-run credentials, as AWS does: the
 * signature is recomputed with @smithy/signature-v4 (what the SDK and the CLI sign with) over the
 * headers the request says it signed, its path, query and body. Missing, unknown or wrong → the
 * AWS error (HTTP 403); a signature older or newer than 15 minutes is expired, as on AWS.
 */
export interface SignedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

function refuse(code: string, message: string): AwsServiceError {
  return new AwsServiceError(code, message, 403);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** 20240101T000000Z -> Date, or undefined. */
function amzDate(text: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Throws the AWS error when the request is not signed with `credentials`; returns its access key and session token. */
export async function checkSigV4(
  req: SignedRequest,
  credentials: RuntimeCredentials,
  now = Date.now(),
): Promise<{ accessKeyId: string; sessionToken?: string }> {
  const authorization = header(req.headers, 'authorization');
  if (!authorization) throw refuse('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  const m = AUTH.exec(authorization.trim());
  if (!m) throw refuse('IncompleteSignatureException', 'Authorization header is not a valid AWS4-HMAC-SHA256 signature');
  const [, accessKeyId, scopeDate, region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  if (accessKeyId !== credentials.accessKeyId) throw refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const signed = signedList.split(';');
  if (!signed.includes('host')) throw refuse('IncompleteSignatureException', "'Host' must be a signed header");
  const date = amzDate(header(req.headers, 'x-amz-date'));
  if (!date || !signed.includes('x-amz-date')) throw refuse('IncompleteSignatureException', 'Authorization requires a signed X-Amz-Date header');
  if (date.toISOString().slice(0, 10).replace(/-/g, '') !== scopeDate) throw refuse('InvalidSignatureException', 'Credential should be scoped to a valid date');
  if (Math.abs(now - date.getTime()) > MAX_SKEW_MS)
    throw refuse('InvalidSignatureException', 'Signature expired: the request time is more than 15 minutes from the server time');
  const token = header(req.headers, 'x-amz-security-token');
  if (token !== undefined && (!credentials.sessionToken || token !== credentials.sessionToken)) {
    throw refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const claimed = header(req.headers, 'x-amz-content-sha256');
  if (claimed !== undefined && claimed !== bodyHash)
    throw refuse('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.');

  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = header(req.headers, name);
    if (value === undefined) throw refuse('InvalidSignatureException', `signed header ${name} is missing`);
    headers[name] = value;
  }
  const url = new URL(req.url, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({ service, region, credentials: { accessKeyId, secretAccessKey: credentials.secretAccessKey }, sha256: Sha256 });
  const resigned = await signer.sign(
    { method: req.method.toUpperCase(), protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query, headers, body: req.body },
    { signingDate: date, signableHeaders: new Set(signed) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1] ?? '';
  const sameList = /SignedHeaders=([^,]+)/.exec(String(resigned.headers.authorization))?.[1] === signedList;
  if (!sameList || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw refuse(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return { accessKeyId, ...(token !== undefined ? { sessionToken: token } : {}) };
}
