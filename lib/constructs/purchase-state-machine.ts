import { ArnFormat, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  Pass,
  StateMachine,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
  type IChainable,
  type RetryProps,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeServiceEncryptedLogs } from './log-encryption';
import { LOG_RETENTION } from './log-retention';
import { acknowledgeSynchronousOnly } from './workflow-function';
import { IDEMPOTENT_STEP, LISTING_LAG, RECORD_RETRY, SAFE_TO_REPEAT, TASK_TIMEOUT_MARGIN, THROTTLED } from './purchase-retries';
import { STATE, type ApprovalDecision, type FunctionId, type RecordOutcomePayload } from '../../lambdas/core/workflow';
import { executionTimeoutSeconds } from '../execution-timeout';
import { ON_FAILURE, ownFunctions, type PurchaseMachineParts, type PurchaseSteps, type VendorStack } from '../vendor-stack';

/** procure's own functions the state machine invokes (each vendor's own are its states'). */
const PROCURE_TASKS = ['PreparePurchase', 'RequestApproval', 'VerifyLicense', 'RecordOutcome'] as const satisfies readonly FunctionId[];

/** The functions, by their FUNCTIONS ids (the machine invokes procure's tasks and the vendors' own). */
export type PurchaseTaskFunctions = Readonly<Record<FunctionId, LambdaFunction>>;

export interface PurchaseStateMachineProps {
  /** The functions. */
  readonly functions: PurchaseTaskFunctions;
  /** Each vendor's states (its stack.ts, lib/vendor-stacks.ts), in registry order. */
  readonly vendors: readonly VendorStack[];
  /**
   * Physical name of the state machine. Fixed (see {@link purchaseStateMachineName}) so other
   * resources can build its ARN without referencing it.
   */
  readonly stateMachineName: string;
  /** How long RequestApproval waits for the approver (the task's explicit TimeoutSeconds). */
  readonly approvalTimeout: Duration;
}

/**
 * The state machine's fixed physical name, derived from the stack name: `<stack>-Purchase`.
 * It is deleted with the stack (never retained), so a redeploy after `cdk destroy` can take the
 * name again, once Step Functions has finished the deletion: a standard machine stays DELETING
 * while an execution waits (for an approval, a cart slot), so stop running executions first.
 */
export function purchaseStateMachineName(scope: Construct): string {
  return `${Stack.of(scope).stackName}-Purchase`;
}

/**
 * ARN of the state machine named `name` in this stack's account and region, built from the name
 * rather than from a `Ref`. The API functions need it (STATE_MACHINE_ARN, StartExecution,
 * SendTask*), and the state machine depends - through RequestApproval's APPROVAL_BASE_URL - on the
 * API deployment, which depends on those functions: a `Ref` would close that loop into the
 * circular dependency of toolchain.md G8, while a built ARN needs neither `*` nor a cycle.
 */
export function stateMachineArnFor(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * The first 8 hex digits of the stack id's UUID (`arn:...:stack/<name>/<uuid>`), a token resolved
 * by CloudFormation: the same for every update of a stack, different after it is deleted and
 * created again. Used where a retained resource needs a recognizable name that a redeploy must
 * not collide with.
 */
function stackIdSuffix(scope: Construct): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Stack.of(scope).stackId))));
}

const APPROVED: ApprovalDecision['decision'] = 'APPROVED';

/**
 * The purchase workflow of lambdas/core/workflow.ts on Step Functions (JSONPath; never JSONata,
 * which the local engine cannot run). Every Task is a LambdaInvoke with `payloadResponseOnly`, so
 * its Resource is the function ARN and its input is the whole state; RequestApproval is the one
 * `.waitForTaskToken` task. Retries are per state, only where a repeat is safe (purchase-retries.ts); the
 * default `retryOnServiceExceptions` is off everywhere because it would blindly re-run a purchase.
 */
