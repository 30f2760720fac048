import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsServiceError } from './aws-error';
import { answerTooLarge, MAX_REQUEST_BYTES, readBody } from './http-body';
import type { RuntimeCredentials } from './local-credentials';
import { dynamoCallOf, type DynamoCall } from './metering';
import { checkSigV4 } from './sigv4-check';

/**
 * dynalite checks no signature, so it never listens on TCP: this loopback front checks each
 * request's SigV4 signature against the runtime's credentials (403 `UnrecognizedClientException` /
 * `InvalidSignatureException`, as DynamoDB answers, otherwise) and hands the request to dynalite's
 * own request handler in this process, which answers on the front's response. A second HTTP hop
 * cost about a third of each call's time at the server (issue #11: a purchase makes 33-62 calls).
 * dynalite still listens, on a Unix socket in a private (0700) temp folder that nothing connects
 * to, because its close() closes its store only after closing a listening server. Closing first
 * waits for the requests dynalite was handed to be answered (up to 5 s) and refuses any that reach
 * the front after it began (500 InternalServerError, which the SDK retries). Bodies are not
 * logged. `onCall` hears of every request that passed the check (for measuring; metering.ts).
 */
export interface DynamoFront {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoFront(
  dynalite: Server,
  credentials: RuntimeCredentials,
  log?: (line: string) => void,
  onCall?: (call: DynamoCall) => void,
): Promise<DynamoFront> {
  const socketDir = mkdtempSync(join(tmpdir(), 'local-dynamo-'));
  const socketPath = join(socketDir, 'dynalite.sock');
  try {
    await new Promise<void>((resolve, reject) => {
      dynalite.once('error', reject);
      dynalite.listen(socketPath, () => resolve());
    });
  } catch (err) {
    rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
  const connections = new WeakMap<object, number>();
  let lastConnection = 0;
  const connectionOf = (socket: object): number => {
    let n = connections.get(socket);
    if (n === undefined) connections.set(socket, (n = ++lastConnection));
    return n;
  };
  // dynalite's handler reads the request's headers, method and url, and its body as 'data' and 'end' events.
  const handle = dynalite.listeners('request')[0] as (req: EventEmitter, res: ServerResponse) => void;
  const inFlight = new InFlight();
  let closing = false;
  const front = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req, MAX_REQUEST_BYTES);
      if (!body) {
        answerTooLarge(
          res,
          { __type: 'com.amazon.coral.service#RequestEntityTooLargeException', message: `request body over ${MAX_REQUEST_BYTES} bytes` },
          { 'content-type': 'application/x-amz-json-1.0' },
        );
        return;
      }
      try {
        await checkSigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, credentials);
      } catch (err) {
        const e = err instanceof AwsServiceError ? err : new AwsServiceError('InternalFailure', (err as Error).message, 500);
        answerError(res, e.statusCode, `com.amazon.coral.service#${e.code}`, e.message);
        return;
      }
      if (onCall) {
        try {
          onCall({ ...dynamoCallOf(req.headers['x-amz-target'], body, performance.now()), connection: connectionOf(req.socket) });
        } catch {
          // A listener's bug must not break the request.
        }
      }
      if (closing) {
        // Nothing is handed over once the store may be closing: dynalite would fail it with an uncaught error.
        answerError(res, 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'local DynamoDB is stopping');
        return;
      }
      const checked = Object.assign(new EventEmitter(), { headers: req.headers, method: req.method, url: req.url });
      inFlight.track(res);
      handle(checked, res);
      checked.emit('data', body);
      checked.emit('end');
    })().catch((err: unknown) => {
      log?.(`dynamo: front failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((r) => front.close(() => r()));
      // dynalite's close waits for single store calls only, not for a request's chain of them (a
      // Query's read stream not at all): the requests it was handed must be answered first.
      await inFlight.drained(CLOSE_WAIT_MS);
      front.closeAllConnections();
      await closed;
      await new Promise<void>((r) => dynalite.close(() => r()));
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** An error answer as DynamoDB gives one: JSON with `__type` and `message`. */
function answerError(res: ServerResponse, statusCode: number, type: string, message: string): void {
  const text = JSON.stringify({ __type: type, message });
  res.writeHead(statusCode, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}

/** How long closing waits for dynalite to answer what it was handed (each answer takes milliseconds). */
const CLOSE_WAIT_MS = 5_000;

/**
 * The requests handed to dynalite that it has not answered yet. Counted by dynalite's `res.end`,
 * not the response's 'close' (as LambdaHost.drain waits): a client that gives up closes the
 * response while dynalite is still working on the store.
 */
class InFlight {
  private count = 0;
  private readonly waiting: Array<() => void> = [];

  track(res: ServerResponse): void {
    this.count += 1;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    let answered = false;
    res.end = ((...args: unknown[]) => {
      if (!answered) {
        answered = true;
        this.count -= 1;
        if (this.count === 0) for (const wake of this.waiting.splice(0)) wake();
      }
      return end(...args);
    }) as ServerResponse['end'];
  }

  /** Resolves once every tracked request is answered, or after `maxMs`. */
  async drained(maxMs: number): Promise<void> {
    if (this.count === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
