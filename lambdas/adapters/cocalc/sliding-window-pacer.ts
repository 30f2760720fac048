/** Time source for pacing and for the wait before a rate-limited retry; tests inject a fake one. */
export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Date.now and setTimeout. */
export const realClock: PacingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Client-side limits for `shopping/cart/add`. */
export interface CocalcPacing {
  perSecond: number;
  perMinute: number;
  perHour: number;
  /**
   * Window lengths. Only tests change them (the vendor's are fixed).
   * @default { second: 1000, minute: 60000, hour: 3600000 }
   */
  windowsMs?: { second?: number; minute?: number; hour?: number };
  /** Extra wait past a window's end. @default 50 */
  marginMs?: number;
}

/** The vendor's limits for `shopping/cart/add` (cocalc-api-v2.md §2). */
export const COCALC_ADD_LIMITS: CocalcPacing = { perSecond: 3, perMinute: 15, perHour: 200 };

interface Rule {
  max: number;
  windowMs: number;
}

/**
 * Sliding-window pacer mirroring the vendor's throttle (`util/api/throttle.ts`, §2): it keeps the
 * times of recent requests and waits until one more fits every window. Callers record a request
 * AFTER its response arrived: the vendor stamped it earlier than that, so our windows always end
 * after the vendor's, whatever the network latency.
 */
export class SlidingWindowPacer {
  private readonly rules: Rule[];
  private readonly marginMs: number;
  private sent: number[] = [];

  constructor(pacing: CocalcPacing, private readonly clock: PacingClock = realClock) {
    const w = pacing.windowsMs ?? {};
    this.rules = [
      { max: pacing.perSecond, windowMs: w.second ?? 1_000 },
      { max: pacing.perMinute, windowMs: w.minute ?? 60_000 },
      { max: pacing.perHour, windowMs: w.hour ?? 3_600_000 },
    ];
    for (const r of this.rules) {
      if (!(r.max >= 1) || !(r.windowMs > 0)) throw new RangeError('pacing limits must be >= 1 per window of > 0 ms');
    }
    // At least 1 ms: the vendor still counts a request stamped exactly one window ago.
    this.marginMs = Math.max(1, pacing.marginMs ?? 50);
  }

  /** Resolves once one more request fits every window. */
  async waitForSlot(): Promise<void> {
    for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) await this.clock.sleep(wait);
  }

  /** Counts one request; call it when the request's response (or failure) arrived. */
  record(): void {
    const now = this.clock.now();
    const longest = Math.max(...this.rules.map((r) => r.windowMs)) + this.marginMs;
    this.sent = this.sent.filter((t) => now - t < longest);
    this.sent.push(now);
  }

  private waitMs(): number {
    const now = this.clock.now();
    let wait = 0;
    for (const { max, windowMs } of this.rules) {
      const span = windowMs + this.marginMs;
      const recent = this.sent.filter((t) => now - t < span);
      // Everything but the newest max-1 requests must have left the window.
      const mustExpire = recent[recent.length - max];
      if (mustExpire !== undefined) wait = Math.max(wait, mustExpire + span - now);
    }
    return wait;
  }
}
