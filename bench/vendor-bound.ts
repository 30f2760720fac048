import { AddThrottle } from '../lib/local/sandboxes/cocalc/throttle';

/**
 * The vendor bound of the burst bench: the earliest instants at which CoCalc's own sliding windows
 * for `shopping/cart/add` (3/s, 15/min, 200/h) admit adds sent back to back, found by asking the
 * sandbox's copy of the vendor throttle (lib/local/sandboxes/cocalc/throttle.ts) at its real
 * limits, not procure's slot ledger.
 */

/** CoCalc's window lengths for `shopping/cart/add` (the sandbox throttle's defaults). */
const VENDOR_WINDOWS_MS = [1_000, 60_000, 3_600_000] as const;

/** Whether the sandbox's own throttle, at the vendor's real limits, accepts an add at `t` after `hits`. */
function vendorAccepts(hits: readonly number[], t: number): boolean {
  const throttle = new AddThrottle();
  for (const h of hits) {
    try {
      throttle.check('bench', 'shopping/cart/add', h);
    } catch {
      // An over-limit history: the vendor refused that one too (and counted it where it passed).
    }
  }
  try {
    throttle.check('bench', 'shopping/cart/add', t);
    return true;
  } catch {
    return false;
  }
}

/**
 * The earliest times (ms from 0) at which the vendor accepts n adds sent back to back from 0,
 * after the adds it already recorded at `earlier` (ms, negative = before 0). Greedy (each add at
 * the first instant the vendor accepts it) is optimal for sliding windows; the candidate instants
 * are 0 and the moments an earlier add leaves a window.
 */
export function vendorEarliestAdds(n: number, earlier: readonly number[] = []): number[] {
  const hits = [...earlier].sort((a, b) => a - b);
  const out: number[] = [];
  let last = 0;
  for (let k = 0; k < n; k++) {
    const candidates = [last, ...hits.flatMap((h) => VENDOR_WINDOWS_MS.map((w) => h + w + 1))].filter((c) => c >= last).sort((a, b) => a - b);
    const t = candidates.find((c) => vendorAccepts(hits, c));
    if (t === undefined) throw new Error('no instant admits the next add (unreachable)');
    hits.push(t);
    out.push(t);
    last = t;
  }
  return out;
}

/**
 * How long to wait after adds recorded at `earlier` (ms before now, negative) until they no longer
 * move any of the next n adds, so a burst then has exactly the bound of an idle account: the
 * smallest wait (to 100 ms), found by bisection (an older history never matters more).
 */
export function waitUntilWindowsClear(n: number, earlier: readonly number[]): number {
  const idle = vendorEarliestAdds(n).join();
  const clearAfter = (w: number) =>
    vendorEarliestAdds(
      n,
      earlier.map((e) => e - w),
    ).join() === idle;
  let lo = 0;
  let hi = 3_700_000;
  if (clearAfter(lo)) return 0;
  while (hi - lo > 100) {
    const mid = Math.floor((lo + hi) / 2);
    if (clearAfter(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
