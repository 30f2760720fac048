import { describe, expect, it } from 'vitest';
import type { DynamoCall } from '../../lib/local';
import { attributeCalls, callsByOperation, connectionOwners, countTransitions, OUTSIDE, stateOfInvocation, unionMs, type Span } from '../../bench/path-meter';

const call = (at: number, connection: number, operation = 'GetItem'): DynamoCall => ({ operation, tables: ['t'], items: 1, at, connection });

describe('countTransitions', () => {
  it('bills every state entered and every retry, and tells the routing states apart', () => {
    const steps = [
      { type: 'ExecutionStarted' },
      { type: 'StateEntered', stateType: 'Task' },
      { type: 'StateRetried', stateType: 'Task' },
      { type: 'StateExited', stateType: 'Task' },
      { type: 'StateEntered', stateType: 'Choice' },
      { type: 'StateExited', stateType: 'Choice' },
      { type: 'StateEntered', stateType: 'Pass' },
      { type: 'StateEntered', stateType: 'Succeed' },
      { type: 'ExecutionSucceeded' },
    ];
    expect(countTransitions(steps)).toEqual({ total: 5, routing: 2, retries: 1 });
  });

  it('counts nothing for an execution that never entered a state', () => {
    expect(countTransitions([{ type: 'ExecutionStarted' }, { type: 'ExecutionFailed' }])).toEqual({ total: 0, routing: 0, retries: 0 });
  });
});

describe('attributing DynamoDB calls to invocations', () => {
  const spans: Span[] = [
    { fn: 'Intake', label: 'Intake', from: 0, to: 30 },
    { fn: 'PreparePurchase', label: 'PreparePurchase', from: 20, to: 50 },
  ];

  it('gives a connection to the one function in flight at all of its calls', () => {
    const owners = connectionOwners([call(10, 1), call(25, 1), call(25, 2), call(40, 2)], spans);
    expect([...owners]).toEqual([
      [1, 'Intake'],
      [2, 'PreparePurchase'],
    ]);
  });

  it('gives no owner to a connection whose calls all overlapped the same functions', () => {
    expect(connectionOwners([call(22, 3), call(28, 3)], spans).size).toBe(0);
  });

  it('labels a call by its connection owner when invocations overlap, by all of them when none is known, and outside otherwise', () => {
    const calls = [call(25, 1), call(25, 2), call(26, 9), call(60, 1)];
    const groups = attributeCalls(
      calls,
      spans,
      new Map([
        [1, 'Intake'],
        [2, 'PreparePurchase'],
      ]),
    );
    expect(Object.fromEntries([...groups].map(([label, list]) => [label, list.map((c) => c.at)]))).toEqual({
      Intake: [25],
      PreparePurchase: [25],
      'Intake | PreparePurchase': [26],
      [OUTSIDE]: [60],
    });
  });
});

describe('stateOfInvocation', () => {
  const tasks = { RecordCompleted: 'RecordOutcome', RecordNotCompleted: 'RecordOutcome', PreparePurchase: 'PreparePurchase' };
  const steps = [
    { type: 'StateEntered', state: 'PreparePurchase', timestamp: 100 },
    { type: 'StateEntered', state: 'RecordNotCompleted', timestamp: 200 },
    { type: 'StateRetried', state: 'PreparePurchase', timestamp: 300 },
  ];

  it('names the latest state entered for the function before the invocation', () => {
    expect(stateOfInvocation(tasks, steps, 'RecordOutcome', 250.4)).toBe('RecordNotCompleted');
    expect(stateOfInvocation(tasks, steps, 'PreparePurchase', 150)).toBe('PreparePurchase');
    // Step times are whole milliseconds: an entry stamped just after the invocation's start still counts.
    expect(stateOfInvocation(tasks, steps, 'PreparePurchase', 299.5)).toBe('PreparePurchase');
  });

  it('names nothing for a function no state calls, or before its state was entered', () => {
    expect(stateOfInvocation(tasks, steps, 'Intake', 500)).toBeUndefined();
    expect(stateOfInvocation(tasks, steps, 'RecordOutcome', 150)).toBeUndefined();
  });
});

describe('unionMs', () => {
  it('counts overlapping intervals once and skips empty ones', () => {
    expect(
      unionMs([
        [0, 10],
        [5, 15],
        [20, 22],
        [21, 21.5],
        [30, 30],
      ]),
    ).toBe(17);
  });
});

describe('callsByOperation', () => {
  it('counts calls per operation, most first', () => {
    expect(callsByOperation([call(0, 1, 'PutItem'), call(0, 1, 'GetItem'), call(0, 1, 'PutItem')])).toEqual([
      ['PutItem', 2],
      ['GetItem', 1],
    ]);
  });
});
