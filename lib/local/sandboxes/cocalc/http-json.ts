import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyText as readBody } from '../../http-body';

/** The sandbox's one HTTP helper: request parameters in, JSON / text / 404 page out. */

/** A request's parameters (`req.body` in the vendor's handlers). */
export type Params = Record<string, unknown>;

/**
 * Reads the request parameters the way CoCalc's Next.js API does (cocalc-api-v2.md §2): only a
 * POST has parameters; a JSON body needs `Content-Type: application/json`; any other body is parsed
 * as urlencoded, which loses a JSON document's fields. `undefined` means malformed JSON (a 400).
 */
export async function readParams(req: IncomingMessage): Promise<Params | undefined> {
  const raw = await readBody(req); // always drained, so keep-alive connections stay usable
  if (req.method !== 'POST') return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return Object.fromEntries(new URLSearchParams(raw));
  if (raw.trim() === '') return {};
  try {
    const body: unknown = JSON.parse(raw);
    // req.body[key] of a non-object body finds nothing.
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Params) : {};
  } catch {
    return undefined;
  }
}

/** Every vendor answer, errors included, is JSON (mostly HTTP 200). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value) ?? 'null';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Non-vendor answers: malformed JSON, sandbox bugs. */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An unknown endpoint is Next.js's HTML 404 page, not JSON (§2). */
export function sendNotFound(res: ServerResponse): void {
  const html =
    '<!DOCTYPE html><html><head><title>404: This page could not be found</title></head>' +
    '<body><h1>404</h1><h2>This page could not be found.</h2></body></html>';
  res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}
