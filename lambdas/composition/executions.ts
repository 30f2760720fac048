import { SfnExecutionReader } from '../adapters/aws/sfn-execution-reader';
import { SfnTaskCallback } from '../adapters/aws/sfn-task-callback';
import { SfnWorkflowStarter } from '../adapters/aws/sfn-workflow-starter';
import type { TaskCallback, WorkflowStarter } from '../core/ports';
import type { ExecutionStatusReader } from '../core/reconcile-deps';
import { sfnClient } from '../shared/aws-clients/sfn';
import { workflowConfig } from '../shared/config';

/** Composition root (README.md): the purchase state machine, named by the environment. */

/** Starts purchase executions. */
export function workflowStarter(): WorkflowStarter {
  return new SfnWorkflowStarter(sfnClient(), workflowConfig().stateMachineArn);
}

/** Reads the status of a purchase's execution. */
export function executionReader(): ExecutionStatusReader {
  return new SfnExecutionReader(sfnClient(), workflowConfig().stateMachineArn);
}

/** Answers a waiting task with its token (the approval decision); the token names the execution. */
export function taskCallback(): TaskCallback {
  return new SfnTaskCallback(sfnClient());
}
