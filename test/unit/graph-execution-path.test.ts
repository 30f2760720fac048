import { describe, expect, it } from 'vitest';
import { executionPath } from '../../lib/graph/execution-path';

const entered = (name: string, type = 'Task') => ({ type: `${type}StateEntered`, stateEnteredEventDetails: { name } });
const exited = (name: string, type = 'Task') => ({ type: `${type}StateExited`, stateExitedEventDetails: { name } });

describe('executionPath', () => {
  it('follows a finished execution: states in order, each transition once, ended at its last state', () => {
    const path = executionPath([
      { type: 'ExecutionStarted' },
      entered('A'),
      { type: 'TaskFailed' },
      exited('A'),
      entered('Wait', 'Wait'),
      exited('Wait', 'Wait'),
      entered('A'),
      exited('A'),
      entered('Done', 'Succeed'),
      exited('Done', 'Succeed'),
      { type: 'ExecutionSucceeded' },
    ]);
    expect(path).toEqual({
      visited: ['A', 'Wait', 'Done'],
      entries: { A: 2, Wait: 1, Done: 1 },
      taken: [
        { from: 'A', to: 'Wait' },
        { from: 'Wait', to: 'A' },
        { from: 'A', to: 'Done' },
      ],
      current: 'Done',
      status: 'SUCCEEDED',
    });
  });

  it('says where a running execution is: the state it entered and has not left', () => {
    const path = executionPath([{ type: 'ExecutionStarted' }, entered('A'), exited('A'), entered('Approve')]);
    expect(path).toMatchObject({ status: 'RUNNING', current: 'Approve', visited: ['A', 'Approve'] });
  });

  it('ends a failed execution at the Fail state it entered (which has no exit)', () => {
    const path = executionPath([entered('A'), exited('A'), entered('Record'), exited('Record'), entered('NotCompleted', 'Fail'), { type: 'ExecutionFailed' }]);
    expect(path).toMatchObject({ status: 'FAILED', current: 'NotCompleted' });
  });

  it('has no current state before the first state, and ignores events it does not know', () => {
    expect(executionPath([{ type: 'ExecutionStarted' }, { type: 'SomethingNew' }, {}])).toEqual({ visited: [], entries: {}, taken: [], status: 'RUNNING' });
  });
});
