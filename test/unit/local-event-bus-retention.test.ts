import { describe, expect, it } from 'vitest';
import { EventBus } from '../../lib/local/event-bus';

describe('EventBus emitted events', () => {
  const busWith = (emittedRetention?: number) =>
    new EventBus({
      rules: [],
      region: 'us-east-1',
      accountId: '123456789012',
      invokeAsync: async () => ({}),
      startExecution: () => {},
      ...(emittedRetention !== undefined ? { emittedRetention } : {}),
    });
  const put = (bus: EventBus, n: number) => {
    for (let i = 0; i < n; i += 1) bus.putEvents([{ Source: 'bench', DetailType: `E${i}`, Detail: '{}' }]);
  };

  it('keeps only the latest `emittedRetention` events, oldest first', () => {
    const bus = busWith(3);
    put(bus, 5);
    expect(bus.emitted.map((e) => e['detail-type'])).toEqual(['E2', 'E3', 'E4']);
  });

  it('keeps 100 by default: the 101st event pushes out the first', () => {
    const bus = busWith();
    put(bus, 100);
    expect(bus.emitted).toHaveLength(100);
    put(bus, 1);
    expect(bus.emitted).toHaveLength(100);
    expect(bus.emitted[0]?.['detail-type']).toBe('E1');
    expect(bus.emitted.at(-1)?.['detail-type']).toBe('E0');
  });
});
