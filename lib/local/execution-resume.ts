import type { AslDefinition } from './asl-from-template';
import type { ExecutionCheckpoint } from './execution-checkpoints';

/**
 * Where an interrupted execution can go on from (README "Interrupted executions go on"): whether its
 * checkpoint still fits the template, and where a Task goes once its callback, recorded but not
 * delivered before the stop, is delivered. Pure functions of the definition and the checkpoint,
 * apart from executions.ts, which runs the engine from the state they name.
 */

/**
 * Why an execution checkpointed at `checkpoint` cannot go on, or undefined when it can: its state
 * machine (`definition`; undefined when the template no longer has it) must still have the state.
 */
export function unresumableReason(
  stateMachineArn: string,
  definition: AslDefinition | undefined,
  checkpoint: ExecutionCheckpoint | undefined,
): string | undefined {
  if (!definition) return `its state machine ${stateMachineArn} is no longer in the template`;
  if (checkpoint && !(checkpoint.state in definition.States)) return `its state machine no longer has the state ${checkpoint.state}`;
  return undefined;
}

/**
 * Where a Task checkpointed at `checkpoint` goes once it succeeded with `output`: its Next state,
 * with the output placed at its ResultPath (a top-level `$.name` path; anything else is refused,
 * and the caller enters the Task again instead).
 */
export function afterTask(definition: AslDefinition, checkpoint: ExecutionCheckpoint, output: unknown): ExecutionCheckpoint {
  const state = definition.States[checkpoint.state] as
    | { Type?: string; Next?: string; ResultPath?: string; ResultSelector?: unknown; OutputPath?: string }
    | undefined;
  const field = /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(state?.ResultPath ?? '')?.[1];
  if (state?.Type !== 'Task' || !state.Next || !field || state.ResultSelector !== undefined || (state.OutputPath ?? '$') !== '$') {
    throw new Error(`state ${checkpoint.state} is not a Task whose result can be placed by hand`);
  }
  const input = JSON.parse(checkpoint.input) as Record<string, unknown>;
  return { ...checkpoint, state: state.Next, input: JSON.stringify({ ...input, [field]: output }) };
}
