import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionStatusReader } from '../../core/reconcile-deps';
import { executionArnFor } from './sfn-workflow-starter';

/**
 * {@link ExecutionStatusReader} on Step Functions' DescribeExecution (the only Step Functions
 * call the reconciler makes). A purchase's execution is named after it, so a record without an
 * `executionArn` is looked up by the ARN that name would have.
 */
export class SfnExecutionReader implements ExecutionStatusReader {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async statusOf(purchaseId: string, executionArn?: string): Promise<string> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn: executionArn ?? executionArnFor(this.stateMachineArn, purchaseId) }));
      return out.status ?? 'UNKNOWN';
    } catch (err) {
      if ((err as { name?: string } | null)?.name === 'ExecutionDoesNotExist') return 'MISSING';
      throw err;
    }
  }
}
