import type { FileExecutionStore } from '../../lib/local/execution-store';
import { ExecutionManager, type ExecutionManagerOptions, type LocalStateMachine } from '../../lib/local/executions';
import { TaskTokenBroker } from '../../lib/local/task-token-broker';

/** A state machine of two Pass states, One then Two, for the execution manager's own tests. */
export const PASS_MACHINE: LocalStateMachine = {
  logicalId: 'Flow',
  name: 'Flow',
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow',
  roleArn: 'arn:aws:iam::123456789012:role/FlowRole',
  definition: { StartAt: 'One', States: { One: { Type: 'Pass', Next: 'Two' }, Two: { Type: 'Pass', End: true } } } as never,
  bindings: [],
};

/** An execution manager of `machines` on a store, given the records the store holds (as a start is), Lambda calls answering `{}`. */
export function managerOnStore(machines: LocalStateMachine[], store: FileExecutionStore, more: Partial<ExecutionManagerOptions> = {}): ExecutionManager {
  return new ExecutionManager({ machines, invoke: async () => ({}), broker: new TaskTokenBroker(), store, previous: store.load(), ...more });
}
