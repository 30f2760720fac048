import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lazyHandler } from '../../lambdas/shared/lazy-handler';
import { JsonLogger } from '../../lambdas/shared/logger';

const contextFor = (awsRequestId: string): Context =>
  ({
    awsRequestId,
    functionName: 'Procure-Intake',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Procure-Intake',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/Procure-Intake',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** Runs `act` and returns the JSON lines the logger wrote to stdout meanwhile. */
async function logLines(act: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  (process.stdout as { write: unknown }).write = (chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  };
  try {
    await act();
  } finally {
    (process.stdout as { write: unknown }).write = original;
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('lazyHandler', () => {
  it('puts the request id and the cold-start flag on every line an invocation logs', async () => {
    const logger = new JsonLogger({ serviceName: 'procure', logLevel: 'INFO' });
    const handler = lazyHandler(
      () => async (event: { n: number }, _context: Context) => {
        logger.info('handled', { n: event.n });
        return event.n;
      },
      logger,
    );

    const lines = await logLines(async () => {
      await handler({ n: 1 }, contextFor('req-1'));
      await handler({ n: 2 }, contextFor('req-2'));
    });

    expect(lines).toEqual([
      expect.objectContaining({ message: 'handled', n: 1, function_request_id: 'req-1', cold_start: true, function_name: 'Procure-Intake' }),
      expect.objectContaining({ message: 'handled', n: 2, function_request_id: 'req-2', cold_start: false, function_name: 'Procure-Intake' }),
    ]);
  });

  it('builds the dependencies once, on the first invocation, and again after a failed build', async () => {
    let builds = 0;
    const handler = lazyHandler(() => {
      builds += 1;
      if (builds === 1) throw new Error('config missing');
      return async (event: string) => `ok ${event}`;
    });
    expect(builds).toBe(0);
    expect(() => handler('a')).toThrow('config missing');
    await expect(handler('b')).resolves.toBe('ok b');
    await expect(handler('c')).resolves.toBe('ok c');
    expect(builds).toBe(2);
  });
});
