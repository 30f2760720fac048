/**
 * The vendor's per-account throttle of `shopping/cart/add` (`util/api/throttle.ts`,
 * cocalc-api-v2.md §2), including its quirks: windows are checked in the order second, minute,
 * hour, and a request rejected by a later window still counts in the earlier ones it passed;
 * `wait` is the oldest request's remaining time in whole seconds, rounded up.
 */
export interface CocalcThrottleOptions {
  /** @default 3 */
  perSecond?: number;
  /** @default 15 */
  perMinute?: number;
  /** @default 200 */
  perHour?: number;
  /** Window lengths; only tests shrink them (the message still names second/minute/hour). */
  windowsMs?: { second?: number; minute?: number; hour?: number };
}

type Interval = 'second' | 'minute' | 'hour';
const INTERVALS: Interval[] = ['second', 'minute', 'hour'];

/** Per-account call log for the throttled endpoint. */
export class AddThrottle {
  private readonly max: Record<Interval, number>;
  private readonly windowMs: Record<Interval, number>;
  private readonly hits = new Map<string, Record<Interval, number[]>>();
  /** How many calls were refused with "too many requests" (tests and the bench read the vendor's truth here). */
  rejections = 0;

  constructor(opts: CocalcThrottleOptions = {}) {
    this.max = { second: opts.perSecond ?? 3, minute: opts.perMinute ?? 15, hour: opts.perHour ?? 200 };
    const w = opts.windowsMs ?? {};
    this.windowMs = { second: w.second ?? 1_000, minute: w.minute ?? 60_000, hour: w.hour ?? 3_600_000 };
  }

  /** Records one call of `endpoint` by `accountId`, or throws the vendor's error. */
  check(accountId: string, endpoint: string, now: number): void {
    const key = `${accountId}:${endpoint}`;
    let byInterval = this.hits.get(key);
    if (!byInterval) {
      byInterval = { second: [], minute: [], hour: [] };
      this.hits.set(key, byInterval);
    }
    for (const interval of INTERVALS) {
      const cutoff = now - this.windowMs[interval];
      const v = byInterval[interval].filter((t) => t >= cutoff);
      byInterval[interval] = v;
      const max = this.max[interval];
      if (v.length >= max) {
        this.rejections += 1;
        const wait = Math.ceil((v[0]! - cutoff) / 1000);
        throw new Error(
          `too many requests to ${endpoint}; try again in ${wait} ${plural(wait, 'second')} ` +
            `(rule: at most ${max} ${plural(max, 'request')} per ${interval})`,
        );
      }
      v.push(now);
    }
  }
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
