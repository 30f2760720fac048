import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { TaskClosedError } from '../../core/errors';
import type { TaskCallback } from '../../core/ports';

/** Step Functions answers for a token that can no longer be used (expired, already closed, garbage). */
const CLOSED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

async function sendOrClose(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const name = (err as { name?: string } | null)?.name ?? '';
    // The SDK's message does not contain the token, but say nothing more than the code anyway.
    if (CLOSED_TOKEN_ERRORS.has(name)) throw new TaskClosedError(`the approval task is no longer open (${name})`);
    throw err;
  }
}

/** {@link TaskCallback} on Step Functions (SendTaskSuccess / SendTaskFailure). */
export class SfnTaskCallback implements TaskCallback {
  constructor(private readonly client: SFNClient) {}

  async succeed(taskToken: string, output: Record<string, unknown>): Promise<void> {
    await sendOrClose(() => this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    await sendOrClose(() => this.client.send(new SendTaskFailureCommand({ taskToken, error, cause })));
  }
}
