import type { ExecutionInput } from './workflow';

// The platform services procure calls (part of core/ports.ts): events, the state machine's
// executions and task tokens, and secrets.

export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

export interface WorkflowStarter {
  /** StartExecution with a deterministic name; an existing execution is reported, not duplicated. */
  start(name: string, input: ExecutionInput): Promise<{ executionArn: string; alreadyExisted: boolean }>;
  describe(executionArn: string): Promise<{ status: string; startDate?: string; stopDate?: string } | undefined>;
}

export interface TaskCallback {
  /** Throws TaskClosedError when the token has expired or the task was already closed. */
  succeed(taskToken: string, output: Record<string, unknown>): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

export interface SecretsProvider {
  getString(secretId: string): Promise<string>;
  getJson<T = Record<string, unknown>>(secretId: string): Promise<T>;
}
