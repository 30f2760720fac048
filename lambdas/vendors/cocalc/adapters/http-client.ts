import type { Agent as UndiciAgent, Dispatcher } from 'undici';

/*
 * Only undici's Agent and its request API are loaded, not its index, which also builds fetch,
 * WebSocket, EventSource, the cache and mock layers at load time. Every cold start of a function
 * that calls CoCalc pays for what it loads: measured here (2 cores, loaded), 53-85 ms for these two
 * files against 140-172 ms for `require('undici')`. The package version is pinned; the gateway
 * tests run this transport against the sandbox over loopback.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requestApi = require('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/**
 * Transport for the CoCalc gateway: JSON POSTs over one keep-alive undici Agent per process
 * (created at module load time, i.e. once per Lambda cold start, and reused by every gateway).
 * A distinct connect timeout needs its own Agent, so they are cached by that value; in practice
 * a process uses one.
 */
const agents = new Map<number, UndiciAgent>();

function sharedAgent(connectTimeoutMs: number): UndiciAgent {
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
  const target = new URL(url);
  const res = await requestApi.call(sharedAgent(timeouts.connectMs), {
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
    method: 'POST',
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
