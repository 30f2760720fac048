import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor, SfnWorkflowStarter } from '../../lambdas/adapters/aws/sfn-workflow-starter';
import type { ExecutionInput } from '../../lambdas/core/workflow';
import { startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';

// Step Functions cannot run here: a loopback stub speaks its AWS-JSON protocol so the real SDK
// client and the adapter's error mapping run unchanged.
const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine:procure';
const input = { purchaseId: 'pur-1', source: 'api', receivedAt: '2030-01-01T00:00:00.000Z', request: {} } as unknown as ExecutionInput;

describe('SfnWorkflowStarter', () => {
  let stub: LoopbackAws;
  const started = new Set<string>();
  beforeAll(async () => {
    stub = await startLoopbackAws((req) => {
      if (req.operation === 'StartExecution') {
        const name = String(req.body.name);
        if (started.has(name)) return { errorType: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${name}'` };
        started.add(name);
        return { body: { executionArn: executionArnFor(SM, name), startDate: 1893456000 } };
      }
      if (req.operation === 'DescribeExecution') {
        return String(req.body.executionArn).endsWith(':pur-1')
          ? { body: { executionArn: req.body.executionArn, status: 'RUNNING', startDate: 1893456000, stateMachineArn: SM } }
          : { errorType: 'ExecutionDoesNotExist' };
      }
      return { errorType: 'UnknownOperationException' };
    });
  });
  afterAll(async () => stub.close());

  it('starts an execution named after the purchase with the input as JSON', async () => {
    const starter = new SfnWorkflowStarter(new SFNClient(stub.clientConfig()), SM);

    const out = await starter.start('pur-1', input);

    expect(out).toEqual({ executionArn: `arn:aws:states:us-east-1:000000000000:execution:procure:pur-1`, alreadyExisted: false });
    expect(stub.requests.at(-1)?.body).toEqual({ stateMachineArn: SM, name: 'pur-1', input: JSON.stringify(input) });
  });

  it('reports an existing execution with that name instead of failing or starting another', async () => {
    const starter = new SfnWorkflowStarter(new SFNClient(stub.clientConfig()), SM);

    const out = await starter.start('pur-1', input);

    expect(out).toEqual({ executionArn: executionArnFor(SM, 'pur-1'), alreadyExisted: true });
  });

  it('describes a known execution and returns undefined for an unknown one', async () => {
    const starter = new SfnWorkflowStarter(new SFNClient(stub.clientConfig()), SM);

    expect(await starter.describe(executionArnFor(SM, 'pur-1'))).toEqual({ status: 'RUNNING', startDate: '2030-01-01T00:00:00.000Z' });
    expect(await starter.describe(executionArnFor(SM, 'pur-unknown'))).toBeUndefined();
  });
});
