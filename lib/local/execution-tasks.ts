import { randomUUID } from 'node:crypto';
import { LambdaFunctionError } from './lambda-errors';
import type { TaskBinding } from './task-bindings';
import type { TaskTokenBroker } from './task-token-broker';

/**
 * How a Task state reaches its Lambda function, for each integration task-bindings.ts recognises:
 * the plain function ARN, `lambda:invoke` (its response envelope, and `InvocationType: Event`), and
 * `lambda:invoke.waitForTaskToken` through the TaskTokenBroker, with the context object whose
 * `$$.Task.Token` mints the tokens. Apart from executions.ts, which runs the engine: this is the one
 * place that knows the Lambda integrations' wire shapes.
 */

/** What a TaskRunner needs from the execution manager's options. */
interface TaskRunnerOptions {
  invoke: (logicalId: string, event: unknown) => Promise<unknown>;
  broker: TaskTokenBroker;
  log?: (line: string) => void;
}

/** The execution a Task runs in: its ARN, and the tokens minted for it and not yet claimed by a Task. */
interface TaskExecution {
  executionArn: string;
  minted: Set<string>;
}

/** Runs the Task states of every execution (one per ExecutionManager). */
export class TaskRunner {
  constructor(private readonly options: TaskRunnerOptions) {}

  /**
   * The context object (`$$`) the engine gives an execution's states; `$$.Task.Token` is minted
   * for this execution.
   */
  contextObject(machine: { arn: string; name: string; roleArn: string }, executionName: string, execution: TaskExecution): object {
    const broker = this.options.broker;
    return {
      Execution: { Id: execution.executionArn, Name: executionName, RoleArn: machine.roleArn, RedriveCount: 0 },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: {
        // Read once per state entry while the engine applies Parameters: a fresh token each time.
        get Token(): string {
          const token = broker.mint();
          execution.minted.add(token);
          return token;
        },
      },
    };
  }

  /** The engine's local handler of each bound Task state of an execution, by state name. */
  handlers(bindings: readonly TaskBinding[], execution: TaskExecution): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const b of bindings) handlers[b.stateName] = (taskInput) => this.run(b, execution, taskInput);
    return handlers;
  }

  /** The Task's result as the engine expects it; rejects with the error the Task fails with. */
  async run(binding: TaskBinding, execution: TaskExecution, input: unknown): Promise<unknown> {
    const fnId = binding.fn.logicalId;
    const params = (input ?? {}) as { Payload?: unknown; InvocationType?: string };
    if (binding.integration === 'lambda-arn') return this.invokeForTask(fnId, input);
    if (binding.integration === 'lambda-invoke') return this.lambdaInvoke(fnId, params);
    return this.waitForTaskToken(binding, execution, input, params);
  }

  /** `arn:aws:states:::lambda:invoke`: the function's result in the integration's response envelope. */
  private async lambdaInvoke(fnId: string, params: { Payload?: unknown; InvocationType?: string }): Promise<unknown> {
    if (params.InvocationType === 'Event') {
      this.invokeAsync(fnId, params.Payload ?? {});
      return { StatusCode: 202, Payload: '' };
    }
    const requestId = randomUUID();
    const payload = await this.invokeForTask(fnId, params.Payload ?? {});
    return {
      ExecutedVersion: '$LATEST',
      Payload: payload,
      SdkHttpMetadata: {
        HttpHeaders: { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
  }

  /** `.waitForTaskToken`: register the token minted for this entry, invoke, then await the callback. */
  private async waitForTaskToken(
    binding: TaskBinding,
    execution: TaskExecution,
    input: unknown,
    params: { Payload?: unknown; InvocationType?: string },
  ): Promise<unknown> {
    const fnId = binding.fn.logicalId;
    const token = findToken(params.Payload ?? input, execution.minted);
    if (token) execution.minted.delete(token);
    if (!token) this.options.log?.(`${binding.stateName}: the Payload carries no $$.Task.Token; the task can only time out`);
    // Without a token in the payload nobody can answer; an unreachable token still lets close() end the wait.
    const waitToken = token ?? this.options.broker.mint();
    const waiting = this.options.broker.wait(waitToken, {
      executionArn: execution.executionArn,
      stateName: binding.stateName,
      ...(binding.timeoutSeconds !== undefined ? { timeoutMs: binding.timeoutSeconds * 1000 } : {}),
      ...(binding.heartbeatSeconds !== undefined ? { heartbeatMs: binding.heartbeatSeconds * 1000 } : {}),
    });
    if (params.InvocationType === 'Event') {
      this.invokeAsync(fnId, params.Payload ?? {});
      return waiting;
    }
    try {
      await this.invokeForTask(fnId, params.Payload ?? {});
    } catch (err) {
      // The Invoke itself failed: the Task fails with the function's error (a later callback meets a closed token).
      this.options.broker.reject(waitToken, err as Error);
    }
    return waiting;
  }

  private async invokeForTask(fnId: string, event: unknown): Promise<unknown> {
    try {
      return await this.options.invoke(fnId, event);
    } catch (err) {
      throw toTaskError(err);
    }
  }

  private invokeAsync(fnId: string, event: unknown): void {
    this.options
      .invoke(fnId, event)
      .catch((err: unknown) => this.options.log?.(`async invoke of ${fnId} failed: ${(err as Error).name}: ${(err as Error).message}`));
  }
}

/** A Lambda error as Step Functions surfaces it: Error = errorType, Cause = the error payload JSON. */
export function toTaskError(err: unknown): Error {
  if (err instanceof LambdaFunctionError) return Object.assign(new Error(err.causeJson), { name: err.errorType });
  const e = err instanceof Error ? err : new Error(String(err));
  return Object.assign(new Error(e.message), { name: 'States.TaskFailed' });
}

/** The minted token a Task's processed input carries (anywhere in it). */
function findToken(value: unknown, minted: Set<string>): string | undefined {
  if (typeof value === 'string') return minted.has(value) ? value : undefined;
  if (value && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) {
      const t = findToken(v, minted);
      if (t) return t;
    }
  }
  return undefined;
}
