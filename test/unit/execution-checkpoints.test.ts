import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore, type ExecutionCheckpoint } from '../../lib/local/execution-checkpoints';

const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:Procure-Purchase:${name}`;
const cp = (name: string, state: string, input: unknown = { purchaseId: name }): ExecutionCheckpoint => ({
  executionArn: arn(name),
  state,
  input: JSON.stringify(input),
  enteredAt: '2026-12-06T12:00:00.000Z',
});

describe('execution checkpoints on disk', () => {
  const dirs: string[] = [];
  const store = () => {
    const dir = mkdtempSync(join(tmpdir(), 'procure-checkpoints-'));
    dirs.push(dir);
    return new FileCheckpointStore(join(dir, 'checkpoints'));
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps the last state each execution entered, one private file per execution, gone when it ends', () => {
    const s = store();
    expect(s.loadAll()).toEqual(new Map());
    s.write(cp('a', 'PreparePurchase'));
    s.write(cp('b', 'AddToCart'));
    s.write(cp('a', 'RequestApproval', { purchaseId: 'a', quote: { amountUsd: 18 } }));
    const all = s.loadAll();
    expect([...all.keys()].sort()).toEqual([arn('a'), arn('b')]);
    expect(all.get(arn('a'))).toEqual(cp('a', 'RequestApproval', { purchaseId: 'a', quote: { amountUsd: 18 } }));
    const files = readdirSync(s.dir);
    expect(files).toHaveLength(2);
    for (const f of files) expect(statSync(join(s.dir, f)).mode & 0o777).toBe(0o600);
    expect(statSync(s.dir).mode & 0o777).toBe(0o700);
    // The file name is a hash: an execution name never becomes a path.
    expect(files.every((f) => /^[0-9a-f]{32}\.json$/.test(f))).toBe(true);

    s.remove(arn('a'));
    s.remove(arn('never-written'));
    expect([...s.loadAll().keys()]).toEqual([arn('b')]);
  });

  it('reports an unreadable checkpoint instead of trusting it, and drops a write cut off before its rename', () => {
    const s = store();
    s.write(cp('good', 'Checkout'));
    writeFileSync(join(s.dir, 'truncated.json'), '{"executionArn":"arn:aws:states');
    writeFileSync(join(s.dir, 'no-state.json'), JSON.stringify({ executionArn: arn('x'), input: '{}', enteredAt: 'now' }));
    writeFileSync(join(s.dir, 'bad-input.json'), JSON.stringify({ ...cp('y', 'Checkout'), input: '{not json' }));
    writeFileSync(join(s.dir, 'abc.json.123.tmp'), '{');
    const bad: string[] = [];
    const all = s.loadAll((file, reason) => bad.push(`${file.slice(s.dir.length + 1)}: ${reason}`));
    expect([...all.keys()]).toEqual([arn('good')]);
    expect(bad.sort()).toEqual([
      expect.stringMatching(/^bad-input\.json: /),
      'no-state.json: missing executionArn, state, input or enteredAt',
      expect.stringMatching(/^truncated\.json: /),
    ]);
    expect(readdirSync(s.dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
