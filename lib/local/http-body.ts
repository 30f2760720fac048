import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Request bodies of the local runtime's HTTP servers. The loopback AWS stand-ins and the API router
 * cap them at `MAX_REQUEST_BYTES` (1 MiB); a body over the cap is never buffered
 * whole: a declared Content-Length above it is refused before reading anything, and reading stops
 * at the first chunk past it; the caller answers 413 with `answerTooLarge`, which closes the
 * connection (what is left of the body is never read).
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * A request's whole body, or undefined as soon as it is known to exceed `maxBytes` (reading stops
 * there). Within the cap the body is read to the end, so keep-alive connections stay usable.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer>;
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined>;
export async function readBody(req: IncomingMessage, maxBytes = Infinity): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.pause();
    return undefined;
  }
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > maxBytes) {
        done();
        req.pause();
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Thrown by `readBodyText` for a body over its cap (the server answers 413 with `answerTooLarge`). */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`request body over ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** A request's whole body as UTF-8 text (the vendor sandboxes' reader); throws BodyTooLargeError past `maxBytes`. */
export async function readBodyText(req: IncomingMessage, maxBytes = MAX_REQUEST_BYTES): Promise<string> {
  const body = await readBody(req, maxBytes);
  if (!body) throw new BodyTooLargeError(maxBytes);
  return body.toString('utf8');
}

/**
 * Answers a body over the cap: 413 with `body` (JSON unless a string), then the connection is
 * closed, so the unread rest of the body is dropped instead of read.
 */
export function answerTooLarge(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.shouldKeepAlive = false;
  res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close', ...headers });
  res.end(text, () => res.socket?.destroy());
}
