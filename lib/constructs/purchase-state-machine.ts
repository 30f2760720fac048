import { ArnFormat, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  StateMachine,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
  type RetryProps,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeServiceEncryptedLogs } from './log-encryption';
import { LOG_RETENTION } from './log-retention';
import { acknowledgeSynchronousOnly } from './workflow-function';
import {
  BuyOutcomeUnknownError,
  CheckoutOutcomeUnknownError,
  LicenseNotFoundError,
  LockBusyError,
  QuoteMismatchError,
  VendorRateLimitedError,
  VendorTransientError,
} from '../../lambdas/core/errors';
import type { Vendor } from '../../lambdas/core/purchase-request';
import { RateSlotsContendedError } from '../../lambdas/core/rate-slots';
import { STATE, type ApprovalDecision, type FunctionId, type RecordOutcomePayload } from '../../lambdas/core/workflow';
import { executionTimeoutSeconds } from '../config';

/** The Lambda functions the state machine invokes, by their FUNCTIONS ids. */
export type PurchaseTaskFunctions = Readonly<
  Record<
    Extract<
      FunctionId,
      'ValidateAndQuote' | 'ReserveBudget' | 'CocalcAddToCart' | 'RequestApproval' | 'CocalcCheckout' | 'InterserverBuy' | 'VerifyLicense' | 'RecordOutcome'
    >,
    LambdaFunction
  >
>;

export interface PurchaseStateMachineProps {
  /** The task functions. */
  readonly functions: PurchaseTaskFunctions;
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

// ---- retry policy ---------------------------------------------------------------------------
// Error names come from the classes (each sets this.name to its class name), so a rename there
// cannot silently disarm a Retry here.

/**
 * Lambda service errors of the Invoke call itself. Retried only for tasks that are safe to run
 * twice: several of them (timeouts, ServiceException) can happen after the function ran.
 */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * The one Lambda error that proves the function never ran: Invoke was throttled (HTTP 429) and
 * refused before any code started. Retrying it cannot repeat a side effect.
 */
const LAMBDA_NEVER_RAN_ERRORS = ['Lambda.TooManyRequestsException'] as const;

const jitter = { jitterStrategy: JitterType.FULL } as const;

/** Vendor reads and idempotent writes: transient vendor errors, throttling, Lambda service errors. */
const SAFE_TO_REPEAT: RetryProps[] = [
  { errors: [VendorTransientError.name], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, ...jitter },
  // CoCalc's throttle window is tens of seconds; start slower than for a transient error.
  { errors: [VendorRateLimitedError.name], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2, maxDelay: Duration.seconds(60), ...jitter },
  { errors: [...LAMBDA_SERVICE_ERRORS], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, ...jitter },
];

/** VerifyLicense: a new license can take a while to appear in the vendor's listing. */
const LISTING_LAG: RetryProps = {
  errors: [LicenseNotFoundError.name],
  interval: Duration.seconds(10),
  maxAttempts: 5,
  backoffRate: 2,
  maxDelay: Duration.seconds(120),
  ...jitter,
};

/**
 * AddToCart, Checkout, BuyLicense: the lock is taken before any vendor call, so LockBusyError
 * means nothing was done. The waiting is the state machine's (no Lambda polls a lock); a holder
 * that died frees the lock within its function timeout plus a margin (locks.ts lockLeaseMs), which
 * these attempts outlast: ~1 + 1.5 + 2.25 + ... capped at 10 s, 40 attempts, about 6 minutes.
 */
const LOCK_BUSY: RetryProps = {
  errors: [LockBusyError.name],
  interval: Duration.seconds(1),
  maxAttempts: 40,
  backoffRate: 1.5,
  maxDelay: Duration.seconds(10),
  ...jitter,
};

/** AddToCart: the slot ledger lost its conditional writes to others; nothing was reserved or sent. */
const SLOTS_CONTENDED: RetryProps = {
  errors: [RateSlotsContendedError.name],
  interval: Duration.seconds(1),
  maxAttempts: 5,
  backoffRate: 2,
  ...jitter,
};

/**
 * Checkout after an unknown outcome: wait, then run Checkout again, which first settles the
 * earlier attempt at the vendor (bought, or proven not bought) and never buys blindly. When the
 * vendor stays unreachable the Catch ends the purchase NEEDS_ATTENTION (status PURCHASING).
 */
const CHECKOUT_SETTLE: RetryProps = {
  errors: [CheckoutOutcomeUnknownError.name],
  interval: Duration.seconds(5),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(120),
  ...jitter,
};

/**
 * BuyLicense: api_buy_license is not idempotent and a VendorTransientError may hide a license that
 * was bought (the handler reconciles by listing before it ever reports that error). So no vendor
 * error is retried, and of the Lambda errors only a throttled Invoke, which proves the code never
 * ran. ServiceException / SdkClientException / ClientExecutionTimeoutException are NOT retried:
 * they can arrive after the function started, and a retry could buy a second license.
 */
const NEVER_RAN: RetryProps = { errors: [...LAMBDA_NEVER_RAN_ERRORS], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, ...jitter };

/**
 * BuyLicense after a buy of unknown outcome: wait for the vendor to settle, then run BuyLicense
 * again, which still holds the IP+type lock (BUY_RECHECK_HOLD_MS outlasts these waits) and first
 * lists what the buy may have created; it buys again only after proving it bought nothing, at
 * most twice in all, so two of these suffice (one more to spare). Waits of 2, 4 and 8 s exactly:
 * no jitter, which would shorten the first below the 2 s the vendor is given to settle before the
 * listing that may prove nothing was bought.
 */
const BUY_SETTLE: RetryProps = {
  errors: [BuyOutcomeUnknownError.name],
  interval: Duration.seconds(2),
  maxAttempts: 3,
  backoffRate: 2,
  maxDelay: Duration.seconds(8),
};

/** RecordOutcome is idempotent (conditional writes keyed by purchase): any task failure may repeat. */
const RECORD_RETRY: RetryProps = { errors: ['States.TaskFailed'], interval: Duration.seconds(2), maxAttempts: 5, backoffRate: 2, ...jitter };

/**
 * Step Functions waits this much longer than the function's own timeout before it gives up on a
 * task: the function must always end first (and report), never be abandoned mid-purchase while
 * the workflow compensates. Also keeps the local engine's 60 s default task timeout out of play.
 */
const TASK_TIMEOUT_MARGIN = Duration.seconds(30);

const COCALC: Vendor = 'cocalc';
const INTERSERVER: Vendor = 'interserver';
const APPROVED: ApprovalDecision['decision'] = 'APPROVED';

/**
 * The purchase workflow of lambdas/core/workflow.ts on Step Functions (JSONPath; never JSONata,
 * which the local engine cannot run). Every Task is a LambdaInvoke with `payloadResponseOnly`, so
 * its Resource is the function ARN and its input is the whole state; RequestApproval is the one
 * `.waitForTaskToken` task. Retries are per state, only where a repeat is safe (see above); the
 * default `retryOnServiceExceptions` is off everywhere because it would blindly re-run a purchase.
 */
export class PurchaseStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PurchaseStateMachineProps) {
    super(scope, id);
    const fns = props.functions;

