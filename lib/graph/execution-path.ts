/**
 * The path one execution took, read from its Step Functions history (GetExecutionHistory's events,
 * AWS's or the local runtime's, in order): the states it entered, the transitions between them,
 * and where it is now: the state it is in while running, or the state it ended in.
 */
export interface HistoryEventLike {
  type?: string;
  stateEnteredEventDetails?: { name?: string };
  stateExitedEventDetails?: { name?: string };
}

export interface ExecutionPath {
  /** States entered, first entry order, each once. */
  visited: string[];
  /** How many times each state was entered (a loop or a retry round enters again). */
  entries: Record<string, number>;
  /** `from -> to` pairs the execution moved along, each once. */
  taken: Array<{ from: string; to: string }>;
  /** The state it is in now (running) or ended in; undefined before the first state. */
  current?: string;
  /** RUNNING, or how the execution ended (SUCCEEDED, FAILED, TIMED_OUT, ABORTED). */
  status: string;
}

const ENDINGS: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** The path of the execution whose history `events` is (oldest first). */
export function executionPath(events: readonly HistoryEventLike[]): ExecutionPath {
  const visited: string[] = [];
  const entries: Record<string, number> = {};
  const taken = new Map<string, { from: string; to: string }>();
  const open: string[] = [];
  let lastEntered: string | undefined;
  let lastExited: string | undefined;
  let status = 'RUNNING';
  for (const e of events) {
    const type = e.type ?? '';
    if (type in ENDINGS) status = ENDINGS[type]!;
    const entered = type.endsWith('StateEntered') ? e.stateEnteredEventDetails?.name : undefined;
    const exited = type.endsWith('StateExited') ? e.stateExitedEventDetails?.name : undefined;
    if (entered !== undefined) {
      if (!(entered in entries)) visited.push(entered);
      entries[entered] = (entries[entered] ?? 0) + 1;
      if (lastExited !== undefined) taken.set(`${lastExited}\u0001${entered}`, { from: lastExited, to: entered });
      lastExited = undefined;
      lastEntered = entered;
      open.push(entered);
    }
    if (exited !== undefined) {
      lastExited = exited;
      const i = open.lastIndexOf(exited);
      if (i >= 0) open.splice(i, 1);
    }
  }
  const current = status === 'RUNNING' && open.length ? open[open.length - 1] : lastEntered;
  return { visited, entries, taken: [...taken.values()], ...(current !== undefined ? { current } : {}), status };
}
