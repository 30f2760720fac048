import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  InvalidArn,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidName,
  InvalidToken,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AslDefinition } from '../../lib/local/asl-from-template';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import { ExecutionManager } from '../../lib/local/executions';
import type { StepEvent } from '../../lib/local/execution-engine-events';
import { FunctionDirectory, type LambdaSpec } from '../../lib/local/lambda-functions';
import { LambdaHost } from '../../lib/local/lambda-host';
import { sfnFacade } from '../../lib/local/sfn-facade';
import { bindTasks, withExplicitTaskTimeouts } from '../../lib/local/task-bindings';
import { TaskTokenBroker } from '../../lib/local/task-token-broker';
import { useEndpointEnv } from '../support/endpoint-env';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';

const WORK = `exports.handler = async (input) => {
  if (input.fail) { const e = new Error('vendor said no'); e.name = 'VendorRejectedError'; throw e; }
  return { amount: 42 };
};`;
// Hands the task token to the test through a file, as the real handler stores it in DynamoDB.
const NOTIFY = `const fs = require('node:fs'); const path = require('node:path');
exports.handler = async (payload) => { fs.writeFileSync(path.join(process.env.TOKEN_DIR, payload.id), payload.token); return { sent: true }; };`;

const arn = (id: string) => `arn:aws:lambda:us-east-1:123456789012:function:${id}0A1B2C3D`;
function definition(approvalTimeout: number): AslDefinition {
  return {
    StartAt: 'Work',
    States: {
      Work: { Type: 'Task', Resource: arn('Work'), ResultPath: '$.work', Next: 'Approve' },
      Approve: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: arn('Notify'), Payload: { 'token.$': '$$.Task.Token', 'id.$': '$$.Execution.Name' } },
        TimeoutSeconds: approvalTimeout,
        ResultPath: '$.decision',
        Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.failure', Next: 'WasRejected' }],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
      WasRejected: { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' },
    },
  };
}

