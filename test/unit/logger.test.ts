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

  it("logs an error's name, message and stack, wherever it sits, its secret-looking keys still redacted", () => {
    const { logger, entries } = capture('DEBUG');
    const err = Object.assign(new Error('vendor said no'), { name: 'VendorAuthError' });
    logger.error('listing licenses failed', { vendor: 'cocalc', error: err, apiKey: 'AK-1' });
    logger.error('bare', err);
    const [nested, bare] = entries();
    expect(nested).toMatchObject({
      vendor: 'cocalc',
      error: { name: 'VendorAuthError', message: 'vendor said no', stack: expect.stringContaining('vendor said no') },
      apiKey: '[REDACTED]',
    });
    expect(bare).toMatchObject({ message: 'bare', error: { name: 'VendorAuthError' } });
  });
});
