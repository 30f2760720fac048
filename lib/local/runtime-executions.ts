import { join } from 'node:path';
import type { LocalDynamo } from './dynamo';
import { FileCheckpointStore } from './execution-checkpoints';
import { FileExecutionStore, MAX_RECORDS } from './execution-store';
import { ExecutionManager } from './executions';
import { HistoryFiles } from './history-files';
import { closeInterruptedRuns, resumeInterruptedRuns } from './interrupted-runs';
import type { ResolvedOptions } from './runtime-api';
import type { TemplatePlan } from './runtime-plan';
import type { ClosedExecution, ResumedRun, RuntimeProfile } from './runtime-profile';
import type { Cleanups, DataDir, LateBound, Log, Services } from './runtime-services';

export interface ExecutionRuns<C, R> {
  manager: ExecutionManager;
  interrupted: C[];
  resumed: R[];
}

/** Executions: close what the previous run left running and cannot go on, let the rest go on, then accept new ones. */
export async function startExecutions<S extends object, C extends ClosedExecution, R extends ResumedRun>(
  options: ResolvedOptions,
  profile: RuntimeProfile<S, C, R>,
  plan: TemplatePlan,
  data: DataDir,
  dynamo: LocalDynamo,
  services: Services,
  late: LateBound,
  cleanups: Cleanups,
  log: Log,
): Promise<ExecutionRuns<C, R>> {
  const { machines, tables } = plan;
  const overrides = options.stateMachineOverrides ?? {};
  const store = options.inMemory ? undefined : new FileExecutionStore(join(data.dataDir, 'executions.json'));
  const checkpoints = options.inMemory ? undefined : new FileCheckpointStore(join(data.dataDir, 'checkpoints'));
  const histories = options.inMemory ? undefined : new HistoryFiles(join(data.dataDir, 'histories'));
  const previous = store?.load() ?? [];
  const manager = new ExecutionManager({
    machines,
    invoke: services.gate.holdWhileStopping(services.invoke),
    broker: services.broker,
    previous,
    ...(store ? { store } : {}),
    ...(checkpoints ? { checkpoints } : {}),
    ...(histories ? { histories } : {}),
    ...(overrides.retryIntervalOverrides ? { retryIntervalOverrides: overrides.retryIntervalOverrides } : {}),
    ...(overrides.waitTimeOverrides ? { waitTimeOverrides: overrides.waitTimeOverrides } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    historyRetention: options.keptInMemory,
    // With a data folder, whole records: at least the one finishing, at most what executions.json keeps.
    ...(store ? { recordRetention: Math.min(MAX_RECORDS, Math.max(1, options.keptInMemory)) } : {}),
    log,
  });
  late.manager = manager;
  // Runs right after the executions are aborted (cleanups run in reverse), before the broker closes.
  cleanups.push(() => services.gate.releaseHeld());
  cleanups.push(() => manager.close());
  const cutOff = manager.interruptedRuns();
  const stuck = cutOff.filter((r) => r.unresumable);
  // A profile without these hooks reports the emulator's own records (its C and R default to them).
  const close = profile.closeInterrupted ?? (closeInterruptedRuns as unknown as NonNullable<typeof profile.closeInterrupted>);
  const interrupted = await close({ records: stuck.map((r) => r.record), client: dynamo.client, tables, machines, invoke: services.invoke, log });
  // Every start writes the records whole once (closed ones included: the close changed these very
  // records) and starts a new change log, before the closed ones count as finished and may be archived.
  store?.save(previous);
  manager.finishedOutside(stuck.map((r) => r.record.executionArn));
  // The histories of executions the records no longer keep (trimmed, or from a deleted file) go with them.
  histories?.keepOnly(previous.map((r) => r.executionArn));
  if (interrupted.length) {
    log(
      `interrupted: ${interrupted.length} execution(s) were running when the runtime last stopped and cannot go on (${stuck.map((r) => `${r.record.name}: ${r.unresumable}`).join('; ')}): closed`,
    );
  }
  const resume = profile.resumeInterrupted ?? (resumeInterruptedRuns as unknown as NonNullable<typeof profile.resumeInterrupted>);
  const resumed = await resume({
    runs: cutOff.filter((r) => !r.unresumable),
    client: dynamo.client,
    tables,
    log,
    resume: (run, delivered) => manager.resume(run, delivered),
    firstState: (run) => machines.find((m) => m.arn === run.record.stateMachineArn)?.definition.StartAt ?? '',
  });
  if (resumed.length)
    log(`resumed: ${resumed.length} execution(s) cut off by the last stop go on where they stood: ${resumed.map((r) => `${r.name} at ${r.state}`).join(', ')}`);
  return { manager, interrupted, resumed };
}
