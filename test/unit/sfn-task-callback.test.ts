import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnTaskCallback } from '../../lambdas/adapters/aws/sfn-task-callback';
import { TaskClosedError } from '../../lambdas/core/errors';
import { startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';

// Step Functions cannot run here: a loopback stub answers SendTaskSuccess/Failure like the service.
describe('SfnTaskCallback', () => {
  let stub: LoopbackAws;
  const closed = new Set<string>(['timed-out']);
  beforeAll(async () => {
    stub = await startLoopbackAws((req) => {
      const token = String(req.body.taskToken);
      if (token === 'garbage') return { errorType: 'InvalidToken', message: 'Invalid token' };
      if (closed.has(token)) return { errorType: 'TaskTimedOut', message: 'Task Timed Out' };
      if (token === 'throttled') return { errorType: 'ThrottlingException', message: 'Rate exceeded' };
      closed.add(token);
      return { body: {} };
    });
  });
  afterAll(async () => stub.close());

  const callback = () => new SfnTaskCallback(new SFNClient(stub.clientConfig()));

  it('sends the decision as JSON output with SendTaskSuccess', async () => {
    await callback().succeed('t-1', { decision: 'APPROVED', approver: 'a@b.c' });

    expect(stub.requests.at(-1)).toMatchObject({
      operation: 'SendTaskSuccess',
      body: { taskToken: 't-1', output: JSON.stringify({ decision: 'APPROVED', approver: 'a@b.c' }) },
    });
  });

  it('sends SendTaskFailure with error and cause', async () => {
    await callback().fail('t-2', 'ApprovalRejected', 'no');

    expect(stub.requests.at(-1)).toMatchObject({ operation: 'SendTaskFailure', body: { taskToken: 't-2', error: 'ApprovalRejected', cause: 'no' } });
  });

  it('reports a timed-out, already used or invalid token as TaskClosedError', async () => {
    await expect(callback().succeed('timed-out', {})).rejects.toBeInstanceOf(TaskClosedError);
    await expect(callback().succeed('t-1', {})).rejects.toBeInstanceOf(TaskClosedError);
    await expect(callback().succeed('garbage', {})).rejects.toBeInstanceOf(TaskClosedError);
  });

  it('passes other errors through so the caller can retry', async () => {
    await expect(callback().succeed('throttled', {})).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
