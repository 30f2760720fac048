import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionArchive } from '../../lib/local/execution-archive';
import { FileExecutionStore, type ExecutionRecord } from '../../lib/local/execution-store';
import type { ExecutionManager, LocalStateMachine } from '../../lib/local/executions';
import { executionRecord, executionsInMemory, managerOf, PASS_MACHINE, runNames, useTempDirs } from '../support/local-machines';

/** Echoes `$.n`, so each execution's output names it. */
const MACHINE: LocalStateMachine = {
  ...PASS_MACHINE,
  definition: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', Parameters: { 'echoed.$': '$.n' }, End: true } } } as never,
};

/**
 * Issue 11, bullet 3: with a data folder, memory keeps whole only the records of the executions
 * that finished last (`recordRetention`); older ones are read back from executions.json on a real
 * FileExecutionStore, with their input and output, and their names stay taken.
 */
describe('ExecutionManager with records kept on disk', () => {
  const tempDir = useTempDirs('procure-archive-');
  let manager: ExecutionManager | undefined;
  afterEach(() => manager?.close());

  const storeFile = (): string => join(tempDir(), 'executions.json');

  function newManager(store: FileExecutionStore, recordRetention?: number): ExecutionManager {
    manager?.close();
    manager = managerOf([MACHINE], { store, ...(recordRetention !== undefined ? { recordRetention } : {}) });
    return manager;
  }

  async function runEach(m: ExecutionManager, count: number, from = 0): Promise<void> {
    const names = Array.from({ length: count }, (_, i) => `run-${from + i}`);
    for (const status of await runNames(m, MACHINE.arn, names, (i) => JSON.stringify({ n: from + i }))) expect(status).toBe('SUCCEEDED');
  }

  const inMemory = (m: ExecutionManager): number => executionsInMemory(m).size;

  it('keeps the last `recordRetention` whole in memory and reads older ones from disk, input and output included', async () => {
    const m = newManager(new FileExecutionStore(storeFile()), 2);
    await runEach(m, 5);
    expect(inMemory(m)).toBe(2);
    expect(m.describe(m.find('run-0')!.executionArn)).toMatchObject({ name: 'run-0', status: 'SUCCEEDED', input: '{"n":0}', output: '{"echoed":0}' });
    expect(m.list().map((r) => [r.name, r.output])).toEqual([0, 1, 2, 3, 4].map((n) => [`run-${n}`, `{"echoed":${n}}`]));
    expect(await m.wait('run-1')).toMatchObject({ status: 'SUCCEEDED', output: '{"echoed":1}' });
  });

  it('keeps an archived name taken, before and after a restart', async () => {
    const store = new FileExecutionStore(storeFile());
    await runEach(newManager(store, 1), 3);
    expect(() => manager!.start({ stateMachineArn: MACHINE.arn, name: 'run-0', input: '{"n":0}' })).toThrow(/Execution Already Exists/);
    const again = newManager(new FileExecutionStore(store.file), 1);
    expect(inMemory(again)).toBe(1);
    expect(() => again.start({ stateMachineArn: MACHINE.arn, name: 'run-0', input: '{"n":0}' })).toThrow(/Execution Already Exists/);
    expect(again.find('run-0')).toMatchObject({ output: '{"echoed":0}' });
  });

  it('writes archived records whole when it rewrites executions.json', async () => {
    const store = new FileExecutionStore(storeFile());
    const m = newManager(store, 1);
    await runEach(m, 3);
    store.save(m.list());
    const written = (JSON.parse(readFileSync(store.file, 'utf8')) as { executions: ExecutionRecord[] }).executions;
    expect(written.map((r) => [r.name, r.input, r.output]).sort()).toEqual([0, 1, 2].map((n) => [`run-${n}`, `{"n":${n}}`, `{"echoed":${n}}`]));
  });

  it('keeps archived records whole through the compaction every 500 changes', async () => {
    const store = new FileExecutionStore(storeFile());
    const m = newManager(store, 1);
    await runEach(m, 260); // a start and a finish each: 520 changes, one compaction
    expect((JSON.parse(readFileSync(store.file, 'utf8')) as { generation: number }).generation).toBe(1);
    const onDisk = new FileExecutionStore(store.file).read();
    expect(onDisk).toHaveLength(260);
    expect(onDisk.every((r) => r.output === `{"echoed":${JSON.parse(r.input).n}}`)).toBe(true);
  });

  it('keeps whole in memory an execution whose outcome failed to save, so it never reads back as RUNNING', async () => {
    // A disk that refuses one write cannot be made here (the tests may run as root): the store refuses it.
    class RefusingStore extends FileExecutionStore {
      refusing = true;
      override saveOne(record: ExecutionRecord, all: () => ExecutionRecord[]): void {
        if (this.refusing && record.name === 'run-0' && record.status !== 'RUNNING') throw new Error('disk full');
        super.saveOne(record, all);
      }
    }
    const store = new RefusingStore(storeFile());
    const m = newManager(store, 1);
    const onDisk = () => new FileExecutionStore(store.file).read().find((r) => r.name === 'run-0')?.status;
    await runEach(m, 3);
    expect(onDisk()).toBe('RUNNING');
    expect(m.describe(m.find('run-0')!.executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"echoed":0}' });
    expect(inMemory(m)).toBe(2);
    // The next save the disk takes saves it again, so the disk stops telling it RUNNING (a restart would run it again).
    store.refusing = false;
    await runEach(m, 1, 3);
    expect(onDisk()).toBe('SUCCEEDED');
  });

  it('shares one read of the file among lookups, until a record joins the archive that the read does not hold finished', async () => {
    class CountingStore extends FileExecutionStore {
      reads = 0;
      override read(): ExecutionRecord[] {
        this.reads += 1;
        return super.read();
      }
    }
    const store = new CountingStore(storeFile());
    const m = newManager(store, 1);
    await runEach(m, 4);
    const before = store.reads;
    m.start({ stateMachineArn: MACHINE.arn, name: 'run-4', input: '{"n":4}' });
    for (const name of ['run-0', 'run-1', 'run-0']) expect(m.describe(name).status).toBe('SUCCEEDED'); // one read, run-4 RUNNING in it
    expect(store.reads - before).toBe(1);
    await m.wait('run-4', { timeoutMs: 10_000 });
    await runEach(m, 1, 5); // run-4 joins the archive
    expect(m.describe('run-4')).toMatchObject({ status: 'SUCCEEDED', output: '{"echoed":4}' });
    const reads = store.reads;
    expect(m.describe('run-1').status).toBe('SUCCEEDED');
    expect(store.reads).toBe(reads);
  });

  it('keeps 100 whole in memory by default with a store', async () => {
    const m = newManager(new FileExecutionStore(storeFile()));
    await runEach(m, 102);
    expect(inMemory(m)).toBe(100);
    expect(m.list()).toHaveLength(102);
  });
});

describe('ExecutionArchive', () => {
  const tempDir = useTempDirs('procure-archive-');

  it('forgets the oldest to finish beyond its limit, and finds a record by ARN or by name', () => {
    const store = new FileExecutionStore(join(tempDir(), 'executions.json'));
    const records = ['a', 'b', 'c'].map((name) => executionRecord(name, { input: `"${name}"` }));
    store.save(records);
    const archive = new ExecutionArchive(store, 2);
    for (const r of records) archive.add(r);
    expect(archive.has(records[0]!.executionArn)).toBe(false);
    expect(archive.read('a')).toBeUndefined();
    expect(archive.read('b')?.input).toBe('"b"');
    expect(archive.read(records[2]!.executionArn)?.input).toBe('"c"');
    expect(archive.records().map((r) => r.name)).toEqual(['b', 'c']);
  });

  it('tells which executions it forgets, for their histories to go with them', () => {
    const forgotten: string[] = [];
    const archive = new ExecutionArchive(new FileExecutionStore(join(tempDir(), 'executions.json')), 1, (arn) => forgotten.push(arn));
    archive.add(executionRecord('a'));
    archive.add(executionRecord('b'));
    expect(forgotten).toEqual([executionRecord('a').executionArn]);
  });
});