describe('the Step Functions facade over the local engine', () => {
  let lambdas: TinyLambdas;
  let host: LambdaHost;
  let manager: ExecutionManager;
  let endpoint: AwsEndpoint;
  let restoreEnv: () => void;
  let sfn: SFNClient;
  let tokenDir: string;
  const steps: StepEvent[] = [];
  const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow';
  const QUICK = 'arn:aws:states:us-east-1:123456789012:stateMachine:Quick';

  // The Lambda writes the file in one call, but a read can still land between its creation and the
  // write (an empty token, seen once under load as a ValidationException): wait for its content.
  const tokenFor = async (name: string): Promise<string> => {
    const file = join(tokenDir, name);
    const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    for (let i = 0; i < 200 && read() === ''; i++) await new Promise((r) => setTimeout(r, 25));
    return read();
  };

  beforeAll(async () => {
    tokenDir = mkdtempSync(join(tmpdir(), 'procure-tokens-'));
    lambdas = tinyLambdas({ Work: { code: WORK }, Notify: { code: NOTIFY, env: { TOKEN_DIR: tokenDir } } });
    host = new LambdaHost(lambdas.functions);
    const specs: LambdaSpec[] = lambdas.functions.map((f) => ({ ...f.spec, runtime: 'nodejs24.x', rawEnvironment: {} }));
    const directory = new FunctionDirectory(specs);
    const machine = (name: string, timeout: number) => {
      const def = definition(timeout);
      const bindings = bindTasks(def, directory);
      return {
        logicalId: name,
        name,
        arn: `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`,
        roleArn: 'arn:aws:iam::123456789012:role/x',
        definition: withExplicitTaskTimeouts(def, bindings).definition,
        bindings,
      };
    };
    const broker = new TaskTokenBroker();
    const machines = [machine('Flow', 60), machine('Quick', 1)];
    manager = new ExecutionManager({ machines, invoke: (id, ev) => host.invoke(id, ev), broker, onStep: (e) => steps.push(e) });
    endpoint = await startAwsEndpoint({ sfn: sfnFacade(manager, broker, machines) });
    restoreEnv = useEndpointEnv({ AWS_ENDPOINT_URL_SFN: endpoint.url });
    sfn = new SFNClient({});
  });

  afterAll(async () => {
    sfn.destroy();
    restoreEnv();
    manager.close();
    await endpoint.close();
    await host.close();
    lambdas.remove();
    rmSync(tokenDir, { recursive: true, force: true });
  });

  it('StartExecution is idempotent for the same name and input while running, and a conflict otherwise', async () => {
    const input = JSON.stringify({ purchaseId: 'p-1' });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'p-1', input }));
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:Flow:p-1');
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'p-1', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    const other = await sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'p-1', input: '{"purchaseId":"x"}' })).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ExecutionAlreadyExists);
    expect((other as Error).message).toBe(`Execution Already Exists: '${first.executionArn}'`);

    // Finish it; afterwards even the same input is a conflict.
    const token = await tokenFor('p-1');
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'APPROVED' }) }));
    const done = await manager.wait('p-1');
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ purchaseId: 'p-1', work: { amount: 42 }, decision: { decision: 'APPROVED' } });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'p-1', input }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('answers TaskTimedOut for a used token and InvalidToken for a malformed one', async () => {
    const used = readFileSync(join(tokenDir, 'p-1'), 'utf8');
    const err = await sfn.send(new SendTaskSuccessCommand({ taskToken: used, output: '{}' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskTimedOut);
    expect((err as Error).message).toBe("Task Timed Out: 'Provided task does not exist anymore'");
    await expect(sfn.send(new SendTaskFailureCommand({ taskToken: used, error: 'X' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: used }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('validates names and state machines like Step Functions', async () => {
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'has space' }))).rejects.toBeInstanceOf(InvalidName);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'x'.repeat(81) }))).rejects.toBeInstanceOf(InvalidName);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: `${SM}Nope` }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('SendTaskFailure fails the task with the given error name, which Catch matches', async () => {
    await sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'p-2', input: '{}' }));
    const running = await sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Flow:p-2' }));
    expect(running.status).toBe('RUNNING');
    await sfn.send(new SendTaskFailureCommand({ taskToken: await tokenFor('p-2'), error: 'Rejected', cause: 'approver said no' }));
    await manager.wait('p-2');
    const failed = await sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'approver said no' });
    expect(failed.stopDate).toBeInstanceOf(Date);
  });

  it("surfaces a Lambda error as Error = the error's name and Cause = Lambda's error JSON", async () => {
    await sfn.send(new StartExecutionCommand({ stateMachineArn: SM, name: 'p-3', input: '{"fail":true}' }));
    const r = await manager.wait('p-3');
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('VendorRejectedError');
    const cause = JSON.parse(r.cause!) as { errorType: string; errorMessage: string; trace: string[] };
    expect(Object.keys(cause)).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(cause).toMatchObject({ errorType: 'VendorRejectedError', errorMessage: 'vendor said no' });
    expect(cause.trace[0]).toBe('VendorRejectedError: vendor said no');
  });

  it('times the callback out after the state TimeoutSeconds (States.Timeout), and the token is closed', async () => {
    await sfn.send(new StartExecutionCommand({ stateMachineArn: QUICK, name: 'p-4' }));
    const token = await tokenFor('p-4');
    const r = await manager.wait('p-4', { timeoutMs: 5000 });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('streams state steps with durations and outcomes', () => {
    const p1 = steps.filter((s) => s.executionName === 'p-1');
    expect(p1.map((s) => `${s.type}:${s.state ?? ''}`)).toEqual([
      'ExecutionStarted:',
      'StateEntered:Work',
      'StateExited:Work',
      'StateEntered:Approve',
      'StateExited:Approve',
      'StateEntered:Done',
      'StateExited:Done',
      'ExecutionSucceeded:',
    ]);
    expect(p1.find((s) => s.type === 'StateExited' && s.state === 'Approve')).toMatchObject({ outcome: 'succeeded', durationMs: expect.any(Number) });
    expect(steps.find((s) => s.executionName === 'p-3' && s.type === 'StateFailed')).toMatchObject({
      state: 'Work',
      outcome: 'failed',
      error: 'VendorRejectedError',
    });
  });

  it('GetExecutionHistory answers in AWS shapes, page by page, in either order', async () => {
    const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:Flow:p-1';
    const all = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(all.nextToken).toBeUndefined();
    const events = all.events!;
    expect(events.map((e) => `${e.type}:${e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? ''}`)).toEqual([
      'ExecutionStarted:',
      'TaskStateEntered:Work',
      'TaskStateExited:Work',
      'TaskStateEntered:Approve',
      'TaskStateExited:Approve',
      'SucceedStateEntered:Done',
      'SucceedStateExited:Done',
      'ExecutionSucceeded:',
    ]);
    expect(events.map((e) => [e.id, e.previousEventId])).toEqual(events.map((_, i) => [i + 1, i]));
    expect(events[0]!.timestamp).toBeInstanceOf(Date);
    expect(events[0]!.timestamp!.getTime()).toBe(steps.find((s) => s.executionName === 'p-1')!.timestamp);

    const paged: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, ...(nextToken ? { nextToken } : {}) }));
      expect(page.events!.length).toBeLessThanOrEqual(3);
      paged.push(...page.events!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged).toEqual(events);
    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    expect(reversed.events).toEqual([...events].reverse());
  });

  it('GetExecutionHistory shows a failed task and the failed execution, and refuses unknown executions and tokens', async () => {
    const failed = await sfn.send(new GetExecutionHistoryCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Flow:p-3' }));
    expect(failed.events!.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({ error: 'VendorRejectedError' });
    expect(failed.events!.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'VendorRejectedError' } });
    await expect(
      sfn.send(new GetExecutionHistoryCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Flow:nope' })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    const badToken = sfn.send(
      new GetExecutionHistoryCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Flow:p-1', nextToken: 'forged' }),
    );
    await expect(badToken).rejects.toBeInstanceOf(InvalidToken);
  });

  it('DescribeStateMachine answers ACTIVE with the definition for a machine of the template, StateMachineDoesNotExist otherwise', async () => {
    const flow = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: SM }));
    expect(flow).toMatchObject({ stateMachineArn: SM, name: 'Flow', status: 'ACTIVE', type: 'STANDARD', roleArn: 'arn:aws:iam::123456789012:role/x' });
    expect(JSON.parse(flow.definition!).StartAt).toBeTypeOf('string');
    expect(flow.creationDate).toBeInstanceOf(Date);
    const gone = sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Gone' }));
    await expect(gone).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' }))).rejects.toBeInstanceOf(InvalidArn);
  });
});

describe('ExecutionManager.close()', () => {
  it('ends every pending wait at once (no caller hangs, no timer keeps the process alive), and later waits too', async () => {
    const manager = new ExecutionManager({ machines: [], invoke: async () => ({}), broker: new TaskTokenBroker() });
    const pending = manager.wait('never-started', { timeoutMs: 60_000 });
    manager.close();
    await expect(pending).rejects.toThrow(/closed while waiting for execution never-started/);
    await expect(manager.wait('later', { timeoutMs: 60_000 })).rejects.toThrow(/closed while waiting/);
  });
});