    const invoke = (state: string, fn: LambdaFunction, resultPath: string, payload?: TaskInput): LambdaInvoke =>
      new LambdaInvoke(this, state, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        ...(payload ? { payload } : {}),
        resultPath,
        taskTimeout: Timeout.duration((fn.timeout ?? Duration.seconds(3)).plus(TASK_TIMEOUT_MARGIN)),
      });
    const withRetries = <T extends LambdaInvoke>(task: T, retries: RetryProps[]): T => {
      for (const r of retries) task.addRetry(r);
      return task;
    };
    const recordOutcome = (state: string, outcome: RecordOutcomePayload['outcome']): LambdaInvoke =>
      withRetries(invoke(state, fns.RecordOutcome, JsonPath.DISCARD, TaskInput.fromObject({ outcome, state: JsonPath.entirePayload })), [RECORD_RETRY]);

    // ---- terminal states ----
    // The reason (caught error, rejection, expiry) is recorded by RecordNotCompleted in the audit
    // trail and the purchase record. The Fail state cannot read it from `$.failure`: a rejection
    // reaches it through ApprovalDecision without any Catch, and a missing path would turn the
    // Fail itself into a States.Runtime error.
    const purchaseNotCompleted = new Fail(this, STATE.PurchaseNotCompleted, {
      error: 'PurchaseNotCompleted',
      cause: 'The purchase was rejected, expired or failed; its status and audit trail say why (GET /purchases/{id}).',
    });
    const recordNotCompleted = recordOutcome(STATE.RecordNotCompleted, 'NOT_COMPLETED').next(purchaseNotCompleted);
    // No Catch on either Record state: compensating after RecordCompleted would undo a purchase
    // that happened, and RecordNotCompleted catching itself would loop. RecordCompleted ends the
    // execution itself (a Succeed state after it would be one more billed transition, saying nothing).
    const recordCompleted = recordOutcome(STATE.RecordCompleted, 'COMPLETED');
    const onFailure = { resultPath: '$.failure' } as const;

    // ---- tasks ----
    const validateAndQuote = withRetries(invoke(STATE.ValidateAndQuote, fns.ValidateAndQuote, '$.quote'), SAFE_TO_REPEAT).addCatch(
      recordNotCompleted,
      onFailure,
    );
    const reserveBudget = withRetries(invoke(STATE.ReserveBudget, fns.ReserveBudget, '$.reservation'), SAFE_TO_REPEAT).addCatch(recordNotCompleted, onFailure);
    const addToCart = withRetries(invoke(STATE.AddToCart, fns.CocalcAddToCart, '$.cart'), [LOCK_BUSY, SLOTS_CONTENDED, ...SAFE_TO_REPEAT]).addCatch(
      recordNotCompleted,
      onFailure,
    );
    const requestApproval = new LambdaInvoke(this, STATE.RequestApproval, {
      lambdaFunction: fns.RequestApproval,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ taskToken: JsonPath.taskToken, state: JsonPath.entirePayload }),
      resultPath: '$.approval',
      // Always explicit: AWS has no default, the local engine defaults to 60 s. Expiry lands in the
      // Catch below as States.Timeout (RecordNotCompleted records EXPIRED).
      taskTimeout: Timeout.duration(props.approvalTimeout),
      retryOnServiceExceptions: false,
    })
      // A throttled Invoke sent no mail and stored no token; any other error may have done both.
      .addRetry(NEVER_RAN)
      .addCatch(recordNotCompleted, onFailure);
    const checkout = invoke(STATE.Checkout, fns.CocalcCheckout, '$.purchase')
      // Never VendorTransientError, which may hide a completed checkout: the handler turns an
      // unknown outcome into CheckoutOutcomeUnknownError, which it settles before buying again.
      .addRetry(LOCK_BUSY)
      .addRetry(CHECKOUT_SETTLE)
      // The vendor's total moved: re-quote and ask a human again (ValidateAndQuote sees $.mismatch).
      .addCatch(validateAndQuote, { errors: [QuoteMismatchError.name], resultPath: '$.mismatch' })
      .addCatch(recordNotCompleted, onFailure);
    const buyLicense = invoke(STATE.BuyLicense, fns.InterserverBuy, '$.purchase')
      .addRetry(LOCK_BUSY)
      .addRetry(BUY_SETTLE)
      .addRetry(NEVER_RAN)
      .addCatch(recordNotCompleted, onFailure);
    const verifyLicense = withRetries(invoke(STATE.VerifyLicense, fns.VerifyLicense, '$.license'), [LISTING_LAG, ...SAFE_TO_REPEAT]).addCatch(
      recordNotCompleted,
      onFailure,
    );

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
    // approve by policy?" is asked by whichever Choice leads to the approval (IsCocalc for a vendor
    // without a cart, CartSlotReady once the cart item is in).
    const approved = Condition.stringEquals('$.approval.decision', APPROVED);
    const approvalDecision = new Choice(this, STATE.ApprovalDecision)
      .when(Condition.and(approved, Condition.stringEquals('$.quote.vendor', COCALC)), checkout)
      .when(Condition.and(approved, Condition.stringEquals('$.quote.vendor', INTERSERVER)), buyLicense)
      // A rejection, or (unreachable for a validated quote) an unknown vendor: never fall through
      // to some vendor's buy.
      .otherwise(recordNotCompleted);
    autoApprove.next(approvalDecision);
    requestApproval.next(approvalDecision);
    checkout.next(verifyLicense);
    buyLicense.next(verifyLicense);
    verifyLicense.next(recordCompleted);

    const toApproval = (choice: Choice): Choice => choice.when(Condition.booleanEquals('$.quote.autoApprove', true), autoApprove).otherwise(requestApproval);
    // The vendor's add limit (or the account) has no room yet: wait in the machine, then add again.
    const waitForCartSlot = new Wait(this, STATE.WaitForCartSlot, { time: WaitTime.timestampPath('$.cart.waitUntil') });
    waitForCartSlot.next(addToCart);
    addToCart.next(toApproval(new Choice(this, STATE.CartSlotReady).when(Condition.isPresent('$.cart.waitUntil'), waitForCartSlot)));
    validateAndQuote.next(reserveBudget).next(toApproval(new Choice(this, STATE.IsCocalc).when(Condition.stringEquals('$.quote.vendor', COCALC), addToCart)));

    // ---- the machine ----
    this.logGroup = new LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps Step Functions from growing the account's log resource policy.
      // Retained on `cdk destroy` (a record of what ran), so its name must not come back: it ends
      // in the first part of the stack id's UUID, new with every stack created.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}-${stackIdSuffix(this)}`,
      retention: LOG_RETENTION.executionLogs,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeServiceEncryptedLogs(this.logGroup);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      comment: 'procure: buy a software license safely (lambdas/core/workflow.ts)',
      definitionBody: DefinitionBody.fromChainable(validateAndQuote),
      // Bounded above two approval rounds (a quote mismatch asks again); see executionTimeoutSeconds.
      timeout: Duration.seconds(executionTimeoutSeconds(props.approvalTimeout.toSeconds())),
      tracingEnabled: true,
      // ALL event types, but no execution data: inputs and outputs carry the request, the
      // requester's email and RequestApproval's task token, none of which belong in logs.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    const role = Validations.of(this.stateMachine.role);
    for (const fn of new Set(Object.values(fns))) {
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
