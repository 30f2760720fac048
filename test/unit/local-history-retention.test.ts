import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../lib/local/execution-store';
import { ExecutionManager, type ExecutionManagerOptions, type LocalStateMachine } from '../../lib/local/executions';
import { FinishedHistories } from '../../lib/local/history-retention';
import { TaskTokenBroker } from '../../lib/local/task-token-broker';

const MACHINE: LocalStateMachine = {
  logicalId: 'Flow',
  name: 'Flow',
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow',
  roleArn: 'arn:aws:iam::123456789012:role/FlowRole',
  definition: { StartAt: 'One', States: { One: { Type: 'Pass', Next: 'Two' }, Two: { Type: 'Pass', End: true } } } as never,
  bindings: [],
};

/** A machine whose executions stay RUNNING (a Wait of an hour) while the test runs. */
const WAITING: LocalStateMachine = {
  ...MACHINE,
  logicalId: 'Slow',
  name: 'Slow',
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Slow',
  definition: { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } } as never,
};

describe('FinishedHistories', () => {
  it('keeps the histories of the last `limit` to finish and empties older ones', () => {
    const kept = new FinishedHistories<{ history: number[] }>(2);
    const [a, b, c] = [{ history: [1] }, { history: [2] }, { history: [3] }];
    kept.finished(a);
    kept.finished(b);
    expect([a.history, b.history]).toEqual([[1], [2]]);
    kept.finished(c);
    expect([a.history, b.history, c.history]).toEqual([[], [2], [3]]);
  });

  it('refuses a limit that is not a whole number >= 0', () => {
    expect(() => new FinishedHistories(-1)).toThrow(RangeError);
    expect(() => new FinishedHistories(1.5)).toThrow(RangeError);
  });
});

describe('ExecutionManager history retention', () => {
  let manager: ExecutionManager | undefined;
  afterEach(() => manager?.close());

  async function runAll(names: string[], historyRetention: number, more: Partial<ExecutionManagerOptions> = {}): Promise<ExecutionManager> {
    const m = new ExecutionManager({ machines: [MACHINE, WAITING], invoke: async () => ({}), broker: new TaskTokenBroker(), historyRetention, ...more });
    manager = m;
    for (const name of names) {
      m.start({ stateMachineArn: MACHINE.arn, name, input: '{}' });
      expect((await m.wait(name, { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
    }
    return m;
  }

  it('keeps the step history of the last N finished executions only, and every record', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `run-${i}`);
    manager = await runAll(names, 2);

    const exited = (name: string) =>
      manager!
        .history(name)
        .filter((s) => s.type === 'StateExited')
        .map((s) => s.state);
    expect(exited('run-5')).toEqual(['One', 'Two']);
    expect(exited('run-4')).toEqual(['One', 'Two']);
    for (const old of names.slice(0, 4)) expect(manager.history(old)).toEqual([]);
    expect(
      manager
        .list()
        .map((r) => r.name)
        .sort(),
    ).toEqual(names);
    expect(manager.describe(manager.find('run-0')!.executionArn).status).toBe('SUCCEEDED');
  });

  it('keeps every history while fewer than N have finished', async () => {
    manager = await runAll(['a', 'b', 'c'], 200);
    for (const name of ['a', 'b', 'c']) expect(manager.history(name).at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
  });

  it('forgets the records of the finished executions that started first beyond recordRetention, never a running one', async () => {
    manager = await runAll([], 200, { recordRetention: 3 });
    const waiting = manager.start({ stateMachineArn: WAITING.arn, name: 'waiting', input: '{}' });
    for (const name of ['r0', 'r1', 'r2', 'r3', 'r4']) {
      manager.start({ stateMachineArn: MACHINE.arn, name, input: '{}' });
      expect((await manager.wait(name, { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
    }
    expect(
      manager
        .list()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['r3', 'r4', 'waiting']);
    expect(() =>
      manager!.describe(
        manager!
          .list()
          .find((r) => r.name === 'r4')!
          .executionArn.replace(/r4$/, 'r0'),
      ),
    ).toThrow(/does not exist/i);
    expect(manager.describe(waiting.executionArn).status).toBe('RUNNING');
    // A forgotten name can be used again, as after a restart once executions.json no longer lists it.
    manager.start({ stateMachineArn: MACHINE.arn, name: 'r0', input: '{}' });
    expect((await manager.wait('r0', { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
  });

  it("forgets an earlier run's records oldest first, whatever order executions.json lists them in", async () => {
    const record = (name: string, day: number): ExecutionRecord => ({
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:Flow:${name}`,
      stateMachineArn: MACHINE.arn,
      name,
      status: 'SUCCEEDED',
      input: '{}',
      startDate: `2026-01-0${day}T00:00:00.000Z`,
      stopDate: `2026-01-0${day}T00:00:01.000Z`,
    });
    // Newest first, as a compacted executions.json lists the finished ones.
    const previous = [record('old-3', 3), record('old-2', 2), record('old-1', 1)];
    manager = await runAll(['new-1'], 200, { previous, recordRetention: 3 });
    expect(
      manager
        .list()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['new-1', 'old-2', 'old-3']);
  });
});
