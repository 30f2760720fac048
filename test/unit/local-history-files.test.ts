import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lib/local/execution-start-rules';
import { arnFileStem } from '../../lib/local/execution-checkpoints';
import type { StepEvent } from '../../lib/local/execution-engine-events';
import { FileExecutionStore } from '../../lib/local/execution-store';
import type { ExecutionManager } from '../../lib/local/executions';
import { HistoryFiles } from '../../lib/local/history-files';
import { executionsInMemory, exitedStates, managerOf, PASS_MACHINE, runNames, useTempDirs } from '../support/local-machines';

const step = (executionArn: string, type: string): StepEvent => ({ executionArn, executionName: 'n', type, timestamp: 1 });

/** Issue 11, bullet 3: with a data folder, step histories are kept on disk, not in memory, and outlive a restart. */
describe('step histories on disk', () => {
  const tempDir = useTempDirs('procure-histories-');
  let manager: ExecutionManager | undefined;
  afterEach(() => {
    manager?.close();
    manager = undefined;
  });

  it('appends steps, reads them back in order skipping a line torn by a crash (the next step not glued to it), and removes them', () => {
    const files = new HistoryFiles(join(tempDir(), 'histories'));
    expect(files.read('arn:a')).toEqual([]);
    files.append(step('arn:a', 'ExecutionStarted'));
    appendFileSync(join(files.dir, `${arnFileStem('arn:a')}.jsonl`), '{"executionArn":"arn:a","ty'); // a crash mid-append
    const reopened = new HistoryFiles(files.dir); // the next start appends after it
    reopened.append(step('arn:a', 'StateEntered'));
    reopened.append(step('arn:a', 'ExecutionSucceeded'));
    files.append(step('arn:b', 'ExecutionStarted'));
    expect(files.read('arn:a').map((s) => s.type)).toEqual(['ExecutionStarted', 'StateEntered', 'ExecutionSucceeded']);
    files.remove('arn:a');
    expect(files.read('arn:a')).toEqual([]);
    expect(files.read('arn:b')).toHaveLength(1);
  });

  it('keeps only the histories of the executions it is told of', () => {
    const files = new HistoryFiles(join(tempDir(), 'histories'));
    for (const arn of ['arn:a', 'arn:b', 'arn:c']) files.append(step(arn, 'ExecutionStarted'));
    files.keepOnly(['arn:b']);
    expect(readdirSync(files.dir)).toEqual([`${arnFileStem('arn:b')}.jsonl`]);
  });

  it("serves every kept execution's history from disk, keeps none in memory, and serves it again after a restart", async () => {
    const dir = tempDir();
    const start = (): ExecutionManager => {
      const store = new FileExecutionStore(join(dir, 'executions.json'));
      manager = managerOf([PASS_MACHINE], { store, histories: new HistoryFiles(join(dir, 'histories')), recordRetention: 1 });
      return manager;
    };
    const m = start();
    await runNames(m, PASS_MACHINE.arn, ['first', 'second']);
    const exited = (name: string) => exitedStates(manager!, name);
    expect(exited('first')).toEqual(['One', 'Two']); // archived: its record is on disk only
    expect(exited('second')).toEqual(['One', 'Two']);
    const inMemory = executionsInMemory(manager!);
    expect([...inMemory.values()].every((e) => e.history.length === 0)).toBe(true);
    m.close();
    start();
    expect(exited('first')).toEqual(['One', 'Two']);
    expect(manager!.history('second').at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
    expect(manager!.history('unknown')).toEqual([]);
  });

  it('starts a fresh execution with a history of its own, whatever a file left under its ARN holds', async () => {
    const dir = tempDir();
    const files = new HistoryFiles(join(dir, 'histories'));
    const arn = executionArnOf(PASS_MACHINE.arn, 'again');
    files.append(step(arn, 'ExecutionStarted')); // left by an earlier execution of that name that the records no longer keep
    files.append(step(arn, 'ExecutionFailed'));
    manager = managerOf([PASS_MACHINE], { store: new FileExecutionStore(join(dir, 'executions.json')), histories: files });
    manager.start({ stateMachineArn: PASS_MACHINE.arn, name: 'again', input: '{}' });
    await manager.wait('again', { timeoutMs: 10_000 });
    const types = manager.history('again').map((s) => s.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types).not.toContain('ExecutionFailed');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
  });
});
