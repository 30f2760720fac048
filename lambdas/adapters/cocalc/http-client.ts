import { Agent, request } from 'undici';

/**
 * Transport for the CoCalc gateway: JSON POSTs over one keep-alive undici Agent per process
 * (created at module load time, i.e. once per Lambda cold start, and reused by every gateway).
 * A distinct connect timeout needs its own Agent, so they are cached by that value; in practice
 * a process uses one.
 */
const agents = new Map<number, Agent>();

function sharedAgent(connectTimeoutMs: number): Agent {
  let agent = agents.get(connectTimeoutMs);
  if (!agent) {
    agent = new Agent({ keepAliveTimeout: 10_000, connect: { timeout: connectTimeoutMs } });
    agents.set(connectTimeoutMs, agent);
  }
  return agent;
}

/** undici checks headers/body timeouts on ~1 s ticks, so short values fire up to a second late. */
export interface HttpTimeouts {
  connectMs: number;
  /** Until the response headers arrive. */
  headersMs: number;
  /** Between body chunks. */
  bodyMs: number;
}

/** A reply of any status; the caller classifies it. */
export interface HttpReply {
  status: number;
  contentType: string;
  text: string;
}

/**
 * POSTs `body` as JSON and returns the raw reply. Transport failures (refused, reset, timeouts)
 * are thrown as undici/Node errors for the caller to classify. POST is never retried here: undici
 * does not replay non-idempotent requests, which matters for add and checkout.
 */
export async function postJson(url: string, body: unknown, authorization: string, timeouts: HttpTimeouts): Promise<HttpReply> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: sharedAgent(timeouts.connectMs),
    headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
  });
  const contentType = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, contentType, text: await res.body.text() };
}

/** `curl -u key:`: the key is the Basic username, the password is empty (cocalc-api-v2.md §1). */
export function basicAuthorization(apiKey: string): string {
  return `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
}
