import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/** dynalite's request handler: it reads the request's headers, method and url, and its body as 'data' and 'end' events. */
export type DynaliteHandler = (req: EventEmitter, res: ServerResponse) => void;

/** One answer of dynalite's: its HTTP status and JSON body. */
export interface DynaliteAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Calls one DynamoDB operation on dynalite in this process, as a request already checked would be. */
export type DynaliteCall = (operation: string, input: Record<string, unknown>) => Promise<DynaliteAnswer>;

/**
 * Hands `req` (an already checked request's headers, method and url) and `body` to dynalite's
 * handler, answering on `res`.
 */
export function handOver(
  handle: DynaliteHandler,
  req: { headers: IncomingHttpHeaders; method?: string; url?: string },
  res: ServerResponse,
  body: Buffer,
): void {
  const checked = Object.assign(new EventEmitter(), { headers: req.headers, method: req.method, url: req.url });
  handle(checked, res);
  checked.emit('data', body);
  checked.emit('end');
}

/**
 * A {@link DynaliteCall} for the local transactions (dynamo-transactions.ts): each operation goes
 * to dynalite's handler with the headers of the request it is part of (dynalite checks only that
 * they look signed) and its answer is collected instead of sent.
 */
export function dynaliteCaller(handle: DynaliteHandler, headers: IncomingHttpHeaders): DynaliteCall {
  return (operation, input) =>
    new Promise((resolve) => {
      // dynalite sets the status and headers and ends with the JSON body; only the two are kept.
      const res = {
        statusCode: 200,
        setHeader() {},
        end(text?: string | Buffer) {
          let body: Record<string, unknown> = {};
          try {
            body = text?.length ? (JSON.parse(text.toString()) as Record<string, unknown>) : {};
          } catch {
            body = { __type: 'com.amazon.coral.service#InternalFailure', message: 'unreadable answer from the local store' };
          }
          resolve({ status: res.statusCode, body });
        },
      } as unknown as ServerResponse;
      const own = { ...headers, 'x-amz-target': `DynamoDB_20120810.${operation}`, 'content-type': 'application/x-amz-json-1.0' };
      delete own['content-length'];
      handOver(handle, { headers: own, method: 'POST', url: '/' }, res, Buffer.from(JSON.stringify(input)));
    });
}
