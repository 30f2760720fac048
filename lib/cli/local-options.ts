import { DEFAULT_DRAIN_MS, type DeliveryHold } from '../local';
import { VENDORS, type Vendor } from '../../lambdas/core/vendor-names';
import { sandboxUrlVariable } from '../local/procure/sandboxes';
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

/**
 * The variable that points `procure local`'s functions at a vendor running elsewhere (a sandbox in
 * another process, say, whose state outlives the runtime) instead of its built-in sandbox: `PROCURE_`
 * and the functions' variable of the vendor's URL (its sandbox part's `urlVariable`), so
 * PROCURE_COCALC_BASE_URL for CoCalc. Set, that vendor gets no sandbox (LocalRuntimeOptions.configOverrides).
 */
export function elsewhereEnv(urlVariable: string): string {
  return `PROCURE_${urlVariable}`;
}

/** Where a vendor is reached instead of its sandbox, and the variable that said so. */
export interface ElsewhereUrl {
  url: string;
  /** The functions' variable it sets (COCALC_BASE_URL). */
  variable: string;
  /** The variable that set it (PROCURE_COCALC_BASE_URL). */
  setBy: string;
}

/** Each vendor's elsewhereEnv(): unset or empty = its built-in sandbox, else an http(s) URL (trailing slashes dropped). */
export function vendorsElsewhere(env: Readonly<Record<string, string | undefined>>): Partial<Record<Vendor, ElsewhereUrl>> {
  return Object.fromEntries(
    VENDORS.flatMap((vendor) => {
      const variable = sandboxUrlVariable(vendor);
      const setBy = elsewhereEnv(variable);
      const url = parseHttpUrl(env[setBy], setBy);
      return url === undefined ? [] : [[vendor, { url, variable, setBy }]];
    }),
  );
}

/** Unset or empty = undefined, else an http(s) URL without trailing slashes; a UsageError names `name`. */
export function parseHttpUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${name} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${name} must be an http(s) URL, got "${value}"`);
  return value.trim().replace(/\/+$/, '');
}

/** PROCURE_LOCAL_EVENT_HOLD: unset or empty = none, else `before-invoke:MS` or `after-invoke:MS`. */
export function parseEventHold(value: string | undefined): DeliveryHold | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = /^(before-invoke|after-invoke):(\d+)$/.exec(value.trim());
  if (!m) throw new UsageError(`${EVENT_HOLD_ENV} must be before-invoke:MS or after-invoke:MS, got "${value}"`);
  return { at: m[1] as DeliveryHold['at'], ms: Number(m[2]) };
}
