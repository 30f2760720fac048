import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { EVENTS, FUNCTIONS, type FunctionId } from '../lambdas/core/workflow';
import { ENV } from '../lambdas/shared/env-names';
import { STACK_OUTPUTS, type StackOutputName } from './stack-outputs';
import { approvalPolicyEnv, policyApprovers } from './approval-policy-config';
import { configWarnings, opsEmailsOf, readProcureConfig, type ProcureConfig } from './config';
import { escalationDelayOf, reminderOffsetsOf } from './follow-up-config';
import { ApprovalApi } from './constructs/approval-api';
import { ApprovalFollowUps } from './constructs/approval-follow-ups';
import { AuditTable } from './constructs/audit-table';
import { OperationsAlarms } from './constructs/operations-alarms';
import { PurchaseApi } from './constructs/purchase-api';
import { PurchaseStateMachine, purchaseStateMachineName, stateMachineArnFor } from './constructs/purchase-state-machine';
import { PurchaseTrigger } from './constructs/purchase-trigger';
import { Reconciler } from './constructs/reconciler';
import { StateTable } from './constructs/state-table';
import { VendorSecrets } from './constructs/vendor-secrets';
import { createWorkflowFunction, type WorkflowFunctionProps } from './constructs/workflow-function';

export interface ProcureStackProps extends StackProps {
  /**
   * Deployment configuration.
   * @default - read from CDK context by readProcureConfig (defaults: DEFAULT_PROCURE_CONFIG)
   */
  readonly config?: ProcureConfig;
}

/** Timeout and memory per function: vendor calls get 60 s; API-facing ones stay under API Gateway's 29 s. */
const SIZING: Record<FunctionId, Pick<WorkflowFunctionProps, 'timeout' | 'memorySize'>> = {
  PurchasesApi: { timeout: Duration.seconds(15) },
  Intake: { timeout: Duration.seconds(30) },
  ValidateAndQuote: { timeout: Duration.seconds(60), memorySize: 512 },
  ReserveBudget: { timeout: Duration.seconds(15) },
  CocalcAddToCart: { timeout: Duration.seconds(60), memorySize: 512 },
  RequestApproval: { timeout: Duration.seconds(30) },
  ApprovalsApi: { timeout: Duration.seconds(15) },
  CocalcCheckout: { timeout: Duration.seconds(60), memorySize: 512 },
  InterserverBuy: { timeout: Duration.seconds(60), memorySize: 512 },
  VerifyLicense: { timeout: Duration.seconds(60), memorySize: 512 },
  RecordOutcome: { timeout: Duration.seconds(60), memorySize: 512 },
  ListLicenses: { timeout: Duration.seconds(28), memorySize: 512 },
  // Under API Gateway's 29 s; the InterServer catalog read is the slow part (SOAP client cold start).
  QuotesApi: { timeout: Duration.seconds(28), memorySize: 512 },
  // One run closes a few stale purchases through RecordNotCompleted (vendor calls) and stops
  // starting new work 20 s before its deadline (lambdas/core/reconcile-runner.ts).
  Reconcile: { timeout: Duration.seconds(120), memorySize: 512 },
  // Under API Gateway's 29 s (it also answers POST /purchases/{id}/approvals/resend).
  ApprovalReminders: { timeout: Duration.seconds(28) },
};

/**
 * Who needs what. Each function gets exactly the environment and grants of its groups. Reconcile
 * closes stale purchases through RecordOutcome's code, so it is in every group RecordOutcome is in.
 */
