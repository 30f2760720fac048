import { describe, expect, it } from 'vitest';
import { describeFailure, failureReason } from '../../lambdas/core/failure';

describe('reading a caught Step Functions error', () => {
  it('takes the message out of a Lambda error cause written as JSON', () => {
    const cause = JSON.stringify({ errorType: 'BudgetExceededError', errorMessage: 'over the cap', trace: ['at x'] });
    expect(describeFailure({ Error: 'BudgetExceededError', Cause: cause })).toEqual({ error: 'BudgetExceededError', message: 'over the cap' });
  });

  it('keeps a plain-text cause as it is', () => {
    expect(describeFailure({ Error: 'States.Timeout', Cause: 'Task timed out' })).toEqual({ error: 'States.Timeout', message: 'Task timed out' });
  });

  it('copes with a missing failure, a missing cause and JSON that is not a Lambda error', () => {
    expect(describeFailure(undefined)).toEqual({ error: 'UnknownError', message: 'UnknownError' });
    expect(describeFailure({ Error: 'States.HeartbeatTimeout' })).toEqual({ error: 'States.HeartbeatTimeout', message: 'States.HeartbeatTimeout' });
    expect(describeFailure({ Error: 'X', Cause: '42' }).message).toBe('42');
  });

  it('writes a one-line reason naming the error', () => {
    expect(failureReason({ Error: 'States.Timeout' })).toBe('States.Timeout');
    expect(failureReason({ Error: 'E', Cause: '{"errorMessage":"m"}' })).toBe('E: m');
  });
});
