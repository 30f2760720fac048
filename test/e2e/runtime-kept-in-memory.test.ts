import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local';
import { FileExecutionStore } from '../../lib/local/execution-store';
import { startProcure, type E2e } from '../support/e2e-runtime';
import { startFixtureRuntime } from '../support/fixture-runtime';
import { phpEnvelope, postSoap } from '../support/interserver-soap';
import { executionRecord, useTempDirs } from '../support/local-machines';

/**
 * Issue 11, bullet 3: the runtime's `keptInMemory` bounds what it remembers of each kind (emitted
 * events, mails, whole execution records) and the vendor sandboxes' own logs; what a data folder
 * keeps on disk stays whole.
 */
describe('the local runtime keeps the latest `keptInMemory` of each kind in memory', () => {
  const tempDir = useTempDirs('procure-kept-'); // removed after the runtimes close (after-hooks run last registered first)
  let rt: LocalRuntime | undefined;
  let e2e: E2e | undefined;

  afterEach(async () => {
    await rt?.close();
    await e2e?.close();
    rt = undefined;
    e2e = undefined;
  });

  it('keeps only the latest two of three events when told 2', async () => {
    rt = await startFixtureRuntime({ keptInMemory: 2 });
    await rt.putEvents(['First', 'Second', 'Third'].map((DetailType) => ({ Source: 'test.kept', DetailType, Detail: {} })));
    expect(rt.emittedEvents.map((e) => e['detail-type'])).toEqual(['Second', 'Third']);
  });

  it.each([-1, 1.5])('refuses %s at start with a RangeError that names the option', async (kept) => {
    await expect(
      startFixtureRuntime({ keptInMemory: kept }).then((started) => {
        rt = started; // closed by afterEach should it start after all
      }),
    ).rejects.toThrow(/keptInMemory must be a whole number >= 0, not/);
  });

  it('has the InterServer sandbox keep as few of the requests it answered', async () => {
    e2e = await startProcure({ keptInMemory: 2, sandboxes: { cocalc: false } });
    const sandbox = e2e.rt.sandboxes.interserver!;
    for (let i = 0; i < 3; i += 1) await postSoap(sandbox, phpEnvelope('api_get_license_types', []));
    expect(sandbox.state.requests).toHaveLength(2);
  });

  it('writes every interrupted execution it closes at start as closed, more of them than it keeps whole', async () => {
    const dataDir = tempDir();
    // Records of a state machine the template no longer has: they cannot go on, and are closed.
    const running = (n: number) =>
      executionRecord(`stuck-${n}`, {
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:Gone:stuck-${n}`,
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Gone',
        status: 'RUNNING',
        startDate: new Date(Date.UTC(2026, 11, 1, 0, n)).toISOString(),
      });
    writeFileSync(join(dataDir, 'executions.json'), JSON.stringify({ version: 2, generation: 1, executions: [0, 1, 2].map(running) }));
    rt = await startFixtureRuntime({ inMemory: false, dataDir, keptInMemory: 1 });
    expect(rt.interrupted).toHaveLength(3);
    await rt.close();
    rt = undefined;
    const saved = new FileExecutionStore(join(dataDir, 'executions.json')).read();
    expect(saved.map((r) => [r.name, r.status]).sort()).toEqual([0, 1, 2].map((n) => [`stuck-${n}`, 'ABORTED']));
  });
});
