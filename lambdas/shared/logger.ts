import { Logger } from '@aws-lambda-powertools/logger';
import { isSecretKey, redact, REDACTED } from './redact';

/**
 * The one Powertools logger for all handlers. Its JSON replacer redacts secret-looking keys
 * (token, taskToken, sig, signature, apiKey, password, secret, ...) wherever they appear in a
 * logged object, so a careless `logger.info('x', { event })` cannot put a task token, a link
 * signature or a vendor key into CloudWatch (local-aws-runtime.md §4.2 "logging").
 * Set POWERTOOLS_LOG_LEVEL=SILENT in tests.
 */

/** Powertools JSON replacer: called for every key of every logged object, so nesting is covered. */
export function redactingReplacer(key: string, value: unknown): unknown {
  return key !== '' && isSecretKey(key) ? REDACTED : value;
}

/**
 * Copy of `value` safe to log: secret-looking keys redacted, and `sig=` / token-like runs removed
 * from strings. Use it for values whose text may embed a link (the logger only sees keys).
 */
export function redactForLog<T>(value: T): T {
  return redact(value, { scrubText: true });
}

/** The shared logger. Service name from POWERTOOLS_SERVICE_NAME, default "procure". */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'procure',
  jsonReplacerFn: redactingReplacer,
});
