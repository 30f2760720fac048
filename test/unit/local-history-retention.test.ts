import { afterEach, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lib/local/execution-start-rules';
import type { ExecutionManager, ExecutionManagerOptions, LocalStateMachine } from '../../lib/local/executions';
import type { LambdaSpec } from '../../lib/local/lambda-functions';
import { FinishedRetention } from '../../lib/local/history-retention';
import { executionRecord, exitedStates, managerOf, PASS_MACHINE as MACHINE, runNames } from '../support/local-machines';

/** A machine whose executions stay RUNNING (a Wait of an hour) while the test runs. */
const WAITING: LocalStateMachine = {
  ...MACHINE,
  logicalId: 'Slow',
  name: 'Slow',
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Slow',
  definition: { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } } as never,
};

/** A machine whose one Task, bound to the function `Gate`, returns when the test opens the gate. */
const GATED: LocalStateMachine = {
  ...MACHINE,
  logicalId: 'Gated',
  name: 'Gated',
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Gated',
  definition: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Gate', End: true } } } as never,
  bindings: [{ stateName: 'Work', integration: 'lambda-arn', fn: { logicalId: 'Gate' } as LambdaSpec }],
};

/** The gate GATED's Task waits on: `open()` lets every waiting invocation return. */
function gate(): { invoke: (logicalId: string) => Promise<unknown>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { invoke: async (logicalId) => (logicalId === 'Gate' ? opened.then(() => ({})) : {}), open };
}

describe('FinishedRetention', () => {
  const retention = (histories: number, records: number) => {
    const forgotten: string[] = [];
    const kept = new FinishedRetention<{ name: string; history: number[] }>({ histories, records }, (e) => forgotten.push(e.name));
    return { kept, forgotten };
  };

  it('keeps the histories of the last `histories` to finish and empties older ones', () => {
    const { kept, forgotten } = retention(2, 10);
    const [a, b, c] = [
      { name: 'a', history: [1] },
      { name: 'b', history: [2] },
      { name: 'c', history: [3] },
    ];
    kept.finished(a);
    kept.finished(b);
    expect([a.history, b.history]).toEqual([[1], [2]]);
    kept.finished(c);
    expect([a.history, b.history, c.history]).toEqual([[], [2], [3]]);
    expect(forgotten).toEqual([]);
  });

  it('forgets the records of those that finished longest ago beyond `records`, earlier runs first, never the one finishing', () => {
    const { kept, forgotten } = retention(5, 2);
    kept.remember({ name: 'earlier', history: [] });
    const long = { name: 'long-wait', history: [1] };
    kept.finished({ name: 'a', history: [1] });
    kept.finished({ name: 'b', history: [1] });
    expect(forgotten).toEqual(['earlier']);
    // However early it started, the one finishing now is the newest to finish: it stays.
    kept.finished(long);
    expect(forgotten).toEqual(['earlier', 'a']);
    expect(long.history).toEqual([1]);
  });

  it('refuses limits that are not whole numbers, and a record limit that would forget the one finishing', () => {
    expect(() => retention(-1, 10)).toThrow(RangeError);
    expect(() => retention(1.5, 10)).toThrow(RangeError);
    expect(() => retention(1, 0)).toThrow(/record retention/);
    expect(() => retention(1, Number.NaN)).toThrow(/record retention/);
  });
});

describe('ExecutionManager history retention', () => {
  let manager: ExecutionManager | undefined;
  afterEach(() => manager?.close());

  /** A manager of the three machines (closed after the test), Lambda calls answering `{}` unless `more` says otherwise. */
  function newManager(historyRetention: number, more: Partial<ExecutionManagerOptions> = {}): ExecutionManager {
    manager = managerOf([MACHINE, WAITING, GATED], { historyRetention, ...more });
    return manager;
  }

  /** Runs MACHINE once under each name, one after another, each to SUCCEEDED. */
  async function runEach(m: ExecutionManager, names: readonly string[]): Promise<void> {
    for (const status of await runNames(m, MACHINE.arn, names)) expect(status).toBe('SUCCEEDED');
  }

  const listedNames = (m: ExecutionManager): string[] =>
    m
      .list()
      .map((r) => r.name)
      .sort();

  it('keeps the step history of the last N finished executions only, and every record', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `run-${i}`);
    const m = newManager(2);
    await runEach(m, names);

    const exited = (name: string) => exitedStates(m, name);
    expect(exited('run-5')).toEqual(['One', 'Two']);
    expect(exited('run-4')).toEqual(['One', 'Two']);
    for (const old of names.slice(0, 4)) expect(m.history(old)).toEqual([]);
    expect(listedNames(m)).toEqual(names);
    expect(m.describe(m.find('run-0')!.executionArn).status).toBe('SUCCEEDED');
  });

  it('keeps every history while fewer than N have finished', async () => {
    const m = newManager(200);
    await runEach(m, ['a', 'b', 'c']);
    for (const name of ['a', 'b', 'c']) expect(m.history(name).at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
  });

  it('forgets the records of the executions that finished longest ago beyond recordRetention, never a running or a just-finished one', async () => {
    const gated = gate();
    const m = newManager(200, { recordRetention: 3, invoke: gated.invoke });
    const waiting = m.start({ stateMachineArn: WAITING.arn, name: 'waiting', input: '{}' });
    const held = m.start({ stateMachineArn: GATED.arn, name: 'held', input: '{}' });
    await runEach(m, ['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(m.describe(held.executionArn).status).toBe('RUNNING');
    // Started before all of them, it finishes after them: its outcome is kept and seen.
    gated.open();
    expect((await m.wait('held', { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
    expect(m.describe(held.executionArn).status).toBe('SUCCEEDED');
    expect(listedNames(m)).toEqual(['held', 'r3', 'r4', 'waiting']);
    expect(() => m.describe(executionArnOf(MACHINE.arn, 'r2'))).toThrow(/does not exist/i);
    expect(m.describe(executionArnOf(MACHINE.arn, 'r3')).status).toBe('SUCCEEDED');
    expect(m.describe(waiting.executionArn).status).toBe('RUNNING');
    // A forgotten name can be used again, as after a restart once executions.json no longer lists it.
    await runEach(m, ['r0']);
  });

  it('counts an earlier run closed as interrupted at start as finished then, and forgets it in its turn', async () => {
    const stuck = executionRecord('stuck', { status: 'RUNNING', startDate: '2026-01-01T00:00:00.000Z' });
    const m = newManager(200, { previous: [stuck], recordRetention: 2 });
    // As closeInterruptedRuns does: the record is closed in place, outside the engine.
    Object.assign(m.interruptedRuns()[0]!.record, { status: 'ABORTED', stopDate: new Date().toISOString() });
    m.finishedOutside([stuck.executionArn]);
    await runEach(m, ['a', 'b']);
    expect(listedNames(m)).toEqual(['a', 'b']);
  });

  it("forgets an earlier run's records that finished first, whatever order executions.json lists them in", async () => {
    const record = (name: string, day: number) =>
      executionRecord(name, { startDate: `2026-01-0${day}T00:00:00.000Z`, stopDate: `2026-01-0${day}T00:00:01.000Z` });
    // Newest first, as a compacted executions.json lists the finished ones.
    const previous = [record('old-3', 3), record('old-2', 2), record('old-1', 1)];
    const m = newManager(200, { previous, recordRetention: 3 });
    await runEach(m, ['new-1']);
    expect(listedNames(m)).toEqual(['new-1', 'old-2', 'old-3']);
  });
});
