import type { ExecutionRecord } from './execution-store';
import type { ClosedExecution, CloseContext, ResumeContext, ResumedRun } from './runtime-profile';

/**
 * Executions the previous run left RUNNING (README "Interrupted executions go on"): those that can
 * go on do, from the state they entered last; those that cannot (their state machine or state left
 * the template) are closed, never lost silently. These are the emulator's own defaults; a profile
 * (runtime-profile.ts) replaces them to add the app's bookkeeping.
 */

/** Marks a record the previous run left RUNNING as closed by this start: ABORTED, `Local.RuntimeStopped`. */
export function abortInterrupted(r: ExecutionRecord, now: string): void {
  r.status = 'ABORTED';
  r.stopDate = now;
  r.error = 'Local.RuntimeStopped';
  r.cause = 'The local runtime stopped while this execution was running, and its state machine or state is no longer in the template, so it could not go on.';
}

/** Closes each RUNNING record, with nothing else recorded. */
export async function closeInterruptedRuns(ctx: CloseContext): Promise<ClosedExecution[]> {
  const out: ClosedExecution[] = [];
  for (const r of ctx.records) {
    if (r.status !== 'RUNNING') continue;
    abortInterrupted(r, new Date().toISOString());
    out.push({ executionArn: r.executionArn, name: r.name, startDate: r.startDate });
  }
  return out;
}

/** Lets each run go on where it stood; one that cannot stays RUNNING until the next start. */
export async function resumeInterruptedRuns(ctx: ResumeContext): Promise<ResumedRun[]> {
  const out: ResumedRun[] = [];
  for (const run of ctx.runs) {
    const r = run.record;
    try {
      ctx.resume(run);
    } catch (err) {
      ctx.log(`resumed: ${r.name} could not go on and stays RUNNING until the next start: ${(err as Error).message}`);
      continue;
    }
    out.push({ executionArn: r.executionArn, name: r.name, state: run.checkpoint?.state ?? ctx.firstState(run) });
  }
  return out;
}
