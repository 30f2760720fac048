import { randomUUID } from 'node:crypto';
import { AwsServiceError } from './aws-error';

/**
 * Step Functions' rules for StartExecution and DescribeExecution requests: what an execution name
 * and its input may be, the ARN an execution gets, and the error codes AWS answers a bad or unknown
 * ARN with. Pure checks, apart from executions.ts's bookkeeping, so the codes and messages AWS
 * clients rely on are in one place.
 */

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** The error StartExecution answers for a state machine ARN that names no machine here. */
export function unknownStateMachine(stateMachineArn: string): AwsServiceError {
  if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(stateMachineArn ?? ''))
    return new AwsServiceError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
  return new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
}

/** The error DescribeExecution answers for an execution ARN that names no execution here. */
export function unknownExecution(executionArn: string): AwsServiceError {
  if (!/^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/.test(executionArn ?? ''))
    return new AwsServiceError('InvalidArn', `Invalid Arn: '${executionArn}'`);
  return new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
}

/**
 * A StartExecution request's name (a random one when it has none) and input (text, and parsed).
 * Throws AwsServiceError InvalidName or InvalidExecutionInput as Step Functions does.
 */
export function checkStartRequest(request: { name?: string; input?: string }): { name: string; inputText: string; input: unknown } {
  const name = request.name ?? randomUUID();
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
  const inputText = request.input ?? '{}';
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch {
    throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'Unexpected token in JSON'`);
  }
  if (Buffer.byteLength(inputText) > 262_144)
    throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: input exceeds 256 KiB');
  return { name, inputText, input };
}

/** The ARN of the execution `name` of the state machine `stateMachineArn`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `arn:${stateMachineArn.slice('arn:'.length)}`.replace(':stateMachine:', ':execution:') + `:${name}`;
}
