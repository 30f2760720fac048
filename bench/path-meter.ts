import type { DynamoCall, StepEvent } from '../lib/local';

/**
 * The pure arithmetic of `npm run bench -- paths`: transitions from an execution's steps, which
 * function a DynamoDB call came from, which state an invocation ran for, and the time several
 * overlapping requests took together.
 */

export interface Transitions {
  /** What Step Functions Standard bills: every state entered, and every retry of a state. */
  total: number;
  /** Of those, Choice and Pass states (routing, no work of their own). */
  routing: number;
  /** Of those, retries (the state ran again after an error its Retry matched). */
  retries: number;
}

/**
 * Counts the billed transitions of one execution from its steps. AWS bills each state the
 * execution enters, states inside a Map or Parallel included, and a retried Task once more per
 * retry; the engine reports a retry as `StateRetried` rather than a second `StateEntered`.
 */
export function countTransitions(steps: ReadonlyArray<Pick<StepEvent, 'type' | 'stateType'>>): Transitions {
  let entered = 0;
  let routing = 0;
  let retries = 0;
  for (const s of steps) {
    if (s.type === 'StateEntered') {
      entered += 1;
      if (s.stateType === 'Choice' || s.stateType === 'Pass') routing += 1;
    } else if (s.type === 'StateRetried') {
      retries += 1;
    }
  }
  return { total: entered + retries, routing, retries };
}

/** One Lambda invocation: its function, a label (the state it ran for, or the function), and when it ran. */
export interface Span {
  fn: string;
  label: string;
  from: number;
  to: number;
}

/** Calls received while no invocation was in flight (the runtime's own, or the bench's). */
export const OUTSIDE = 'outside any Lambda';

const inFlightAt = (spans: readonly Span[], at: number): Span[] => spans.filter((s) => s.from <= at && at <= s.to);

/**
 * Which function each DynamoDB connection belongs to. A connection carries one execution
 * environment's calls, so its owner was in flight at every call made on it: the one function
 * left when those sets are intersected. Connections where none or several are left get no owner.
 */
export function connectionOwners(calls: readonly DynamoCall[], spans: readonly Span[]): Map<number, string> {
  const candidates = new Map<number, Set<string>>();
  for (const call of calls) {
    const open = new Set(inFlightAt(spans, call.at).map((s) => s.fn));
    const before = candidates.get(call.connection);
    candidates.set(call.connection, before ? new Set([...before].filter((fn) => open.has(fn))) : open);
  }
  const owners = new Map<number, string>();
  for (const [connection, fns] of candidates) if (fns.size === 1) owners.set(connection, [...fns][0]!);
  return owners;
}

/**
 * Groups DynamoDB calls by the invocation that made each one: among the invocations in flight when
 * the front received it, those of its connection's owner. When that leaves several (no owner
 * known), the label names them all (`A | B`, sorted).
 */
export function attributeCalls(calls: readonly DynamoCall[], spans: readonly Span[], owners: ReadonlyMap<number, string>): Map<string, DynamoCall[]> {
  const out = new Map<string, DynamoCall[]>();
  for (const call of calls) {
    const open = inFlightAt(spans, call.at);
    const owner = owners.get(call.connection);
    const mine = owner === undefined ? open : open.filter((s) => s.fn === owner);
    const labels = [...new Set((mine.length ? mine : open).map((s) => s.label))].sort();
    const label = labels.length ? labels.join(' | ') : OUTSIDE;
    const list = out.get(label) ?? [];
    list.push(call);
    out.set(label, list);
  }
  return out;
}

/**
 * The Task state an invocation ran for: the latest entry (or retry) before `atEpochMs` of a state
 * whose Task calls `constructId`. Undefined for functions no state calls (Intake, the APIs).
 * Step timestamps are whole milliseconds, so an entry up to 1 ms after `atEpochMs` still counts.
 */
export function stateOfInvocation(
  tasks: Readonly<Record<string, string>>,
  steps: ReadonlyArray<Pick<StepEvent, 'type' | 'state' | 'timestamp'>>,
  constructId: string,
  atEpochMs: number,
): string | undefined {
  let found: string | undefined;
  let foundAt = Number.NEGATIVE_INFINITY;
  for (const s of steps) {
    if ((s.type !== 'StateEntered' && s.type !== 'StateRetried') || !s.state || tasks[s.state] !== constructId) continue;
    if (s.timestamp <= atEpochMs + 1 && s.timestamp >= foundAt) {
      found = s.state;
      foundAt = s.timestamp;
    }
  }
  return found;
}

/** How long at least one of the intervals was open (overlaps counted once). */
export function unionMs(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** Calls per operation, e.g. { GetItem: 3, PutItem: 5 }, in a stable order (most first, then by name). */
export function callsByOperation(calls: readonly DynamoCall[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
