import type { Context } from 'aws-lambda';
import { isSecretKey, redact, REDACTED } from './redact';

/**
 * The one logger for all handlers: one JSON line per entry on stdout, in the shape of Powertools
 * for AWS Lambda's logger (level, message, timestamp, service, the invocation's context keys, then
 * the entry's own keys), so CloudWatch Logs Insights queries written for Powertools work. Its own
 * rather than Powertools' (issue #11): Powertools' logger costs a bundle about 20 KB and 12 ms of
 * module load, which put the four smallest functions past 1.2x their baseline load.
 *
 * Its JSON replacer redacts secret-looking keys (token, taskToken, sig, signature, apiKey,
 * password, secret, ...) wherever they appear in a logged object, so a careless
 * `logger.info('x', { event })` cannot put a task token, a link signature or a vendor key into
 * CloudWatch (local-aws-runtime.md §4.2 "logging"). Set POWERTOOLS_LOG_LEVEL=SILENT in tests.
 */

/**
 * JSON replacer: called for every key of every logged object, so nesting is covered. An error
 * becomes its name, message and stack, its `cause` and its own properties (a vendor's retry-after,
 * the SDK's `$metadata`), each again through this replacer; a BigInt becomes its digits.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key)) return REDACTED;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const own = { ...(value as unknown as Record<string, unknown>) };
    const cause = (value as { cause?: unknown }).cause;
    return { ...own, name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}), ...(cause !== undefined ? { cause } : {}) };
  }
  return value;
}

/**
 * {@link redactingReplacer}, leaving out an object met again (a cycle, or one logged twice), as
 * Powertools does. Judged on the value before an error becomes a new object, so an error whose
 * `cause` (or any property) leads back to itself ends there too.
 */
function onceReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (key, value) => {
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return undefined;
      seen.add(value);
    }
    return redactingReplacer(key, value);
  };
}

/** The entry as one JSON line; never throws (an entry JSON cannot hold, e.g. a cycle, is written without the repeats). */
function lineOf(entry: Record<string, unknown>): string {
  try {
    return `${JSON.stringify(entry, redactingReplacer)}\n`;
  } catch {
    return `${JSON.stringify(entry, onceReplacer())}\n`;
  }
}

/**
 * Copy of `value` safe to log: secret-looking keys redacted, and `sig=` / token-like runs removed
 * from strings. Use it for values whose text may embed a link (the logger only sees keys).
 */
export function redactForLog<T>(value: T): T {
  return redact(value, { scrubText: true });
}

const LEVELS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, FATAL: 24, SILENT: 28 } as const;
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * The threshold, read as Powertools reads it: Lambda's own log level (AWS_LAMBDA_LOG_LEVEL, set by
 * its advanced logging controls) first, then POWERTOOLS_LOG_LEVEL, then LOG_LEVEL, else INFO; an
 * empty or unknown name is skipped.
 */
function thresholdOf(env: NodeJS.ProcessEnv): number {
  for (const name of [env.AWS_LAMBDA_LOG_LEVEL, env.POWERTOOLS_LOG_LEVEL, env.LOG_LEVEL]) {
    const level = LEVELS[(name ?? '').toUpperCase() as keyof typeof LEVELS];
    if (level !== undefined) return level;
  }
  return LEVELS.INFO;
}

/** Keys of an entry that its extra objects cannot replace. */
const RESERVED = new Set(['level', 'message', 'timestamp', 'service']);

/** Options of {@link JsonLogger}. */
export interface JsonLoggerOptions {
  serviceName?: string;
  /** A level name (TRACE to FATAL, or SILENT); else the environment's ({@link thresholdOf}). */
  logLevel?: string;
  /** The environment the level and the cold start are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where a line goes. @default process.stdout */
  write?: (line: string) => void;
}

/** A structured logger with the part of Powertools' interface procure uses: the four levels and `addContext`. */
export class JsonLogger {
  private readonly service: string;
  private readonly threshold: number;
  private readonly write: (line: string) => void;
  private context: Record<string, unknown> = {};
  private coldStart: boolean;

  constructor(options: JsonLoggerOptions = {}) {
    const env = options.env ?? process.env;
    this.service = options.serviceName ?? 'procure';
    this.threshold = thresholdOf(options.logLevel ? { ...env, AWS_LAMBDA_LOG_LEVEL: options.logLevel } : env);
    // An environment Lambda initialized ahead of traffic (provisioned concurrency) starts warm.
    this.coldStart = env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency';
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
    for (const e of extra) {
      for (const [k, v] of Object.entries(e instanceof Error ? { error: e } : e)) if (!RESERVED.has(k)) entry[k] = v;
    }
    this.write(lineOf(entry));
  }
}

/** The shared logger. Service name from POWERTOOLS_SERVICE_NAME, default "procure". */
export const logger = new JsonLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'procure' });