export class PurchaseStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PurchaseStateMachineProps) {
    super(scope, id);
    const start = this.defineWorkflow(props.functions, props.vendors, props.approvalTimeout);
    this.logGroup = this.executionLogs(props.stateMachineName);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      comment: 'procure: buy a software license safely (lambdas/core/workflow.ts)',
      definitionBody: DefinitionBody.fromChainable(start),
      // Bounded above two approval rounds (a quote mismatch asks again); see executionTimeoutSeconds.
      timeout: Duration.seconds(executionTimeoutSeconds(props.approvalTimeout.toSeconds())),
      tracingEnabled: true,
      // ALL event types, but no execution data: inputs and outputs carry the request, the
      // requester's email and RequestApproval's task token, none of which belong in logs.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    const vendorTasks = props.vendors.flatMap((v) => ownFunctions(v).map(([id]) => id));
    this.acknowledgeFindings([...PROCURE_TASKS, ...vendorTasks].map((id) => props.functions[id]));
  }

  /**
   * A Lambda task: the whole state in, its result at `resultPath` (undefined: the result is the new
   * state), a timeout past the function's own, first retrying `throttled`.
   */
  private invoke(state: string, fn: LambdaFunction, resultPath: string | undefined, payload?: TaskInput, throttled = THROTTLED): LambdaInvoke {
    const task = new LambdaInvoke(this, state, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      ...(payload ? { payload } : {}),
      ...(resultPath !== undefined ? { resultPath } : {}),
      taskTimeout: Timeout.duration((fn.timeout ?? Duration.seconds(3)).plus(TASK_TIMEOUT_MARGIN)),
    });
    task.addRetry(throttled);
    return task;
  }

  /** The states and their transitions; returns the first state. */
  private defineWorkflow(fns: PurchaseTaskFunctions, vendors: readonly VendorStack[], approvalTimeout: Duration): IChainable {
    const { recordNotCompleted, recordCompleted } = this.defineOutcomes(fns);
    const { preparePurchase, requestApproval, verifyLicense } = this.defineTasks(fns, approvalTimeout, recordNotCompleted);
    const parts: PurchaseMachineParts = {
      task: (state, fn, resultPath, retries, throttled) => withRetries(this.invoke(state, fns[fn], resultPath, undefined, throttled), [...retries]),
      recordNotCompleted,
      preparePurchase,
      verifyLicense,
    };
    const steps = vendors.map((v) => ({ vendor: v.vendor, ...v.purchaseSteps(parts) }));

    // ---- approval ----
    const autoApprove = new Pass(this, STATE.AutoApprove, {
      parameters: {
        decision: APPROVED,
        approver: 'auto-approve policy',
        // $$.State.EnteredTime would be exact, but the local engine's context object is static and
        // has only Execution.StartTime; AutoApprove runs seconds after the start (a re-quote after
        // a mismatch never auto-approves), so the start time is an honest decision time.
        decidedAt: JsonPath.stringAt('$$.Execution.StartTime'),
      },
      resultPath: '$.approval',
    });
    // Routing costs a billed transition per Choice entered, so each decision point is one Choice:
    // the approval's outcome and the vendor are read together, and the question "ask a person or
    // approve by policy?" is asked by CartSlotReady, which every purchase passes once its cart item
    // is in (or, for a vendor without a cart, at once).
    const approved = Condition.stringEquals('$.approval.decision', APPROVED);
    const approvalDecision = new Choice(this, STATE.ApprovalDecision);
    for (const s of steps) approvalDecision.when(Condition.and(approved, Condition.stringEquals('$.quote.vendor', s.vendor)), s.buy);
    // A rejection, or (unreachable for a validated quote) an unknown vendor: never fall through
    // to some vendor's buy.
    approvalDecision.otherwise(recordNotCompleted);
    autoApprove.next(approvalDecision);
    requestApproval.next(approvalDecision);
    verifyLicense.next(recordCompleted);

    const cartSlotReady = new Choice(this, STATE.CartSlotReady);
    preparePurchase.next(cartSlotReady);
    this.waitForSlot(cartSlotReady, steps, recordNotCompleted);
    cartSlotReady.when(Condition.booleanEquals('$.quote.autoApprove', true), autoApprove).otherwise(requestApproval);
    return preparePurchase;
  }

  /**
   * The vendor's add limit (or the account) has no room yet: wait in the machine, then run the
   * vendor's step after a wait (CoCalc: add again), then CartSlotReady again. Only when a vendor has
   * such a step; with several, one Choice by vendor follows the wait.
   */
  private waitForSlot(cartSlotReady: Choice, steps: ReadonlyArray<PurchaseSteps & { vendor: string }>, recordNotCompleted: LambdaInvoke): void {
    const waiting = steps.filter((s) => s.afterWait !== undefined);
    if (!waiting.length) return;
    const waitForCartSlot = new Wait(this, STATE.WaitForCartSlot, { time: WaitTime.timestampPath('$.cart.waitUntil') });
    cartSlotReady.when(Condition.isPresent('$.cart.waitUntil'), waitForCartSlot);
    for (const s of waiting) s.afterWait!.next(cartSlotReady);
    if (waiting.length === 1) {
      waitForCartSlot.next(waiting[0]!.afterWait!);
      return;
    }
    const byVendor = new Choice(this, 'AfterWaitByVendor');
    for (const s of waiting) byVendor.when(Condition.stringEquals('$.quote.vendor', s.vendor), s.afterWait!);
    waitForCartSlot.next(byVendor.otherwise(recordNotCompleted));
  }

  /** RecordNotCompleted (then the Fail state) and RecordCompleted (the end). */
  private defineOutcomes(fns: PurchaseTaskFunctions): { recordNotCompleted: LambdaInvoke; recordCompleted: LambdaInvoke } {
    const recordOutcome = (state: string, outcome: RecordOutcomePayload['outcome']): LambdaInvoke =>
      withRetries(this.invoke(state, fns.RecordOutcome, JsonPath.DISCARD, TaskInput.fromObject({ outcome, state: JsonPath.entirePayload })), [RECORD_RETRY]);

    // ---- terminal states ----
    // The reason (caught error, rejection, expiry) is recorded by RecordNotCompleted in the audit
    // trail and the purchase record. The Fail state cannot read it from `$.failure`: a rejection
    // reaches it through ApprovalDecision without any Catch, and a missing path would turn the
    // Fail itself into a States.Runtime error.
    const purchaseNotCompleted = new Fail(this, STATE.PurchaseNotCompleted, {
      error: 'PurchaseNotCompleted',
      cause: 'The purchase was rejected, expired or failed; its status and audit trail say why (GET /purchases/{id}).',
    });
    const recordNotCompleted = recordOutcome(STATE.RecordNotCompleted, 'NOT_COMPLETED');
    recordNotCompleted.next(purchaseNotCompleted);
    // No Catch on either Record state: compensating after RecordCompleted would undo a purchase
    // that happened, and RecordNotCompleted catching itself would loop. RecordCompleted ends the
    // execution itself (a Succeed state after it would be one more billed transition, saying nothing).
    const recordCompleted = recordOutcome(STATE.RecordCompleted, 'COMPLETED');
    return { recordNotCompleted, recordCompleted };
  }

  /** The task states, each with the Retry rules that are safe for it and its Catch. */
  private defineTasks(fns: PurchaseTaskFunctions, approvalTimeout: Duration, recordNotCompleted: LambdaInvoke) {
    // Its result is the new state: $.quote, $.reservation and (CoCalc) $.cart at once. No ResultPath,
    // whose default is "$" (an explicit "$" the local engine, aws-local-stepfunctions, nests under a
    // "$" key). Not retried on a timeout, which can leave its cart add in flight (purchase-retries.ts).
    const preparePurchase = withRetries(this.invoke(STATE.PreparePurchase, fns.PreparePurchase, undefined), SAFE_TO_REPEAT).addCatch(
      recordNotCompleted,
      ON_FAILURE,
    );
    const requestApproval = new LambdaInvoke(this, STATE.RequestApproval, {
      lambdaFunction: fns.RequestApproval,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ taskToken: JsonPath.taskToken, state: JsonPath.entirePayload }),
      resultPath: '$.approval',
      // Always explicit: AWS has no default, the local engine defaults to 60 s. Expiry lands in the
      // Catch below as States.Timeout (RecordNotCompleted records EXPIRED).
      taskTimeout: Timeout.duration(approvalTimeout),
      retryOnServiceExceptions: false,
    })
      // A throttled Invoke sent no mail and stored no token; any other error may have done both.
      .addRetry(THROTTLED)
      .addCatch(recordNotCompleted, ON_FAILURE);
    const verifyLicense = withRetries(this.invoke(STATE.VerifyLicense, fns.VerifyLicense, '$.license'), [LISTING_LAG, ...IDEMPOTENT_STEP]).addCatch(
      recordNotCompleted,
      ON_FAILURE,
    );
    return { preparePurchase, requestApproval, verifyLicense };
  }

  /** The execution log group: retained, named so a redeploy never collides with it. */
  private executionLogs(stateMachineName: string): LogGroup {
    const logs = new LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps Step Functions from growing the account's log resource policy.
      // Retained on `cdk destroy` (a record of what ran), so its name must not come back: it ends
      // in the first part of the stack id's UUID, new with every stack created.
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}-${stackIdSuffix(this)}`,
      retention: LOG_RETENTION.executionLogs,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeServiceEncryptedLogs(logs);
    return logs;
  }

  /** cdk-nag and Lambda findings this design answers, each with its reason. */
  private acknowledgeFindings(fns: readonly LambdaFunction[]): void {
    const role = Validations.of(this.stateMachine.role);
    for (const fn of new Set(fns)) {
      acknowledgeSynchronousOnly(fn, 'this state machine (its Retry and Catch handle every error)');
      const logicalId = Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnFunction);
      role.acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'LambdaInvoke grants lambda:InvokeFunction on the task function and its versions/aliases (`<arn>:*`); this names one procure task function.',
      });
    }
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) and X-Ray (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) do not support resource-level permissions; AWS documents `*` for both.',
    });
  }
}

function withRetries<T extends LambdaInvoke>(task: T, retries: RetryProps[]): T {
  for (const r of retries) task.addRetry(r);
  return task;
}
