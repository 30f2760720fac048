import type { Context } from 'aws-lambda';
import { isSecretKey, redact, REDACTED } from './redact';

/**
 * The one logger for all handlers: one JSON line per entry on stdout, in the shape of Powertools
 * for AWS Lambda's logger (level, message, timestamp, service, the invocation's context keys, then
 * the entry's own keys), so CloudWatch Logs Insights queries written for Powertools work. Its own
 * rather than Powertools' (issue #11): Powertools' logger costs a bundle about 24 KB and 12 ms of
 * module load, which put the four smallest functions past 1.2x their baseline load.
 *
 * Its JSON replacer redacts secret-looking keys (token, taskToken, sig, signature, apiKey,
 * password, secret, ...) wherever they appear in a logged object, so a careless
 * `logger.info('x', { event })` cannot put a task token, a link signature or a vendor key into
 * CloudWatch (local-aws-runtime.md §4.2 "logging"). Set POWERTOOLS_LOG_LEVEL=SILENT in tests.
 */

/** JSON replacer: called for every key of every logged object, so nesting is covered. Errors become their name, message and stack. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key)) return REDACTED;
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  return value;
}

/**
 * Copy of `value` safe to log: secret-looking keys redacted, and `sig=` / token-like runs removed
 * from strings. Use it for values whose text may embed a link (the logger only sees keys).
 */
export function redactForLog<T>(value: T): T {
  return redact(value, { scrubText: true });
}

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, SILENT: 28 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;

/** The threshold Powertools reads: POWERTOOLS_LOG_LEVEL, else Lambda's own log level, else INFO. */
function thresholdOf(env: NodeJS.ProcessEnv): number {
  const name = (env.POWERTOOLS_LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  return LEVELS[name as keyof typeof LEVELS] ?? LEVELS.INFO;
}

/** Options of {@link JsonLogger}. */
export interface JsonLoggerOptions {
  serviceName?: string;
  /** DEBUG, INFO, WARN, ERROR or SILENT; the environment's ({@link thresholdOf}) when absent. */
  logLevel?: string;
  /** Where a line goes. @default process.stdout */
  write?: (line: string) => void;
}

/** A structured logger with the part of Powertools' interface procure uses: the four levels and `addContext`. */
export class JsonLogger {
  private readonly service: string;
  private readonly threshold: number;
  private readonly write: (line: string) => void;
  private context: Record<string, unknown> = {};
  private coldStart = true;

  constructor(options: JsonLoggerOptions = {}) {
    this.service = options.serviceName ?? 'procure';
    this.threshold = options.logLevel ? thresholdOf({ POWERTOOLS_LOG_LEVEL: options.logLevel }) : thresholdOf(process.env);
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  /** The invocation's keys on every later line (what Powertools' `addContext` adds); the first call is the cold start. */
  addContext(context: Context): void {
    this.context = {
      cold_start: this.coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    this.coldStart = false;
  }

  debug(message: string, ...extra: object[]): void {
    this.log('DEBUG', message, extra);
  }
  info(message: string, ...extra: object[]): void {
    this.log('INFO', message, extra);
  }
  warn(message: string, ...extra: object[]): void {
    this.log('WARN', message, extra);
  }
  error(message: string, ...extra: object[]): void {
    this.log('ERROR', message, extra);
  }

  private log(level: Level, message: string, extra: object[]): void {
    if (LEVELS[level] < this.threshold) return;
    const trace = process.env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1];
    const entry: Record<string, unknown> = { level, message, timestamp: new Date().toISOString(), service: this.service, ...this.context };
    if (trace) entry.xray_trace_id = trace;
    for (const e of extra) Object.assign(entry, e instanceof Error ? { error: e } : e);
    this.write(`${JSON.stringify(entry, redactingReplacer)}\n`);
  }
}

/** The shared logger. Service name from POWERTOOLS_SERVICE_NAME, default "procure". */
export const logger = new JsonLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'procure' });
