import { AwsServiceError } from './aws-error';
import type { JsonOperation } from './aws-endpoint';
import { historyEvents, historyPage } from './execution-history';
import type { ExecutionManager, LocalStateMachine } from './executions';
import type { TaskTokenBroker } from './task-token-broker';

/**
 * The Step Functions operations procure's handlers call, answered from the local engine:
 * StartExecution, DescribeExecution, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat,
 * GetExecutionHistory (what `procure graph --purchase` reads; execution-history.ts) and
 * DescribeStateMachine (what `procure doctor` reads, of `machines`). Dates go out
 * as epoch seconds, as AWS-JSON does. The engine keeps step history in memory, so an execution
 * from before the runtime's last start answers with an empty history.
 */
export function sfnFacade(executions: ExecutionManager, broker: TaskTokenBroker, machines: readonly LocalStateMachine[] = []): JsonOperation {
  const createdAt = Date.now() / 1000;
  return (operation, body) => {
    switch (operation) {
      case 'DescribeStateMachine':
        return describeStateMachine(machines, str(body.stateMachineArn, 'stateMachineArn'), createdAt);
      case 'StartExecution': {
        const r = executions.start({
          stateMachineArn: str(body.stateMachineArn, 'stateMachineArn'),
          ...(body.name !== undefined ? { name: str(body.name, 'name') } : {}),
          ...(body.input !== undefined ? { input: str(body.input, 'input') } : {}),
        });
        return { executionArn: r.executionArn, startDate: r.startDate.getTime() / 1000 };
      }
      case 'DescribeExecution':
        return describeExecution(executions, body);
      case 'GetExecutionHistory': {
        const executionArn = str(body.executionArn, 'executionArn');
        executions.describe(executionArn); // ExecutionDoesNotExist / InvalidArn, as AWS answers
        return historyPage(historyEvents(executions.history(executionArn)), body);
      }
      case 'SendTaskSuccess':
        return sendTaskSuccess(broker, body);
      case 'SendTaskFailure':
        return sendTaskFailure(broker, body);
      case 'SendTaskHeartbeat':
        broker.sendTaskHeartbeat(tokenOf(body));
        return {};
      default:
        throw new AwsServiceError('UnknownOperationException', `the local Step Functions facade does not implement ${operation}`);
    }
  };
}

/** DescribeExecution's answer: the execution as AWS-JSON shows it (never redriven locally). */
function describeExecution(executions: ExecutionManager, body: Record<string, unknown>): Record<string, unknown> {
  const r = executions.describe(str(body.executionArn, 'executionArn'));
  return {
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    name: r.name,
    status: r.status,
    startDate: Date.parse(r.startDate) / 1000,
    ...(r.stopDate ? { stopDate: Date.parse(r.stopDate) / 1000 } : {}),
    input: r.input,
    inputDetails: { included: true },
    ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.cause !== undefined ? { cause: r.cause } : {}),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

/** SendTaskSuccess: the output must be JSON, as AWS requires. */
function sendTaskSuccess(broker: TaskTokenBroker, body: Record<string, unknown>): Record<string, never> {
  const token = tokenOf(body);
  const text = str(body.output, 'output');
  let output: unknown;
  try {
    output = JSON.parse(text);
  } catch {
    throw new AwsServiceError('InvalidOutput', `Invalid Output: 'output is not valid JSON'`);
  }
  broker.sendTaskSuccess(token, output);
  return {};
}

/** SendTaskFailure, with AWS's length limits on the error and the cause. */
function sendTaskFailure(broker: TaskTokenBroker, body: Record<string, unknown>): Record<string, never> {
  const token = tokenOf(body);
  const error = body.error === undefined ? '' : str(body.error, 'error');
  const cause = body.cause === undefined ? '' : str(body.cause, 'cause');
  if (error.length > 256)
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  if (cause.length > 32768)
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768",
    );
  broker.sendTaskFailure(token, error, cause);
  return {};
}

/** AWS's answer for a machine of the template (always ACTIVE locally: it exists while the runtime runs). */
function describeStateMachine(machines: readonly LocalStateMachine[], arn: string, creationDate: number): Record<string, unknown> {
  if (!/^arn:[^:]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(arn))
    throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn.slice(0, 200)}'`);
  const m = machines.find((x) => x.arn === arn);
  if (!m) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return {
    stateMachineArn: m.arn,
    name: m.name,
    status: 'ACTIVE',
    definition: JSON.stringify(m.definition),
    roleArn: m.roleArn,
    type: 'STANDARD',
    creationDate,
  };
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string')
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  return v;
}

function tokenOf(body: Record<string, unknown>): string {
  const token = str(body.taskToken, 'taskToken');
  if (token.length < 1 || token.length > 2048) {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
  }
  return token;
}
