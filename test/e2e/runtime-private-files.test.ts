import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeInfo, writeRuntimeInfo } from '../../lib/cli/runtime-file';
import type { LocalRuntime } from '../../lib/local';
import { startFixtureRuntime, waitForMails } from '../support/fixture-runtime';

/** Every path under `dir` (itself included) with its permission bits. */
function modes(dir: string): Array<{ path: string; dir: boolean; mode: number }> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    out.push({ path: p, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

/**
 * Issue 9, bullet 4: the data folder is private to the runtime's user whatever the umask: folders
 * 0700, files 0600 (secrets, runtime.json, outbox mails, execution records, DynamoDB files, lock),
 * and a folder left looser by an earlier run is tightened at start, with a log line.
 */
describe('the local runtime data folder under umask 000', () => {
  const root = mkdtempSync(join(tmpdir(), 'procure-private-'));
  const dataDir = join(root, 'data');
  const logs: string[] = [];
  let rt: LocalRuntime | undefined;
  let umask: number;

  beforeAll(async () => {
    umask = process.umask(0);
    // An earlier run's leftovers, world-readable.
    mkdirSync(join(dataDir, 'outbox'), { recursive: true, mode: 0o777 });
    chmodSync(dataDir, 0o777);
    chmodSync(join(dataDir, 'outbox'), 0o777);
    writeFileSync(join(dataDir, 'outbox', 'old.eml'), 'Subject: old\r\n\r\nhttp://127.0.0.1/approvals/x\r\n', { mode: 0o666 });
    rt = await startFixtureRuntime({ inMemory: false, dataDir, log: (l) => logs.push(l) });
    const put = rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: { purchaseId: 'pur-private' } }]);
    expect(put.FailedEntryCount).toBe(0);
    await waitForMails(rt, 1);
    writeRuntimeInfo({ apiUrl: rt.apiUrl, pid: process.pid }, dataDir);
  });

  afterAll(async () => {
    await rt?.close();
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('tightens the folder an earlier run left open, and says so', () => {
    expect(logs.some((l) => l.startsWith('data dir: tightened 3 path(s)'))).toBe(true);
    expect(statSync(join(dataDir, 'outbox', 'old.eml')).mode & 0o777).toBe(0o600);
  });

  it('keeps every folder 0700 and every file 0600 while running', () => {
    const all = modes(dataDir);
    const names = all.map((m) => m.path.slice(dataDir.length + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        'secrets.json',
        'runtime.json',
        'runtime.lock',
        'executions.json',
        'dynamo',
        'outbox',
        'events',
        join('events', 'journal.jsonl'),
      ]),
    );
    expect(all.filter((m) => !m.dir && m.path.endsWith('.eml')).length).toBeGreaterThanOrEqual(2);
    expect(all.filter((m) => !m.dir && m.path.startsWith(join(dataDir, 'dynamo'))).length).toBeGreaterThan(0);
    const loose = all.filter((m) => m.mode !== (m.dir ? 0o700 : 0o600)).map((m) => `${m.path} ${m.mode.toString(8)}`);
    expect(loose).toEqual([]);
    expect(readRuntimeInfo(dataDir).apiUrl).toBe(rt!.apiUrl);
  });

  it('gives the process its umask back when the runtime closes', async () => {
    await rt!.close();
    rt = undefined;
    expect(process.umask(0)).toBe(0);
    const all = modes(dataDir);
    expect(all.filter((m) => m.mode !== (m.dir ? 0o700 : 0o600)).map((m) => m.path)).toEqual([]);
  });
});
