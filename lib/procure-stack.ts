import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { FUNCTIONS } from '../lambdas/core/functions';
import { EVENTS, type FunctionId } from '../lambdas/core/workflow';
import { ENV, monthlyCapEnv, secretArnEnv } from '../lambdas/shared/env-names';
import { VENDORS } from '../lambdas/core/vendors';
import { secretArnOutput, STACK_OUTPUTS, type StackOutputName } from './stack-outputs';
import { approvalPolicyEnv, policyApprovers } from './approval-policy-config';
import type { ProcureConfig } from './config';
import { opsEmailsOf } from './config-defaults';
import { configWarnings } from './config-warnings';
import { readProcureConfig } from './read-config';
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
import { createWorkflowFunction } from './constructs/workflow-function';
import { ERRORS_ARE_INCIDENTS } from './function-needs';
import { SIZING, USES } from './function-uses';
import { settingOutputs, settingsEnvironment } from './vendor-settings';
import { VENDOR_STACKS } from './vendor-stacks';

export interface ProcureStackProps extends StackProps {
  /**
   * Deployment configuration.
   * @default - read from CDK context by readProcureConfig (defaults: DEFAULT_PROCURE_CONFIG)
   */
  readonly config?: ProcureConfig;
}

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

    this.wireTables(fns);
    this.wireVendors(fns, config);
    this.wireApprovals(fns, config, approvalBaseUrl, followUpBaseUrl);
    this.wireWorkflow(fns, config, stateMachineArn, bus);

    this.stateMachine = new PurchaseStateMachine(this, 'PurchaseStateMachine', {
      stateMachineName,
      approvalTimeout: Duration.seconds(config.approvalTimeoutSeconds),
      functions: fns,
      vendors: VENDOR_STACKS,
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

    this.addOutputs(config, approvalBaseUrl);
  }

  /** Both tables to the functions that keep state and audit, and the narrower reads. */
  private wireTables(fns: FunctionMap): void {
    each(fns, USES.tables, (fn) => {
      setEnv(fn, { [ENV.AUDIT_TABLE_NAME]: this.auditTable.tableName, [ENV.STATE_TABLE_NAME]: this.stateTable.tableName });
      this.stateTable.grantStateAccess(fn);
      this.auditTable.grantAppend(fn);
    });
    each(fns, USES.stateReaders, (fn) => {
      setEnv(fn, { [ENV.AUDIT_TABLE_NAME]: this.auditTable.tableName, [ENV.STATE_TABLE_NAME]: this.stateTable.tableName });
      this.stateTable.grantReadItems(fn);
    });
    each(fns, USES.purchaseListers, (fn) => this.stateTable.grantListPurchases(fn));
    each(fns, USES.auditReaders, (fn) => this.auditTable.grantReadTrail(fn));
  }

  /** Each vendor's secret, address and settings to the functions that call it. */
  private wireVendors(fns: FunctionMap, config: ProcureConfig): void {
    for (const vendor of VENDOR_STACKS) {
      const secret = this.secrets.vendors[vendor.vendor];
      const env = { [secretArnEnv(vendor.vendor)]: secret.secretArn, ...settingsEnvironment(vendor.vendor, config) };
      each(fns, vendor.callers, (fn) => {
        setEnv(fn, env);
        secret.grantRead(fn);
      });
    }
  }

  /** The signing key, the approval and notice mail, the approval policy and the budget caps. */
  private wireApprovals(fns: FunctionMap, config: ProcureConfig, approvalBaseUrl: string, followUpBaseUrl: string): void {
    const approvers = policyApprovers(config);
    const policyEnv = approvalPolicyEnv(config);
    each(fns, USES.signing, (fn) => {
      setEnv(fn, { [ENV.SIGNING_SECRET_ARN]: this.secrets.signingKey.secretArn });
      this.secrets.signingKey.grantRead(fn);
    });
    each(fns, USES.approvalMail, (fn) => {
      setEnv(fn, {
        [ENV.APPROVER_EMAILS]: config.approverEmails.join(','),
        [ENV.SENDER_EMAIL]: config.senderEmail,
        [ENV.APPROVAL_BASE_URL]: approvalBaseUrl,
        [ENV.APPROVAL_TIMEOUT_SECONDS]: String(config.approvalTimeoutSeconds),
      });
      this.grantSendApprovalMail(fn, config, approvers);
    });
    each(fns, USES.followUps, (fn) => {
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
      this.grantSendApprovalMail(fn, config, [...approvers, ...escalation]);
    });
    each(fns, USES.attentionMail, (fn) => {
      // The approval base URL is where people reach the API: the mail's `procure resolve --api`.
      setEnv(fn, { [ENV.APPROVER_EMAILS]: config.approverEmails.join(','), [ENV.SENDER_EMAIL]: config.senderEmail, [ENV.APPROVAL_BASE_URL]: approvalBaseUrl });
      this.grantSendApprovalMail(fn, config);
    });
    each(fns, USES.requesterMail, (fn) => {
      setEnv(fn, { [ENV.SENDER_EMAIL]: config.senderEmail });
      this.grantSendApprovalMail(fn, config);
    });
    each(fns, USES.approvalPolicy, (fn) => setEnv(fn, policyEnv));
    each(fns, USES.budget, (fn) =>
      setEnv(fn, {
        ...Object.fromEntries(VENDORS.map((v) => [monthlyCapEnv(v), String(config.monthlyCapUsd[v])])),
        [ENV.DAILY_PURCHASE_LIMIT]: String(config.dailyPurchaseLimit),
      }),
    );
  }

  /** Starting executions, answering the approval's task token, and emitting events. */
  private wireWorkflow(fns: FunctionMap, config: ProcureConfig, stateMachineArn: string, bus: IEventBus): void {
    each(fns, USES.startExecution, (fn) => {
      setEnv(fn, { [ENV.STATE_MACHINE_ARN]: stateMachineArn });
      Grant.addToPrincipal({ grantee: fn, actions: ['states:StartExecution'], resourceArns: [stateMachineArn] });
    });
    each(fns, USES.taskResponse, (fn) =>
      // The approval callback. Scoped to the one state machine by its built ARN; its ARN is
      // deliberately NOT in this function's environment (the task token identifies the execution).
      Grant.addToPrincipal({
        grantee: fn,
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resourceArns: [stateMachineArn],
      }),
    );
    each(fns, USES.events, (fn) => {
      setEnv(fn, { [ENV.EVENT_BUS_NAME]: config.eventBusName, [ENV.EVENT_SOURCE]: EVENTS.workflowSource });
      bus.grantPutEventsTo(fn);
    });
  }

  /** The stack outputs: what the CLI and `procure doctor` read from `cdk deploy --outputs-file`. */
  private addOutputs(config: ProcureConfig, approvalBaseUrl: string): void {
    const outputs: Partial<Record<StackOutputName, string>> = {
      ApiUrl: this.purchaseApi.url,
      ApprovalBaseUrl: approvalBaseUrl,
      StateMachineArn: this.stateMachine.stateMachine.stateMachineArn,
      AuditTableName: this.auditTable.tableName,
      StateTableName: this.stateTable.tableName,
      ...Object.fromEntries(VENDORS.map((v) => [secretArnOutput(v), this.secrets.vendors[v].secretArn])),
      SigningSecretArn: this.secrets.signingKey.secretArn,
      RequestDeadLetterQueueUrl: this.trigger.deadLetterQueue.queueUrl,
      AlarmTopicArn: this.operations.topic.topicArn,
      DashboardName: this.operations.dashboard.dashboardName,
      // What `procure doctor` checks a deployment against (read from `cdk deploy --outputs-file`).
      TriggerRuleName: this.trigger.rule.ruleName,
      EventBusName: config.eventBusName,
      SenderEmail: config.senderEmail,
      ApproverEmails: config.approverEmails.join(','),
      // Each vendor's settings that declare an output (lib/vendor-settings.ts).
      ...settingOutputs(config),
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

type FunctionMap = Readonly<Record<FunctionId, NodejsFunction>>;

/** Runs `wire` for each function of a group. */
function each(fns: FunctionMap, ids: readonly FunctionId[], wire: (fn: NodejsFunction) => void): void {
  for (const fid of ids) wire(fns[fid]);
}

function setEnv(fn: NodejsFunction, vars: Record<string, string>): void {
  for (const [k, v] of Object.entries(vars)) fn.addEnvironment(k, v);
}