const USES = {
  /** Both tables (state: item reads/writes; audit: PutItem only). */
  tables: [
    'PurchasesApi',
    'Intake',
    'ValidateAndQuote',
    'ReserveBudget',
    'CocalcAddToCart',
    'RequestApproval',
    'ApprovalsApi',
    'CocalcCheckout',
    'InterserverBuy',
    'VerifyLicense',
    'RecordOutcome',
    'Reconcile',
    'ApprovalReminders',
  ],
  /**
   * Read-only state: QuotesApi reads budget counters (GetItem) and nothing else. tablesConfig()
   * reads both table names, so it gets both; it has no grant on the audit table.
   */
  stateReaders: ['QuotesApi'],
  /** GET /purchases, and the follow-ups' purchases awaiting approval: Query on the state table's purchasesByStatus index. */
  purchaseListers: ['PurchasesApi', 'ApprovalReminders'],
  /**
   * Of the table users, the ones that read the audit trail back (status API, reconciliation after an unknown
   * outcome; the money steps verify the approval round it names).
   */
  auditReaders: ['PurchasesApi', 'ValidateAndQuote', 'CocalcAddToCart', 'CocalcCheckout', 'InterserverBuy', 'RecordOutcome', 'Reconcile'],
  /** RecordOutcome deletes the parked cart item when a purchase does not complete. */
  cocalc: ['CocalcAddToCart', 'CocalcCheckout', 'VerifyLicense', 'RecordOutcome', 'Reconcile', 'ListLicenses'],
  /** ValidateAndQuote and QuotesApi read InterServer's catalog to price a license type. */
  interserver: ['ValidateAndQuote', 'InterserverBuy', 'VerifyLicense', 'ListLicenses', 'QuotesApi'],
  signing: ['RequestApproval', 'ApprovalsApi', 'ApprovalReminders'],
  approvalMail: ['RequestApproval'],
  /** Reminders, escalation and resends: fresh links to the approvers and escalation approvers. */
  followUps: ['ApprovalReminders'],
  /** RecordOutcome mails the approvers when a purchase ends NEEDS_ATTENTION, and the requester when any ends. */
  attentionMail: ['RecordOutcome', 'Reconcile'],
  /**
   * ApprovalsApi mails the requester that their purchase was approved, PurchasesApi how a
   * NEEDS_ATTENTION purchase a person resolved ended (the sender only).
   */
  requesterMail: ['ApprovalsApi', 'PurchasesApi'],
  /**
   * The approval policy by amount: ValidateAndQuote applies it (approved by policy or not),
   * RequestApproval asks the tier's approvers, the money steps re-check it from their own config,
   * QuotesApi tells which tier a quote falls in.
   */
  approvalPolicy: ['ValidateAndQuote', 'RequestApproval', 'CocalcCheckout', 'InterserverBuy', 'QuotesApi'],
  /**
   * PurchasesApi commits or releases the budget of a resolved NEEDS_ATTENTION purchase; QuotesApi
   * reads what is left.
   */
  budget: ['ReserveBudget', 'RequestApproval', 'ApprovalsApi', 'ApprovalReminders', 'RecordOutcome', 'Reconcile', 'PurchasesApi', 'QuotesApi'],
  startExecution: ['PurchasesApi', 'Intake'],
  events: ['Intake', 'PurchasesApi', 'RecordOutcome', 'Reconcile'],
  taskResponse: ['ApprovalsApi'],
} as const satisfies Record<string, readonly FunctionId[]>;

/**
 * Functions whose every error is an incident: each gets its own errors alarm (the alarm then names
 * the function and its log group). The other six - ValidateAndQuote, ReserveBudget,
 * CocalcAddToCart, CocalcCheckout, InterserverBuy, VerifyLicense - throw as part of normal work (a
 * refused budget, a busy lock, a license not listed yet, a vendor total that moved) and the state
 * machine retries or catches those errors by name; when one of them really fails, its purchase
 * ends FAILED or NEEDS_ATTENTION, and the alarm topic hears of that purchase by itself.
 */
export const ERRORS_ARE_INCIDENTS = [
  'PurchasesApi',
  'ApprovalsApi',
  'QuotesApi',
  'ListLicenses',
  'Intake',
  'RequestApproval',
  'RecordOutcome',
  'Reconcile',
  'ApprovalReminders',
] as const satisfies readonly FunctionId[];

/**
 * procure: the purchase workflow and everything around it. Composition, wiring and grants only;
 * every decision lives in the handlers (lambdas/) and every resource's shape in lib/constructs/.
 */
