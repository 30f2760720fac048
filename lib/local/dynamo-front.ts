import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsServiceError } from './aws-error';
import { dynaliteCaller, handOver, type DynaliteHandler } from './dynalite-calls';
import { DYNAMO_ERROR } from './dynamo-conflicts';
import { StoreGate } from './dynamo-gate';
import { LocalTransactions } from './dynamo-transactions';
import { answerTooLarge, MAX_REQUEST_BYTES, readBody } from './http-body';
import type { RuntimeCredentials } from './local-credentials';
import { dynamoCallOf, type DynamoCall } from './metering';
import { checkSigV4 } from './sigv4-check';

/**
 * dynalite checks no signature, so it never listens on TCP: this loopback front checks each
 * request's SigV4 signature against the runtime's credentials (403 `UnrecognizedClientException` /
 * `InvalidSignatureException`, as DynamoDB answers, otherwise) and hands the request to dynalite's
 * own request handler in this process, which answers on the front's response. A second HTTP hop
 * cost about a third of each call's time at the server (issue #11: a purchase makes 26-55 calls).
 * dynalite still listens, on a Unix socket in a private (0700) temp folder that nothing connects
 * to, because its close() closes its store only after closing a listening server. Closing first
 * waits for the requests dynalite was handed to be answered (up to 5 s) and refuses any that reach
 * the front after it began (500 InternalServerError, which the SDK retries). Bodies are not
 * logged. `onCall` hears of every request that passed the check (for measuring; metering.ts).
 * TransactWriteItems, which dynalite lacks, is answered here (dynamo-transactions.ts): it runs
 * alone, after the requests already handed over and before any that arrive meanwhile, except that
 * a write arriving meanwhile on one of its items is refused as DynamoDB refuses it
 * (TransactionConflictException, or a cancelled transaction: dynamo-conflicts.ts); with a data
 * folder, `intentFile` is where a transaction in progress is noted, so the next start puts back one
 * a killed runtime left half-applied.
 */
export interface DynamoFront {
  endpoint: string;
  close(): Promise<void>;
}

export interface DynamoFrontOptions {
  credentials: RuntimeCredentials;
  log?: (line: string) => void;
  onCall?: (call: DynamoCall) => void;
  /** Where a transaction in progress is noted (with a data folder). */
  intentFile?: string;
  /** How long an idle keep-alive connection stays open (Node's default, 5 s, when absent). */
  keepAliveMs?: number;
}

