import { describe, expect, it } from 'vitest';
import { JsonLogger, redactForLog } from '../../lambdas/shared/logger';

describe('logger redaction', () => {
  it('never prints a token, signature, API key, password or secret nested anywhere in a log entry', () => {
    const lines: string[] = [];
    const logger = new JsonLogger({ serviceName: 'test', logLevel: 'INFO' });
    // Capture what the logger writes to stdout.
    const original = process.stdout.write.bind(process.stdout);
    const spy = (chunk: unknown): boolean => {
      lines.push(String(chunk));
      return true;
    };
    (process.stdout as { write: unknown }).write = spy;
    try {
      logger.info('event', {
        event: { taskToken: 'TT-1', body: { sig: 'SIG-1', signature: 'SIG-2' }, creds: [{ apiKey: 'AK-1', password: 'PW-1' }], clientSecret: 'CS-1' },
        purchaseId: 'pur-1',
      });
    } finally {
      (process.stdout as { write: unknown }).write = original;
    }
    const out = lines.join('');

    for (const v of ['TT-1', 'SIG-1', 'SIG-2', 'AK-1', 'PW-1', 'CS-1']) expect(out).not.toContain(v);
    expect(out).toContain('pur-1');
  });

  it('removes sig query parameters from text that is logged', () => {
    expect(redactForLog({ url: 'https://h/approvals/abc?sig=XYZ' })).toEqual({ url: 'https://h/approvals/abc?sig=[REDACTED]' });
  });
});

describe('JsonLogger', () => {
  const capture = (logLevel: string) => {
    const lines: string[] = [];
    const logger = new JsonLogger({ serviceName: 'procure', logLevel, write: (l) => lines.push(l) });
    return { logger, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  it("writes one JSON line per entry in Powertools' shape: level, message, timestamp, service, then the entry's keys", () => {
    const { logger, entries } = capture('INFO');
    logger.info('reconciler run', { report: { closed: 2 } });
    expect(entries()).toEqual([
      { level: 'INFO', message: 'reconciler run', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), service: 'procure', report: { closed: 2 } },
    ]);
  });

  it('keeps entries below its level out, and SILENT keeps all out', () => {
    const warn = capture('WARN');
    warn.logger.debug('d');
    warn.logger.info('i');
    warn.logger.warn('w');
    warn.logger.error('e');
    expect(warn.entries().map((e) => e.level)).toEqual(['WARN', 'ERROR']);
    const silent = capture('SILENT');
    silent.logger.error('e');
    expect(silent.entries()).toEqual([]);
  });

  it("logs an error's name, message, stack, cause and own properties, wherever it sits, secret-looking keys on it redacted", () => {
    const { logger, entries } = capture('DEBUG');
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const err = Object.assign(new Error('vendor said no', { cause }), { name: 'VendorRateLimitedError', retryAfterSeconds: 30, apiKey: 'AK-1' });
    logger.error('listing licenses failed', { vendor: 'cocalc', errors: [{ error: err }] });
    logger.error('bare', err);
    const [nested, bare] = entries();
    expect(nested).toMatchObject({
      vendor: 'cocalc',
      errors: [
        {
          error: {
            name: 'VendorRateLimitedError',
            message: 'vendor said no',
            stack: expect.stringContaining('vendor said no'),
            retryAfterSeconds: 30,
            apiKey: '[REDACTED]',
            cause: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
          },
        },
      ],
    });
    expect(JSON.stringify(nested)).not.toContain('AK-1');
    expect(bare).toMatchObject({ message: 'bare', error: { name: 'VendorRateLimitedError' } });
  });

  it('never throws on what JSON cannot hold: a BigInt becomes digits, an object met again is left out', () => {
    const { logger, entries } = capture('INFO');
    const loop: Record<string, unknown> = { purchaseId: 'pur-1' };
    loop.self = loop;
    expect(() => logger.info('odd values', { count: 10n ** 20n, loop })).not.toThrow();
    expect(entries()).toEqual([expect.objectContaining({ count: '100000000000000000000', loop: { purchaseId: 'pur-1' } })]);
    // An error that is its own cause, or points back to itself.
    const selfish = new Error('again and again');
    Object.assign(selfish, { cause: selfish, self: selfish });
    expect(() => logger.error('odd error', { error: selfish })).not.toThrow();
    expect(entries()[1]).toMatchObject({ error: { name: 'Error', message: 'again and again' } });
  });

  it("keeps an entry's own level, message, timestamp and service from being overwritten by its extra keys", () => {
    const { logger, entries } = capture('INFO');
    logger.warn('real', { level: 'DEBUG', message: 'fake', service: 'other', purchaseId: 'pur-1' });
    expect(entries()).toEqual([expect.objectContaining({ level: 'WARN', message: 'real', service: 'procure', purchaseId: 'pur-1' })]);
  });
});

describe('JsonLogger level and cold start, read from the environment as Powertools reads them', () => {
  const levelsLogged = (env: NodeJS.ProcessEnv): string[] => {
    const lines: string[] = [];
    const logger = new JsonLogger({ env, write: (l) => lines.push(l) });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    return lines.map((l) => (JSON.parse(l) as { level: string }).level);
  };

  it.each([
    [{}, ['INFO', 'WARN', 'ERROR']],
    [{ POWERTOOLS_LOG_LEVEL: 'debug' }, ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    // Lambda's own log level (advanced logging controls) wins.
    [{ AWS_LAMBDA_LOG_LEVEL: 'WARN', POWERTOOLS_LOG_LEVEL: 'DEBUG' }, ['WARN', 'ERROR']],
    [{ POWERTOOLS_LOG_LEVEL: '', LOG_LEVEL: 'error' }, ['ERROR']],
    [{ POWERTOOLS_LOG_LEVEL: 'TRACE' }, ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'FATAL' }, []],
    [{ POWERTOOLS_LOG_LEVEL: 'SILENT' }, []],
  ] as const)('%j logs %j', (env, expected) => {
    expect(levelsLogged(env)).toEqual(expected);
  });

  it('reports no cold start in an environment provisioned ahead of traffic', () => {
    const lines: string[] = [];
    const logger = new JsonLogger({ env: { AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' }, write: (l) => lines.push(l) });
    logger.addContext({ awsRequestId: 'req-1', functionName: 'f', invokedFunctionArn: 'arn', memoryLimitInMB: '128' } as never);
    logger.info('x');
    expect(JSON.parse(lines[0]!)).toMatchObject({ cold_start: false, function_request_id: 'req-1' });
  });
});
