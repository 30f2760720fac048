import { AwsServiceError } from './aws-error';
import type { JsonOperation } from './aws-endpoint';
import { historyEvents, historyPage } from './execution-history';
import type { ExecutionManager } from './executions';
import type { TaskTokenBroker } from './task-token-broker';

/**
 * The Step Functions operations procure's handlers call, answered from the local engine:
 * StartExecution, DescribeExecution, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat, and
 * GetExecutionHistory (what `procure graph --purchase` reads; execution-history.ts). Dates go out
 * as epoch seconds, as AWS-JSON does. The engine keeps step history in memory, so an execution
 * from before the runtime's last start answers with an empty history.
 */
export function sfnFacade(executions: ExecutionManager, broker: TaskTokenBroker): JsonOperation {
  return (operation, body) => {
    switch (operation) {
      case 'StartExecution': {
        const r = executions.start({
          stateMachineArn: str(body.stateMachineArn, 'stateMachineArn'),
          ...(body.name !== undefined ? { name: str(body.name, 'name') } : {}),
          ...(body.input !== undefined ? { input: str(body.input, 'input') } : {}),
        });
        return { executionArn: r.executionArn, startDate: r.startDate.getTime() / 1000 };
      }
      case 'DescribeExecution': {
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
      case 'GetExecutionHistory': {
        const executionArn = str(body.executionArn, 'executionArn');
        executions.describe(executionArn); // ExecutionDoesNotExist / InvalidArn, as AWS answers
        return historyPage(historyEvents(executions.history(executionArn)), body);
      }
      case 'SendTaskSuccess': {
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
      case 'SendTaskFailure': {
        const token = tokenOf(body);
        const error = body.error === undefined ? '' : str(body.error, 'error');
        const cause = body.cause === undefined ? '' : str(body.cause, 'cause');
        if (error.length > 256) throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256");
        if (cause.length > 32768) throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768");
        broker.sendTaskFailure(token, error, cause);
        return {};
      }
      case 'SendTaskHeartbeat':
        broker.sendTaskHeartbeat(tokenOf(body));
        return {};
      default:
        throw new AwsServiceError('UnknownOperationException', `the local Step Functions facade does not implement ${operation}`);
    }
  };
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  return v;
}

function tokenOf(body: Record<string, unknown>): string {
  const token = str(body.taskToken, 'taskToken');
  if (token.length < 1 || token.length > 2048) {
    throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048");
  }
  return token;
}
