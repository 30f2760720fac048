import { createHash } from 'node:crypto';
import { SlidingWindowPacer, type CocalcPacing, type PacingClock } from './sliding-window-pacer';

/**
 * Per process and per CoCalc account (base URL + API key): the one lane that `shopping/cart/add`
 * calls go through, shared by every gateway instance using that key.
 * - Adds run one at a time, so the "snapshot, add, find the new id" sequence of two adds of
 *   identical items cannot interleave. Adds from OTHER processes cannot be seen here: callers must
 *   serialize those themselves (procure holds a per-account lock around AddToCart).
 * - A shared pacer keeps the adds within the vendor's throttle.
 */
export interface AddLane {
  /** Undefined when pacing is off. */
  pacer: SlidingWindowPacer | undefined;
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

interface LaneState {
  tail: Promise<unknown>;
  pacers: Map<string, SlidingWindowPacer>;
}

const lanes = new Map<string, LaneState>();

/** The lane for this base URL and key; the pacer follows `pacing` (undefined when false). */
export function addLaneFor(baseUrl: string, apiKey: string, pacing: CocalcPacing | false, clock?: PacingClock): AddLane {
  // Hash the key so no secret sits in a map key (heap dumps, debug logs).
  const id = createHash('sha256').update(`${baseUrl}\n${apiKey}`).digest('hex');
  let state = lanes.get(id);
  if (!state) {
    state = { tail: Promise.resolve(), pacers: new Map() };
    lanes.set(id, state);
  }
  const lane = state;
  return {
    pacer: pacing === false ? undefined : pacerFor(lane, pacing, clock),
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const run = lane.tail.then(fn, fn);
      lane.tail = run.catch(() => undefined);
      return run;
    },
  };
}

function pacerFor(lane: LaneState, pacing: CocalcPacing, clock: PacingClock | undefined): SlidingWindowPacer {
  // An injected clock (tests) gets a private pacer: its timestamps mean nothing to a real one.
  if (clock) return new SlidingWindowPacer(pacing, clock);
  const signature = JSON.stringify([pacing.perSecond, pacing.perMinute, pacing.perHour, pacing.windowsMs, pacing.marginMs]);
  let pacer = lane.pacers.get(signature);
  if (!pacer) {
    pacer = new SlidingWindowPacer(pacing);
    lane.pacers.set(signature, pacer);
  }
  return pacer;
}
