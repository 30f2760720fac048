import type { ExecutionDurability } from './execution-durability';
import { type EngineEvent, type StepEvent, stepFromEngineEvent, TopLevelState } from './execution-engine-events';
import { subSecondWait } from './wait-timestamps';

/** What an execution's step history needs of the manager's options. */
export interface StepOptions {
  waitTimeOverrides?: Record<string, number>;
  onStep?: (event: StepEvent) => void;
  log?: (line: string) => void;
}

/**
 * Turns an engine run's event log into the execution's step history (each step to `keep`), saves
 * a checkpoint at each top-level state it enters, and tells `onStep` of each step; ends when the
 * log closes. A Wait that AWS would end on a whole second but the timestamp puts between is logged.
 */
export async function recordSteps(
  execution: { executionArn: string; name: string },
  /** Keeps a step: in the execution's history in memory, or on disk. */
  keep: (step: StepEvent) => void,
  events: AsyncGenerator<unknown>,
  states: Record<string, unknown>,
  options: StepOptions,
  durability: ExecutionDurability,
): Promise<void> {
  const entered = new Map<string, number>();
  const { executionArn, name } = execution;
  const topLevelState = new TopLevelState(executionArn, new Set(Object.keys(states)));
  try {
    for await (const raw of events) {
      const ev = raw as EngineEvent;
      // A Wait whose time is overridden (waitTimeOverrides) waits as told, not as its timestamp says.
      const timed = ev.type === 'StateEntered' && ev.state && options.waitTimeOverrides?.[ev.state.name] === undefined ? ev.state : undefined;
      const unlikeAws = timed ? subSecondWait(timed.name, states[timed.name], timed.input) : undefined;
      if (unlikeAws) options.log?.(`${name}: ${unlikeAws}`);
      const checkpoint = topLevelState.checkpointAfter(ev);
      if (checkpoint) durability.checkpoint(checkpoint);
      const step = stepFromEngineEvent(ev, { executionArn, name }, entered);
      keep(step);
      try {
        options.onStep?.(step);
      } catch {
        // A listener's bug must not break the execution.
      }
    }
  } catch (err) {
    options.log?.(`event stream of ${name} ended: ${(err as Error).message}`);
  }
}
