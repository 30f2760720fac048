import { describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { redactForLog, redactingReplacer } from '../../lambdas/shared/logger';

describe('logger redaction', () => {
  it('never prints a token, signature, API key, password or secret nested anywhere in a log entry', () => {
    const lines: string[] = [];
    const logger = new Logger({
      serviceName: 'test',
      logLevel: 'INFO',
      jsonReplacerFn: redactingReplacer,
    });
    // Capture what Powertools would write to stdout.
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