export class ProcureStack extends Stack {
  readonly config: ProcureConfig;
  readonly functions: Readonly<Record<FunctionId, NodejsFunction>>;
  readonly auditTable: AuditTable;
  readonly stateTable: StateTable;
  readonly secrets: VendorSecrets;
  readonly purchaseApi: PurchaseApi;
  readonly stateMachine: PurchaseStateMachine;
  readonly trigger: PurchaseTrigger;
  readonly reconciler: Reconciler;
  readonly followUps: ApprovalFollowUps;
  readonly operations: OperationsAlarms;

  constructor(scope: Construct, id: string, props: ProcureStackProps = {}) {
    super(scope, id, { description: 'procure: buys software licenses safely (approval, spend guard, audit)', ...props });
    const config = (this.config = props.config ?? readProcureConfig(this.node));
    // Shown by `cdk synth` and `cdk deploy`; `cdk synth --strict` fails on them.
    for (const w of configWarnings(config)) Annotations.of(this).addWarningV2(`procure:config:${w.key}`, w.message);

    this.auditTable = new AuditTable(this, 'AuditTable');
    this.stateTable = new StateTable(this, 'StateTable');
    this.secrets = new VendorSecrets(this, 'Secrets');
    const bus = EventBus.fromEventBusName(this, 'EventBus', config.eventBusName);

    // Built from the fixed name, not referenced: see stateMachineArnFor (toolchain.md G8).
    const stateMachineName = purchaseStateMachineName(this);
    const stateMachineArn = stateMachineArnFor(this, stateMachineName);

    const fns = {} as Record<FunctionId, NodejsFunction>;
    for (const fid of Object.keys(FUNCTIONS) as FunctionId[]) fns[fid] = createWorkflowFunction(this, fid, SIZING[fid]);
    this.functions = fns;
    const each = (ids: readonly FunctionId[], wire: (fn: NodejsFunction) => void): void =>
      ids.forEach((fid) => {
        wire(fns[fid]);
      });
    const setEnv = (fn: NodejsFunction, vars: Record<string, string>): void => {
      for (const [k, v] of Object.entries(vars)) fn.addEnvironment(k, v);
    };

    this.purchaseApi = new PurchaseApi(this, 'PurchaseApi', {
      purchasesFunction: fns.PurchasesApi,
      licensesFunction: fns.ListLicenses,
      quotesFunction: fns.QuotesApi,
      resendFunction: fns.ApprovalReminders,
      accessLogs: config.apiAccessLogs,
    });
    const approvalBaseUrl = config.approvalBaseUrl ?? this.purchaseApi.url;
    // ApprovalReminders answers a route of this API too, so its copy must not reference the stage.
    const followUpBaseUrl = config.approvalBaseUrl ?? this.purchaseApi.urlWithoutStageReference;
    new ApprovalApi(this, 'ApprovalApi', {
      api: this.purchaseApi.api,
      requestValidator: this.purchaseApi.requestValidator,
      approvalsFunction: fns.ApprovalsApi,
    });

    // ---- tables ----
    each(USES.tables, (fn) => {
      setEnv(fn, { [ENV.AUDIT_TABLE_NAME]: this.auditTable.tableName, [ENV.STATE_TABLE_NAME]: this.stateTable.tableName });
      this.stateTable.grantStateAccess(fn);
      this.auditTable.grantAppend(fn);
    });
    each(USES.stateReaders, (fn) => {
      setEnv(fn, { [ENV.AUDIT_TABLE_NAME]: this.auditTable.tableName, [ENV.STATE_TABLE_NAME]: this.stateTable.tableName });
      this.stateTable.grantReadItems(fn);
    });
    each(USES.purchaseListers, (fn) => this.stateTable.grantListPurchases(fn));
    each(USES.auditReaders, (fn) => this.auditTable.grantReadTrail(fn));

    // ---- vendors ----
    each(USES.cocalc, (fn) => {
      setEnv(fn, {
        [ENV.COCALC_SECRET_ARN]: this.secrets.cocalc.secretArn,
        [ENV.COCALC_BASE_URL]: config.cocalcBaseUrl,
        [ENV.COCALC_CHECKOUT_MODE]: config.cocalcCheckoutMode,
      });
      this.secrets.cocalc.grantRead(fn);
    });
    each(USES.interserver, (fn) => {
      setEnv(fn, {
        [ENV.INTERSERVER_SECRET_ARN]: this.secrets.interserver.secretArn,
        [ENV.INTERSERVER_WSDL_URL]: config.interserverWsdlUrl,
        [ENV.INTERSERVER_PAYMENT_POLICY]: config.interserverPaymentPolicy,
        // Unset = the handlers derive it from the WSDL URL.
        ...(config.interserverEndpoint ? { [ENV.INTERSERVER_ENDPOINT]: config.interserverEndpoint } : {}),
      });
      this.secrets.interserver.grantRead(fn);
    });

    // ---- approvals and policy ----
    each(USES.signing, (fn) => {
      setEnv(fn, { [ENV.SIGNING_SECRET_ARN]: this.secrets.signingKey.secretArn });
      this.secrets.signingKey.grantRead(fn);
    });
    each(USES.approvalMail, (fn) => {
      setEnv(fn, {
        [ENV.APPROVER_EMAILS]: config.approverEmails.join(','),
        [ENV.SENDER_EMAIL]: config.senderEmail,
        [ENV.APPROVAL_BASE_URL]: approvalBaseUrl,
        [ENV.APPROVAL_TIMEOUT_SECONDS]: String(config.approvalTimeoutSeconds),
      });
      this.grantSendApprovalMail(fn, config, policyApprovers(config));
    });
    each(USES.followUps, (fn) => {
      const escalation = config.approvalEscalationEmails ?? [];
      setEnv(fn, {
        [ENV.SENDER_EMAIL]: config.senderEmail,
        [ENV.APPROVAL_BASE_URL]: followUpBaseUrl,
        [ENV.APPROVAL_TIMEOUT_SECONDS]: String(config.approvalTimeoutSeconds),
        [ENV.APPROVAL_REMINDER_OFFSETS_SECONDS]: reminderOffsetsOf(config).join(','),
        ...(escalation.length
          ? { [ENV.APPROVAL_ESCALATION_EMAILS]: escalation.join(','), [ENV.APPROVAL_ESCALATION_DELAY_SECONDS]: String(escalationDelayOf(config)) }
          : {}),
      });
      this.grantSendApprovalMail(fn, config, [...policyApprovers(config), ...escalation]);
    });
    each(USES.attentionMail, (fn) => {
      // The approval base URL is where people reach the API: the mail's `procure resolve --api`.
      setEnv(fn, { [ENV.APPROVER_EMAILS]: config.approverEmails.join(','), [ENV.SENDER_EMAIL]: config.senderEmail, [ENV.APPROVAL_BASE_URL]: approvalBaseUrl });
      this.grantSendApprovalMail(fn, config);
    });
    each(USES.requesterMail, (fn) => {
      setEnv(fn, { [ENV.SENDER_EMAIL]: config.senderEmail });
      this.grantSendApprovalMail(fn, config);
    });
    each(USES.approvalPolicy, (fn) => setEnv(fn, approvalPolicyEnv(config)));
    each(USES.budget, (fn) =>
      setEnv(fn, {
        [ENV.MONTHLY_CAP_COCALC_USD]: String(config.monthlyCapUsd.cocalc),
        [ENV.MONTHLY_CAP_INTERSERVER_USD]: String(config.monthlyCapUsd.interserver),
        [ENV.DAILY_PURCHASE_LIMIT]: String(config.dailyPurchaseLimit),
      }),
    );

    // ---- workflow and events ----
    each(USES.startExecution, (fn) => {
      setEnv(fn, { [ENV.STATE_MACHINE_ARN]: stateMachineArn });
      Grant.addToPrincipal({ grantee: fn, actions: ['states:StartExecution'], resourceArns: [stateMachineArn] });
    });
    each(USES.taskResponse, (fn) =>
      // The approval callback. Scoped to the one state machine by its built ARN; its ARN is
      // deliberately NOT in this function's environment (the task token identifies the execution).
      Grant.addToPrincipal({
        grantee: fn,
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resourceArns: [stateMachineArn],
      }),
    );
    each(USES.events, (fn) => {
      setEnv(fn, { [ENV.EVENT_BUS_NAME]: config.eventBusName, [ENV.EVENT_SOURCE]: EVENTS.workflowSource });
      bus.grantPutEventsTo(fn);
    });

    this.stateMachine = new PurchaseStateMachine(this, 'PurchaseStateMachine', {
      stateMachineName,
      approvalTimeout: Duration.seconds(config.approvalTimeoutSeconds),
      functions: {
        ValidateAndQuote: fns.ValidateAndQuote,
        ReserveBudget: fns.ReserveBudget,
        CocalcAddToCart: fns.CocalcAddToCart,
        RequestApproval: fns.RequestApproval,
        CocalcCheckout: fns.CocalcCheckout,
        InterserverBuy: fns.InterserverBuy,
        VerifyLicense: fns.VerifyLicense,
        RecordOutcome: fns.RecordOutcome,
      },
    });
    this.reconciler = new Reconciler(this, 'Reconciler', {
      function: fns.Reconcile,
      interval: Duration.minutes(config.reconcileIntervalMinutes),
      stateMachineName,
      stateMachineArn,
    });
    this.followUps = new ApprovalFollowUps(this, 'ApprovalFollowUps', { function: fns.ApprovalReminders });
    this.trigger = new PurchaseTrigger(this, 'PurchaseTrigger', {
      eventBus: bus,
      requestEventSource: config.requestEventSource,
      intake: fns.Intake,
    });

    this.operations = new OperationsAlarms(this, 'Operations', {
      emails: opsEmailsOf(config),
      stateMachine: this.stateMachine.stateMachine,
      deadLetterQueue: this.trigger.deadLetterQueue,
      eventBus: bus,
      apiUrl: this.purchaseApi.url,
      errorAlarmFunctions: Object.fromEntries(ERRORS_ARE_INCIDENTS.map((fid) => [fid, fns[fid]])),
      dashboardFunctions: fns,
    });

    const outputs: Partial<Record<StackOutputName, string>> = {
      ApiUrl: this.purchaseApi.url,
      ApprovalBaseUrl: approvalBaseUrl,
      StateMachineArn: this.stateMachine.stateMachine.stateMachineArn,
      AuditTableName: this.auditTable.tableName,
      StateTableName: this.stateTable.tableName,
      CocalcSecretArn: this.secrets.cocalc.secretArn,
      InterserverSecretArn: this.secrets.interserver.secretArn,
      SigningSecretArn: this.secrets.signingKey.secretArn,
      RequestDeadLetterQueueUrl: this.trigger.deadLetterQueue.queueUrl,
      AlarmTopicArn: this.operations.topic.topicArn,
      DashboardName: this.operations.dashboard.dashboardName,
      // What `procure doctor` checks a deployment against (read from `cdk deploy --outputs-file`).
      TriggerRuleName: this.trigger.rule.ruleName,
      EventBusName: config.eventBusName,
      SenderEmail: config.senderEmail,
      ApproverEmails: config.approverEmails.join(','),
      CocalcBaseUrl: config.cocalcBaseUrl,
      InterserverWsdlUrl: config.interserverWsdlUrl,
      ...(config.interserverEndpoint ? { InterserverEndpoint: config.interserverEndpoint } : {}),
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value, description: STACK_OUTPUTS[name as StackOutputName] });
  }

  /**
   * ses:SendEmail on the sender's identities only: the address and its domain (SES authorizes
   * against whichever identity is verified). In the SES sandbox, SES also authorizes against each
   * recipient's identity, so the approvers' addresses are listed too; all are known at synth time.
   * Requesters are not known at synth time: their notices need SES out of the sandbox. `also`:
   * further recipients of this function (the escalation approvers).
   */
  private grantSendApprovalMail(fn: NodejsFunction, config: ProcureConfig, also: readonly string[] = []): void {
    const domain = config.senderEmail.slice(config.senderEmail.lastIndexOf('@') + 1);
    const identities = [...new Set([config.senderEmail, domain, ...config.approverEmails, ...also])];
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['ses:SendEmail'],
      resourceArns: identities.map((identity) => this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
    });
  }
}
