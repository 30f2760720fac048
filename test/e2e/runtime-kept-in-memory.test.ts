import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local';
import { startFixtureRuntime } from '../support/fixture-runtime';

/** Issue 11, bullet 3: the runtime's `keptInMemory` bounds the emitted events it remembers (and mails and histories with them). */
describe('the local runtime keeps the latest `keptInMemory` events in memory', () => {
  let rt: LocalRuntime | undefined;

  afterAll(async () => {
    await rt?.close();
  });

  it('keeps only the latest two of three events when told 2', async () => {
    rt = await startFixtureRuntime({ keptInMemory: 2 });
    await rt.putEvents(['First', 'Second', 'Third'].map((DetailType) => ({ Source: 'test.kept', DetailType, Detail: {} })));
    expect(rt.emittedEvents.map((e) => e['detail-type'])).toEqual(['Second', 'Third']);
  });

  it.each([-1, 1.5])('refuses %s at start with a RangeError that names the option', async (kept) => {
    await expect(startFixtureRuntime({ keptInMemory: kept })).rejects.toThrow(/keptInMemory must be a whole number >= 0, not/);
  });
});
