import { DEFAULT_DRAIN_MS, type DeliveryHold } from '../local';
import { UsageError } from './args';

/**
 * `procure local`'s settings from its flags and environment variables (local.ts reads them): each
 * checked here, with a UsageError that names the flag or variable, before the runtime starts.
 */

/** Overrides the Lambda concurrency per function (LocalRuntimeOptions.lambdaConcurrency). */
export const LAMBDA_CONCURRENCY_ENV = 'PROCURE_LOCAL_LAMBDA_CONCURRENCY';

/** Overrides the Lambda concurrency quota over all functions (LocalRuntimeOptions.lambdaAccountConcurrency). */
export const LAMBDA_ACCOUNT_CONCURRENCY_ENV = 'PROCURE_LOCAL_LAMBDA_ACCOUNT_CONCURRENCY';

/**
 * A CoCalc API v2 base URL to use instead of the built-in CoCalc sandbox (COCALC_BASE_URL through
 * LocalRuntimeOptions.configOverrides): a sandbox in another process, say, whose state outlives the runtime.
 */
export const COCALC_BASE_URL_ENV = 'PROCURE_COCALC_BASE_URL';

/**
 * A test fault (LocalRuntimeOptions.eventDeliveryHold): `before-invoke:MS` or `after-invoke:MS`
 * holds every EventBridge delivery that long before its first attempt, or after it succeeded and
 * before it is marked done, so a test can kill the runtime in between.
 */
export const EVENT_HOLD_ENV = 'PROCURE_LOCAL_EVENT_HOLD';

/** `--drain-seconds`: a non-negative number of seconds, default DEFAULT_DRAIN_MS. */
export function parseDrainSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DRAIN_MS / 1000;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--drain-seconds must be a number of seconds >= 0, got "${value}"`);
  return seconds;
}

/** PROCURE_LOCAL_LAMBDA_CONCURRENCY (or `name`): unset or empty = the runtime's default, else a positive integer. */
export function parseLambdaConcurrency(value: string | undefined, name = LAMBDA_CONCURRENCY_ENV): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

/** PROCURE_COCALC_BASE_URL: unset or empty = the built-in sandbox, else an http(s) URL. */
export function parseCocalcBaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${COCALC_BASE_URL_ENV} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${COCALC_BASE_URL_ENV} must be an http(s) URL, got "${value}"`);
  return value.trim().replace(/\/+$/, '');
}

/** PROCURE_LOCAL_EVENT_HOLD: unset or empty = none, else `before-invoke:MS` or `after-invoke:MS`. */
export function parseEventHold(value: string | undefined): DeliveryHold | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = /^(before-invoke|after-invoke):(\d+)$/.exec(value.trim());
  if (!m) throw new UsageError(`${EVENT_HOLD_ENV} must be before-invoke:MS or after-invoke:MS, got "${value}"`);
  return { at: m[1] as DeliveryHold['at'], ms: Number(m[2]) };
}
