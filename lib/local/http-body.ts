import type { IncomingMessage } from 'node:http';

/**
 * A request's whole body. With `maxBytes`, undefined as soon as the body grows past it (reading
 * stops there); without, the body is always read to the end, so keep-alive connections stay usable.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer>;
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined>;
export async function readBody(req: IncomingMessage, maxBytes = Infinity): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A request's whole body as UTF-8 text. */
export async function readBodyText(req: IncomingMessage): Promise<string> {
  return (await readBody(req)).toString('utf8');
}
