import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '../../core/ports';
import type { ExecutionInput } from '../../core/workflow';

/** The ARN of execution `name` of a state machine (arn:...:stateMachine:M -> arn:...:execution:M:name). */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string } | null)?.name;
}

/**
 * {@link WorkflowStarter} on Step Functions. The execution name is the purchaseId, so a purchase
 * can only ever have one execution: Step Functions refuses a second one with the same name
 * (ExecutionAlreadyExists for a closed one or other input; a running one with the same input is
 * simply returned), and that refusal is reported as `alreadyExisted`, not as an error.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: ExecutionInput): Promise<{ executionArn: string; alreadyExisted: boolean }> {
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
      return { executionArn: out.executionArn, alreadyExisted: false };
    } catch (err) {
      if (errorName(err) !== 'ExecutionAlreadyExists') throw err;
      return { executionArn: executionArnFor(this.stateMachineArn, name), alreadyExisted: true };
    }
  }

  /** Status of an execution; undefined when Step Functions does not know it. */
  async describe(executionArn: string): Promise<{ status: string; startDate?: string; stopDate?: string } | undefined> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return {
        status: out.status ?? 'UNKNOWN',
        ...(out.startDate ? { startDate: new Date(out.startDate).toISOString() } : {}),
        ...(out.stopDate ? { stopDate: new Date(out.stopDate).toISOString() } : {}),
      };
    } catch (err) {
      if (errorName(err) === 'ExecutionDoesNotExist') return undefined;
      throw err;
    }
  }
}
