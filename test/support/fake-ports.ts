import { TaskClosedError } from '../../lambdas/core/errors';
import type { Mail, Mailer, TaskCallback, WorkflowStarter } from '../../lambdas/core/ports';
import type { ExecutionInput } from '../../lambdas/core/workflow';

/**
 * In-memory fakes of the PORTS for Step Functions and SES, which cannot run in unit tests. They
 * mimic the service rules the code relies on (one execution per name; a task token accepts one
 * answer) so the tests exercise procure's logic; the real SDK adapters are covered by their own
 * tests against a loopback stub, and end to end by the local runtime.
 */

/** WorkflowStarter fake: one execution per name, like Step Functions. */
export class FakeWorkflowStarter implements WorkflowStarter {
  readonly executions = new Map<string, { executionArn: string; input: ExecutionInput }>();
  readonly calls: string[] = [];
  failNext?: Error;

  async start(name: string, input: ExecutionInput): Promise<{ executionArn: string; alreadyExisted: boolean }> {
    this.calls.push(name);
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    const existing = this.executions.get(name);
    if (existing) return { executionArn: existing.executionArn, alreadyExisted: true };
    const executionArn = `arn:aws:states:us-east-1:000000000000:execution:procure:${name}`;
    this.executions.set(name, { executionArn, input });
    return { executionArn, alreadyExisted: false };
  }

  async describe(executionArn: string): Promise<{ status: string } | undefined> {
    return [...this.executions.values()].some((e) => e.executionArn === executionArn) ? { status: 'RUNNING' } : undefined;
  }
}

/** TaskCallback fake: a token takes one answer; later ones (or closed tokens) get TaskClosedError. */
export class FakeTaskCallback implements TaskCallback {
  /** Answers Step Functions accepted, in order. */
  readonly delivered: Array<{ taskToken: string; output?: Record<string, unknown>; error?: string }> = [];
  /** Every call, accepted or not. */
  calls = 0;
  private readonly closed = new Set<string>();
  failNext?: Error;

  /** Simulates the Task timing out (or the execution stopping). */
  close(taskToken: string): void {
    this.closed.add(taskToken);
  }

  private accept(taskToken: string): void {
    this.calls += 1;
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    if (this.closed.has(taskToken)) throw new TaskClosedError('the approval task is no longer open (TaskTimedOut)');
    this.closed.add(taskToken);
  }

  async succeed(taskToken: string, output: Record<string, unknown>): Promise<void> {
    this.accept(taskToken);
    this.delivered.push({ taskToken, output });
  }

  async fail(taskToken: string, error: string): Promise<void> {
    this.accept(taskToken);
    this.delivered.push({ taskToken, error });
  }
}

/** Mailer fake: an outbox. */
export class FakeMailer implements Mailer {
  readonly outbox: Mail[] = [];
  failNext?: Error;
  async send(mail: Mail): Promise<void> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    this.outbox.push(mail);
  }
}
