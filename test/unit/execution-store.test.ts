import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileExecutionStore, type ExecutionRecord } from '../../lib/local/execution-store';
import { useTempDirs } from '../support/local-machines';

const record = (name: string, status: ExecutionRecord['status'] = 'RUNNING'): ExecutionRecord => ({
  executionArn: `arn:aws:states:us-east-1:123456789012:execution:Procure-Purchase:${name}`,
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Procure-Purchase',
  name,
  status,
  input: JSON.stringify({ purchaseId: name }),
  startDate: '2026-12-06T12:00:00.000Z',
});

describe('execution records on disk: a snapshot and a change log', () => {
  const tempDir = useTempDirs('procure-executions-');
  const fresh = () => {
    const dir = tempDir();
    return { dir, store: new FileExecutionStore(join(dir, 'executions.json')) };
  };

  it('appends a change without rewriting the snapshot, and a new store sees the latest state of each record', () => {
    const { dir, store } = fresh();
    store.load();
    const all = [record('a'), record('b')];
    store.save(all);
    const snapshot = readFileSync(join(dir, 'executions.json'), 'utf8');
    store.saveOne({ ...all[0]!, status: 'SUCCEEDED' }, () => all);
    store.saveOne(record('c'), () => all);
    store.saveOne({ ...record('c'), status: 'FAILED' }, () => all);
    expect(readFileSync(join(dir, 'executions.json'), 'utf8')).toBe(snapshot);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['executions.1.log']);
    expect(statSync(join(dir, 'executions.1.log')).mode & 0o777).toBe(0o600);

    const loaded = new FileExecutionStore(join(dir, 'executions.json')).load();
    expect(Object.fromEntries(loaded.map((r) => [r.name, r.status]))).toEqual({ a: 'SUCCEEDED', b: 'RUNNING', c: 'FAILED' });
  });

  it('ignores a line torn by a crash mid-append, and a log whose generation the snapshot does not name', () => {
    const { dir, store } = fresh();
    store.load();
    store.save([record('a')]);
    store.saveOne({ ...record('a'), status: 'SUCCEEDED' }, () => []);
    appendFileSync(join(dir, 'executions.1.log'), '{"executionArn":"arn:aws:states:us-east-1:1:execution:x:torn","sta');
    // A compaction that crashed after writing generation 1's snapshot left generation 0's log behind.
    writeFileSync(join(dir, 'executions.0.log'), `${JSON.stringify(record('a', 'ABORTED'))}\n`);
    const loaded = new FileExecutionStore(join(dir, 'executions.json')).load();
    expect(loaded.map((r) => [r.name, r.status])).toEqual([['a', 'SUCCEEDED']]);
  });

  it('writes the records whole again after 500 changes, under a new generation, and drops the old log', () => {
    const { dir, store } = fresh();
    store.load();
    const all: ExecutionRecord[] = [];
    for (let i = 0; i < 501; i++) {
      const r = record(`p${i}`, 'SUCCEEDED');
      all.push(r);
      store.saveOne(r, () => all);
    }
    // 500 appended to generation 0's log; the 501st wrote every record as generation 1.
    expect(existsSync(join(dir, 'executions.0.log'))).toBe(false);
    const snapshot = JSON.parse(readFileSync(join(dir, 'executions.json'), 'utf8')) as { generation: number; executions: unknown[] };
    expect(snapshot.generation).toBe(1);
    expect(snapshot.executions).toHaveLength(501);
    store.saveOne(record('late'), () => all);
    expect(readFileSync(join(dir, 'executions.1.log'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(new FileExecutionStore(join(dir, 'executions.json')).load()).toHaveLength(502);
  });

  it('reads a snapshot written before the change log existed (no generation) as generation 0', () => {
    const { dir } = fresh();
    writeFileSync(join(dir, 'executions.json'), JSON.stringify({ version: 1, executions: [record('old', 'SUCCEEDED')] }));
    const store = new FileExecutionStore(join(dir, 'executions.json'));
    expect(store.load().map((r) => r.name)).toEqual(['old']);
    store.saveOne(record('new'), () => []);
    expect(existsSync(join(dir, 'executions.0.log'))).toBe(true);
  });

  it('keeps every RUNNING record however old, and the 2,000 finished ones that finished last, when it trims', () => {
    const { dir, store } = fresh();
    store.load();
    const waiting = { ...record('waiting-for-days'), startDate: '2026-11-01T00:00:00.000Z' };
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 6) + ms).toISOString();
    const finished = Array.from({ length: 1_998 }, (_, i) => ({ ...record(`done-${i}`, 'SUCCEEDED'), startDate: at(i), stopDate: at(10_000 + i) }));
    // Started before all of them, it finished after all of them (a long wait for an approval).
    const late = { ...record('late', 'SUCCEEDED'), startDate: at(-100_000), stopDate: at(5_000_000) };
    // Stopped at 2.5 s, and at 2 s written without milliseconds: as times, `plain` finished first
    // (as text, `…02Z` sorts after `…02.500Z`).
    const half = { ...record('half', 'SUCCEEDED'), startDate: at(0), stopDate: at(2_500) };
    const plain = { ...record('plain', 'SUCCEEDED'), startDate: at(0), stopDate: at(2_000).replace('.000Z', 'Z') };
    store.save([waiting, late, half, plain, ...finished]);
    const names = new FileExecutionStore(join(dir, 'executions.json')).load().map((r) => r.name);
    expect(names).toHaveLength(2_001);
    expect(names).toEqual(expect.arrayContaining(['waiting-for-days', 'late', 'half', 'done-0', 'done-1997']));
    expect(names).not.toContain('plain');
  });
});
