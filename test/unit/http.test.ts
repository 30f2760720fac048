import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequestError, RequestConflictError, ApprovalNotFoundError } from '../../lambdas/core/errors';
import { bodyText, callerOf, errorResponse, html, json, MAX_BODY_BYTES, parseFormBody, parseJsonBody, pathParam } from '../../lambdas/shared/http';

function event(over: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return { body: null, isBase64Encoded: false, headers: {}, ...over } as APIGatewayProxyEvent;
}

describe('http responses and bodies', () => {
  it('sends no-store, nosniff and no-referrer with every response', () => {
    for (const r of [json(200, {}), html(200, '<p>', { csp: "default-src 'none'" }), errorResponse(new Error('x'))]) {
      expect(r.headers).toMatchObject({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    }
  });

  it('maps invalid input to 400 with reasons, conflicts to 409 and not-found errors to 404', () => {
    const bad = errorResponse(new InvalidRequestError('invalid', ['vendor: required']));

    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: 'InvalidRequestError', reasons: ['vendor: required'] });
    expect(errorResponse(new RequestConflictError('dup')).statusCode).toBe(409);
    expect(errorResponse(new ApprovalNotFoundError('gone')).statusCode).toBe(404);
  });

  it('answers anything else with a bare 500 that reveals no internals', () => {
    const r = errorResponse(new Error('connect ECONNREFUSED 10.0.0.5:8000 table procure-state'));

    expect(r.statusCode).toBe(500);
    expect(r.body).not.toMatch(/ECONNREFUSED|procure-state/);
  });

  it('decodes base64 bodies', () => {
    expect(bodyText(event({ body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true }))).toBe('{"a":1}');
  });

  it('refuses a body over the size limit', () => {
    expect(() => bodyText(event({ body: 'x'.repeat(MAX_BODY_BYTES + 1) }))).toThrow(InvalidRequestError);
  });

  it('parses JSON, and calls malformed JSON and non-JSON content types invalid requests', () => {
    expect(parseJsonBody(event({ body: '{"a":1}', headers: { 'content-type': 'application/json; charset=utf-8' } }))).toEqual({ a: 1 });
    expect(() => parseJsonBody(event({ body: '{"a":' }))).toThrow(InvalidRequestError);
    expect(() => parseJsonBody(event({ body: '' }))).toThrow(InvalidRequestError);
    expect(() => parseJsonBody(event({ body: '{}', headers: { 'Content-Type': 'text/plain' } }))).toThrow(/Content-Type/);
  });

  it('parses form bodies and refuses a field sent twice', () => {
    const form = 'sig=a%2Bb&decision=approve&comment=ok+then';

    expect(parseFormBody(event({ body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }))).toEqual({
      sig: 'a+b',
      decision: 'approve',
      comment: 'ok then',
    });
    expect(() => parseFormBody(event({ body: 'decision=approve&decision=reject' }))).toThrow(/more than once/);
  });

  it('reads the caller IP and user agent from the request context', () => {
    const e = event({ requestContext: { identity: { sourceIp: '198.51.100.7', userAgent: 'Firefox' } } as APIGatewayProxyEvent['requestContext'] });

    expect(callerOf(e)).toEqual({ sourceIp: '198.51.100.7', userAgent: 'Firefox' });
  });

  it('takes a path parameter from API Gateway, or from the last path segment behind a proxy resource', () => {
    expect(pathParam({ pathParameters: { id: 'a' }, path: '/x/b' }, 'id')).toBe('a');
    expect(pathParam({ pathParameters: null, path: '/prod/approvals/abc%2Dd' }, 'id')).toBe('abc-d');
    expect(pathParam({ pathParameters: null, path: '/approvals/%E0%A4%A' }, 'id')).toBeUndefined();
  });
});
