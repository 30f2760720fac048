import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { executionArnOf } from '../../lib/local/execution-start-rules';
import type { ExecutionRecord } from '../../lib/local/execution-store';
import { ExecutionManager, type ExecutionManagerOptions, type LocalStateMachine } from '../../lib/local/executions';
import { TaskTokenBroker } from '../../lib/local/task-token-broker';

/** A state machine of two Pass states, One then Two, for the execution manager's own tests. */
export const PASS_MACHINE: LocalStateMachine = {
  logicalId: 'Flow',
  name: 'Flow',
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow',
  roleArn: 'arn:aws:iam::123456789012:role/FlowRole',
  definition: { StartAt: 'One', States: { One: { Type: 'Pass', Next: 'Two' }, Two: { Type: 'Pass', End: true } } } as never,
  bindings: [],
};

/**
 * An execution manager of `machines`, Lambda calls answering `{}` unless `more` says otherwise; on
 * a store, given the records the store holds, as a start is.
 */
export function managerOf(machines: LocalStateMachine[], more: Partial<ExecutionManagerOptions> = {}): ExecutionManager {
  const previous = more.store?.load() ?? [];
  return new ExecutionManager({ machines, invoke: async () => ({}), broker: new TaskTokenBroker(), previous, ...more });
}

/** A finished record of PASS_MACHINE named `name`, with `over` on top. */
export function executionRecord(name: string, over: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    executionArn: executionArnOf(PASS_MACHINE.arn, name),
    stateMachineArn: PASS_MACHINE.arn,
    name,
    status: 'SUCCEEDED',
    input: '{}',
    startDate: '2026-12-07T00:00:00.000Z',
    ...over,
  };
}

/** Starts `machineArn` once under each name, one after another, waiting for each: the statuses they ended in. */
export async function runNames(
  m: ExecutionManager,
  machineArn: string,
  names: readonly string[],
  inputOf: (index: number) => string = () => '{}',
): Promise<string[]> {
  const statuses: string[] = [];
  for (const [index, name] of names.entries()) {
    m.start({ stateMachineArn: machineArn, name, input: inputOf(index) });
    statuses.push((await m.wait(name, { timeoutMs: 10_000 })).status);
  }
  return statuses;
}

/** The states an execution exited, in order, from its history. */
export function exitedStates(m: ExecutionManager, name: string): Array<string | undefined> {
  return m
    .history(name)
    .filter((s) => s.type === 'StateExited')
    .map((s) => s.state);
}

/** The executions a manager holds in memory (its private map): what the archive and the history files keep out of it. */
export function executionsInMemory(m: ExecutionManager): Map<string, { history: unknown[] }> {
  return (m as unknown as { executions: Map<string, { history: unknown[] }> }).executions;
}

/** Fresh temporary folders for the tests of the describe this is called in, removed after each test. */
export function useTempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