export async function startDynamoFront(dynalite: Server, options: DynamoFrontOptions): Promise<DynamoFront> {
  const socketDir = await listenPrivately(dynalite);
  const handle = dynalite.listeners('request')[0] as DynaliteHandler;
  const gate = new StoreGate();
  const transactions = new LocalTransactions(options.intentFile);
  const undone = await transactions.recover(dynaliteCaller(handle, RECOVERY_HEADERS));
  if (undone) options.log?.(`dynamo: put back ${undone} item(s) of a transaction the last run died in`);
  const connectionOf = connectionNumbers();
  const front = createServer((req, res) => {
    void (async () => {
      const body = await checkedBody(req, res, options.credentials);
      if (!body) return;
      if (options.onCall) {
        try {
          options.onCall({ ...dynamoCallOf(req.headers['x-amz-target'], body, performance.now()), connection: connectionOf(req.socket) });
        } catch {
          // A listener's bug must not break the request.
        }
      }
      // A write that meets the transaction being applied is refused at once, as DynamoDB does.
      const conflict = transactions.ongoing.conflictOf(req.headers['x-amz-target'], body);
      if (conflict) {
        answerJson(res, conflict.status, conflict.body);
        return;
      }
      const transact = req.headers['x-amz-target'] === TRANSACT_WRITE;
      const admitted = transact ? await gate.alone(res, () => transactions.write(body, dynaliteCaller(handle, req.headers))) : await gate.enter(res);
      if (admitted === 'closed' || admitted === 'busy') {
        // Nothing is handed over once the store may be closing (dynalite would fail it with an
        // uncaught error), nor a transaction while requests handed over stay unanswered.
        const why = admitted === 'closed' ? 'local DynamoDB is stopping' : 'local DynamoDB is busy; try again';
        answerError(res, 500, INTERNAL_ERROR, why);
        return;
      }
      // One that could not be put back may have failed while this request waited.
      if (admitted === 'admitted' && transactions.broken) answerError(res, 500, INTERNAL_ERROR, brokenMessage(transactions.broken));
      else if (admitted === 'admitted') handOver(handle, req, res, body);
      else answerJson(res, admitted.status, admitted.body);
    })().catch((err: unknown) => {
      options.log?.(`dynamo: front failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  if (options.keepAliveMs !== undefined) {
    front.keepAliveTimeout = options.keepAliveMs;
    front.headersTimeout = options.keepAliveMs + 1_000;
  }
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    close: async () => {
      const closed = new Promise<void>((r) => front.close(() => r()));
      // dynalite's close waits for single store calls only, not for a request's chain of them (a
      // Query's read stream not at all): the requests and the transaction it was handed must be
      // answered first.
      await gate.close();
      front.closeAllConnections();
      await closed;
      await new Promise<void>((r) => dynalite.close(() => r()));
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** dynalite listening on a Unix socket in a private temp folder (returned), which nothing connects to. */
async function listenPrivately(dynalite: Server): Promise<string> {
  const socketDir = mkdtempSync(join(tmpdir(), 'local-dynamo-'));
  try {
    await new Promise<void>((resolve, reject) => {
      dynalite.once('error', reject);
      dynalite.listen(join(socketDir, 'dynalite.sock'), () => resolve());
    });
  } catch (err) {
    rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
  return socketDir;
}

/** The request's body once its size and signature are checked; undefined once it was answered with the refusal. */
async function checkedBody(req: IncomingMessage, res: ServerResponse, credentials: RuntimeCredentials): Promise<Buffer | undefined> {
  const body = await readBody(req, MAX_REQUEST_BYTES);
  if (!body) {
    answerTooLarge(
      res,
      { __type: 'com.amazon.coral.service#RequestEntityTooLargeException', message: `request body over ${MAX_REQUEST_BYTES} bytes` },
      { 'content-type': 'application/x-amz-json-1.0' },
    );
    return undefined;
  }
  try {
    await checkSigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, credentials);
    return body;
  } catch (err) {
    const e = err instanceof AwsServiceError ? err : new AwsServiceError('InternalFailure', (err as Error).message, 500);
    answerError(res, e.statusCode, `com.amazon.coral.service#${e.code}`, e.message);
    return undefined;
  }
}

/** The front's number for each TCP connection (metering.ts DynamoCall.connection). */
function connectionNumbers(): (socket: object) => number {
  const connections = new WeakMap<object, number>();
  let last = 0;
  return (socket) => {
    let n = connections.get(socket);
    if (n === undefined) connections.set(socket, (n = ++last));
    return n;
  };
}

/** Headers dynalite takes for signed (it checks only their shape) on the calls that put back a transaction at start. */
const RECOVERY_HEADERS = { authorization: 'AWS4-HMAC-SHA256 Credential=local/recovery, SignedHeaders=host, Signature=0', 'x-amz-date': '20260101T000000Z' };

const TRANSACT_WRITE = 'DynamoDB_20120810.TransactWriteItems';
const INTERNAL_ERROR = `${DYNAMO_ERROR}InternalServerError`;
const brokenMessage = (why: string) => `local DynamoDB stopped answering: a transaction could not be put back (${why}); restart the runtime`;

/** An error answer as DynamoDB gives one: JSON with `__type` and `message`. */
function answerError(res: ServerResponse, statusCode: number, type: string, message: string): void {
  answerJson(res, statusCode, { __type: type, message });
}

function answerJson(res: ServerResponse, statusCode: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}
