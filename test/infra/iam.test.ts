import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/core/functions';
import type { FunctionId } from '../../lambdas/core/workflow';
import { ENV } from '../../lambdas/shared/env-names';
import { iamStatements, referencedIds, roleOf, statementsOf, synthProcure, type Synthesized } from './synth';
import { COCALC_ENV } from '../../lambdas/vendors/cocalc/shared/env-names';
import { INTERSERVER_ENV } from '../../lambdas/vendors/interserver/shared/env-names';
import { REGISTERED_SETTINGS } from '../../lib/registered-settings';
import type { VendorSetting } from '../../lib/vendor-setting';

/**
 * Least privilege, function by function: the environment each function gets, the IAM statements
 * its role holds, and the few statements anywhere in the stack that need a wildcard.
 */

const ALL = Object.keys(FUNCTIONS) as FunctionId[];
const except = (...ids: FunctionId[]): FunctionId[] => ALL.filter((f) => !ids.includes(f));

/** The variables each function must have (the brief's table), beyond the two defaults. */
const EXPECTED_ENV: Record<FunctionId, string[]> = (() => {
  const env = Object.fromEntries(ALL.map((f) => [f, [] as string[]])) as Record<FunctionId, string[]>;
  const add = (ids: FunctionId[], ...names: string[]): void =>
    ids.forEach((f) => {
      env[f].push(...names);
    });
  add(except('ListLicenses'), ENV.AUDIT_TABLE_NAME, ENV.STATE_TABLE_NAME);
  add(
    ['PreparePurchase', 'CocalcAddToCart', 'CocalcCheckout', 'VerifyLicense', 'RecordOutcome', 'ListLicenses'],
    ENV.COCALC_SECRET_ARN,
    COCALC_ENV.BASE_URL,
    COCALC_ENV.CHECKOUT_MODE,
  );
  // INTERSERVER_ENDPOINT is set only when configured (covered in config.test.ts).
  add(
    ['PreparePurchase', 'InterserverBuy', 'VerifyLicense', 'ListLicenses', 'QuotesApi'],
    ENV.INTERSERVER_SECRET_ARN,
    INTERSERVER_ENV.WSDL_URL,
    INTERSERVER_ENV.PAYMENT_POLICY,
  );
  add(['RequestApproval', 'ApprovalsApi', 'ApprovalReminders'], ENV.SIGNING_SECRET_ARN);
  // The follow-ups: fresh links (base URL, timeout for the cold-start check) and the reminder offsets;
  // the escalation variables only when escalation approvers are configured (config.test.ts).
  add(['ApprovalReminders'], ENV.SENDER_EMAIL, ENV.APPROVAL_BASE_URL, ENV.APPROVAL_TIMEOUT_SECONDS, ENV.APPROVAL_REMINDER_OFFSETS_SECONDS);
  add(['RequestApproval'], ENV.APPROVER_EMAILS, ENV.SENDER_EMAIL, ENV.APPROVAL_BASE_URL, ENV.APPROVAL_TIMEOUT_SECONDS);
  add(['RecordOutcome'], ENV.APPROVER_EMAILS, ENV.SENDER_EMAIL, ENV.APPROVAL_BASE_URL);
  // The requester's approval notice: the sender alone (no approver list, no links in it).
  add(['ApprovalsApi', 'PurchasesApi'], ENV.SENDER_EMAIL);
  // The approval policy by amount: RequestApproval asks the tier's approvers, the money steps
  // re-check the approval against their own policy (lambdas/core/verify-approval.ts), QuotesApi tells
  // a quote's tier, and reads the month's budget left.
  add(['PreparePurchase', 'RequestApproval', 'CocalcCheckout', 'InterserverBuy', 'QuotesApi'], ENV.APPROVAL_POLICY);
  // ApprovalReminders: the budget line of a follow-up mail, as in the first.
  add(
    ['PreparePurchase', 'RequestApproval', 'ApprovalsApi', 'ApprovalReminders', 'RecordOutcome', 'PurchasesApi', 'QuotesApi'],
    ENV.MONTHLY_CAP_COCALC_USD,
    ENV.MONTHLY_CAP_INTERSERVER_USD,
    ENV.DAILY_PURCHASE_LIMIT,
  );
  add(['PurchasesApi', 'Intake'], ENV.STATE_MACHINE_ARN);
  add(['Intake', 'PurchasesApi', 'RecordOutcome'], ENV.EVENT_BUS_NAME, ENV.EVENT_SOURCE);
  // Reconcile closes stale purchases through RecordOutcome's code: its environment, plus the
  // state machine ARN its executions are described by.
  env.Reconcile = [...env.RecordOutcome, ENV.STATE_MACHINE_ARN];
  return env;
})();

/** Which secret each function may read. */
const EXPECTED_SECRETS: Record<FunctionId, Array<'Cocalc' | 'Interserver' | 'ApprovalSigningKey'>> = {
  PurchasesApi: [],
  Intake: [],
  PreparePurchase: ['Cocalc', 'Interserver'],
  CocalcAddToCart: ['Cocalc'],
  RequestApproval: ['ApprovalSigningKey'],
  ApprovalsApi: ['ApprovalSigningKey'],
  CocalcCheckout: ['Cocalc'],
  InterserverBuy: ['Interserver'],
  VerifyLicense: ['Cocalc', 'Interserver'],
  RecordOutcome: ['Cocalc'],
  ListLicenses: ['Cocalc', 'Interserver'],
  Reconcile: ['Cocalc'],
  QuotesApi: ['Interserver'],
  ApprovalReminders: ['ApprovalSigningKey'],
};

let s: Synthesized;
beforeAll(() => {
  s = synthProcure();
});
afterAll(() => s.dispose());

const envOf = (id: FunctionId): Record<string, unknown> =>
  (s.json.Resources[s.fnId(id)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const secretId = (name: string): string => s.stack.getLogicalId(s.stack.secrets.node.findChild(name).node.defaultChild as never);
const flat = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

describe('function environment', () => {
  it.each(ALL)('%s gets exactly the variables it uses', (id) => {
    const names = Object.keys(envOf(id)).filter((k) => k !== 'NODE_OPTIONS' && k !== 'POWERTOOLS_SERVICE_NAME');
    expect(names.sort()).toEqual([...EXPECTED_ENV[id]].sort());
    expect(envOf(id)).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'procure' });
  });

  it("uses only procure's own variable names (env-names.ts) and those of the vendors' settings", () => {
    const settingVariables = Object.values(REGISTERED_SETTINGS).flatMap((settings) => Object.values(settings).map((s: VendorSetting) => s.variable));
    const known = new Set<string>([...Object.values(ENV), ...settingVariables, 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
    for (const id of ALL) for (const name of Object.keys(envOf(id))) expect(known, `${id}: ${name}`).toContain(name);
  });

  it('gives Intake and PurchasesApi the state machine ARN built from its fixed name, which equals its real ARN', () => {
    const smId = Object.keys(s.template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const real = s.resolve({ Ref: smId });
    expect(s.resolve(envOf('Intake')[ENV.STATE_MACHINE_ARN])).toBe(real);
    expect(s.resolve(envOf('PurchasesApi')[ENV.STATE_MACHINE_ARN])).toBe(real);
    expect(real).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Procure-Purchase');
  });

  it('defaults the approval base URL to the API stage URL', () => {
    const url = s.resolve(envOf('RequestApproval')[ENV.APPROVAL_BASE_URL]) as string;
    expect(url).toMatch(/^https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/prod\/$/);
    // ApprovalReminders (behind a route itself) gets the same URL, built without the stage.
    expect(s.resolve(envOf('ApprovalReminders')[ENV.APPROVAL_BASE_URL])).toBe(url);
  });
});

describe('IAM scope', () => {
  /**
   * The only statements in the stack whose resources contain `*`, each justified where it is
   * granted (and acknowledged for cdk-nag there):
   * - the state machine role: Step Functions log delivery and X-Ray accept only `*`;
   * - each function's role: X-Ray's PutTraceSegments / PutTelemetryRecords (active tracing) accept only `*`;
   * - the state machine role: lambda:InvokeFunction on `<task function ARN>:*` (versions/aliases);
   * - the reconciler's schedule role: the same, on the Reconcile function;
   * - the approval follow-ups' schedule role: the same, on the ApprovalReminders function;
   * - Reconcile: states:DescribeExecution on the purchase machine's executions (`execution:<machine>:*`).
   */
  it('has no wildcard resource except the listed, justified ones', () => {
    const smRole = s.stack.getLogicalId(s.stack.stateMachine.stateMachine.role.node.defaultChild as never);
    const scheduleRole = s.stack.getLogicalId(s.stack.reconciler.node.findChild('ScheduleRole').node.defaultChild as never);
    const followUpRole = s.stack.getLogicalId(s.stack.followUps.node.findChild('ScheduleRole').node.defaultChild as never);
    // A `*` written into the template (CloudFormation's own LogGroup `Arn` attribute also ends in
    // `:*`, meaning that group's streams; a GetAtt of it is not a wildcard we wrote).
    const wildcards = iamStatements(s.json)
      .filter((st) => st.effect === 'Allow')
      .flatMap((st) => st.resources.filter((r) => JSON.stringify(r).includes('*')).map((r) => ({ st, r: flat(s.resolve(r)) })));

    const justified = wildcards.map(({ st, r }) => {
      if (st.roles.includes(smRole) && r === '*') return `sm:*:${[...st.actions].sort().join(',')}`;
      if (ALL.some((id) => st.roles.includes(roleOf(s, id))) && r === '*') return `fn:*:${[...st.actions].sort().join(',')}`;
      if (st.roles.includes(smRole) && /^arn:aws:lambda:us-east-1:123456789012:function:[A-Za-z]+[0-9A-F]{8}:\*$/.test(r)) {
        expect(st.actions).toEqual(['lambda:InvokeFunction']);
        return 'sm:invoke-qualified';
      }
      if (st.roles.includes(scheduleRole) && r === `arn:aws:lambda:us-east-1:123456789012:function:${s.fnId('Reconcile')}:*`) {
        expect(st.actions).toEqual(['lambda:InvokeFunction']);
        return 'schedule:invoke-qualified';
      }
      if (st.roles.includes(followUpRole) && r === `arn:aws:lambda:us-east-1:123456789012:function:${s.fnId('ApprovalReminders')}:*`) {
        expect(st.actions).toEqual(['lambda:InvokeFunction']);
        return 'follow-up-schedule:invoke-qualified';
      }
      if (st.roles.includes(roleOf(s, 'Reconcile')) && r === 'arn:aws:states:us-east-1:123456789012:execution:Procure-Purchase:*') {
        expect(st.actions).toEqual(['states:DescribeExecution']);
        return 'reconcile:describe-executions';
      }
      return `UNJUSTIFIED ${st.policyId}: ${st.actions.join(',')} on ${r}`;
    });
    expect(justified.filter((j) => j.startsWith('UNJUSTIFIED'))).toEqual([]);
    expect(new Set(justified)).toEqual(
      new Set([
        // One statement (cdk.json's @aws-cdk/aws-iam:minimizePolicies merges statements with equal resources).
        'sm:*:logs:CreateLogDelivery,logs:DeleteLogDelivery,logs:DescribeLogGroups,logs:DescribeResourcePolicies,logs:GetLogDelivery,logs:ListLogDeliveries,logs:PutResourcePolicy,logs:UpdateLogDelivery,xray:GetSamplingRules,xray:GetSamplingTargets,xray:PutTelemetryRecords,xray:PutTraceSegments',
        'fn:*:xray:PutTelemetryRecords,xray:PutTraceSegments',
        'sm:invoke-qualified',
        'schedule:invoke-qualified',
        'follow-up-schedule:invoke-qualified',
        'reconcile:describe-executions',
      ]),
    );
  });

  it('has no wildcard actions', () => {
    const actions = iamStatements(s.json).flatMap((st) => st.actions);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('never grants UpdateItem, DeleteItem or any batch/PartiQL write on the audit table', () => {
    const audit = s.stack.getLogicalId(s.stack.auditTable.node.defaultChild as never);
    const onAudit = iamStatements(s.json).filter((st) => st.effect === 'Allow' && referencedIds(st.resources).includes(audit));
    expect(onAudit.length).toBeGreaterThan(0);
    for (const st of onAudit) expect(['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query']).toEqual(expect.arrayContaining(st.actions));
    // No statement anywhere carries those actions at all (the state table's grant is separate).
    const risky = iamStatements(s.json).filter(
      (st) =>
        st.effect === 'Allow' &&
        st.actions.some((a) => /^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|PartiQL)/.test(a)) &&
        referencedIds(st.resources).includes(audit),
    );
    expect(risky).toEqual([]);
  });

  it('denies changing audit entries to every principal in the table resource policy', () => {
    const audit = s.json.Resources[s.stack.getLogicalId(s.stack.auditTable.node.defaultChild as never)]!;
    const statements = (audit.Properties!.ResourcePolicy as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']),
      }),
    ]);
  });

  it.each(ALL)('%s may read only the secrets it needs', (id) => {
    const read = statementsOf(s, id)
      .filter((st) => st.actions.some((a) => a.startsWith('secretsmanager:')))
      .flatMap((st) => {
        expect(st.actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        return referencedIds(st.resources);
      });
    const expected = EXPECTED_SECRETS[id].map(secretId);
    expect(read.sort()).toEqual(expected.sort());
  });

  it.each(ALL)('%s touches only its tables, with the expected actions', (id) => {
    const audit = s.stack.getLogicalId(s.stack.auditTable.node.defaultChild as never);
    const state = s.stack.getLogicalId(s.stack.stateTable.node.defaultChild as never);
    const ddb = statementsOf(s, id).filter((st) => st.actions.some((a) => a.startsWith('dynamodb:')));
    const byTable = (table: string): string[] =>
      [...new Set(ddb.filter((st) => referencedIds(st.resources).includes(table)).flatMap((st) => st.actions))].sort();
    if (id === 'ListLicenses') {
      expect(ddb).toEqual([]);
      return;
    }
    if (id === 'QuotesApi') {
      // A quote reads the month's budget counter and writes nothing: no audit entry, no reservation.
      expect(byTable(state)).toEqual(['dynamodb:GetItem']);
      expect(byTable(audit)).toEqual([]);
      return;
    }
    // PurchasesApi and ApprovalReminders also query the state table's purchase index (named below).
    const listing = id === 'PurchasesApi' || id === 'ApprovalReminders' ? ['dynamodb:Query'] : [];
    expect(byTable(state)).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', ...listing, 'dynamodb:UpdateItem'].sort());
    const auditActions = byTable(audit);
    expect(auditActions).toContain('dynamodb:PutItem');
    expect(auditActions.every((a) => ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'].includes(a))).toBe(true);
  });

  it('lets only the audit readers query, and names the byStatus index instead of index/*', () => {
    const readers = ALL.filter((id) => statementsOf(s, id).some((st) => st.actions.includes('dynamodb:Query')));
    // The money steps (CocalcCheckout, InterserverBuy) read the approval round APPROVAL_SENT names.
    // ApprovalReminders queries only the state table's purchase index (below), not the audit table.
    expect(readers.sort()).toEqual([
      'ApprovalReminders',
      'CocalcAddToCart',
      'CocalcCheckout',
      'InterserverBuy',
      'PreparePurchase',
      'PurchasesApi',
      'Reconcile',
      'RecordOutcome',
    ]);
    const auditId = s.stack.getLogicalId(s.stack.auditTable.node.defaultChild as never);
    const query = statementsOf(s, 'PurchasesApi').find((st) => st.actions.includes('dynamodb:Query') && referencedIds(st.resources).includes(auditId))!;
    expect(query.resources.map((r) => s.resolve(r))).toEqual([
      'arn:aws:dynamodb:us-east-1:123456789012:table/' + s.stack.getLogicalId(s.stack.auditTable.node.defaultChild as never),
      'arn:aws:dynamodb:us-east-1:123456789012:table/' + s.stack.getLogicalId(s.stack.auditTable.node.defaultChild as never) + '/index/byStatus',
    ]);
  });

  it("lets only PurchasesApi and ApprovalReminders list purchases: Query on the state table's purchasesByStatus index, named, and nothing else on it", () => {
    const state = s.stack.getLogicalId(s.stack.stateTable.node.defaultChild as never);
    const onState = ALL.flatMap((id) =>
      statementsOf(s, id)
        .filter((st) => st.actions.includes('dynamodb:Query') && referencedIds(st.resources).includes(state))
        .map((st) => ({ id, actions: st.actions, resources: st.resources.map((r) => s.resolve(r)) })),
    );
    const index = [`arn:aws:dynamodb:us-east-1:123456789012:table/${state}/index/purchasesByStatus`];
    expect(onState).toEqual([
      { id: 'PurchasesApi', actions: ['dynamodb:Query'], resources: index },
      { id: 'ApprovalReminders', actions: ['dynamodb:Query'], resources: index },
    ]);
    // No Scan anywhere: a page of the listing is key conditions on the index.
    expect(
      iamStatements(s.json)
        .flatMap((st) => st.actions)
        .filter((a) => a === 'dynamodb:Scan'),
    ).toEqual([]);
  });

  it('lets only RequestApproval and ApprovalReminders (approval links), RecordOutcome and Reconcile (the NEEDS_ATTENTION mail and requester notices), ApprovalsApi (the approval notice) and PurchasesApi (the notice of a resolved purchase) send mail, from the sender identity (and the sandbox recipients)', () => {
    const senders = ALL.filter((id) => statementsOf(s, id).some((st) => st.actions.some((a) => a.startsWith('ses:'))));
    expect(senders.sort()).toEqual(['ApprovalReminders', 'ApprovalsApi', 'PurchasesApi', 'Reconcile', 'RecordOutcome', 'RequestApproval']);
    for (const id of senders) {
      const ses = statementsOf(s, id).filter((x) => x.actions.some((a) => a.startsWith('ses:')));
      expect(ses).toHaveLength(1);
      expect(ses[0]!.actions).toEqual(['ses:SendEmail']);
      expect(ses[0]!.resources.map((r) => String(s.resolve(r))).sort()).toEqual([
        'arn:aws:ses:us-east-1:123456789012:identity/approver@example.com',
        'arn:aws:ses:us-east-1:123456789012:identity/example.com',
        'arn:aws:ses:us-east-1:123456789012:identity/procure@example.com',
      ]);
    }
  });

  it('lets Intake, PurchasesApi, RecordOutcome and Reconcile put events on the configured bus only', () => {
    const putters = ALL.filter((id) => statementsOf(s, id).some((st) => st.actions.includes('events:PutEvents')));
    expect(putters.sort()).toEqual(['Intake', 'PurchasesApi', 'Reconcile', 'RecordOutcome']);
    for (const id of putters) {
      const st = statementsOf(s, id).find((x) => x.actions.includes('events:PutEvents'))!;
      expect(st.resources.map((r) => s.resolve(r))).toEqual(['arn:aws:events:us-east-1:123456789012:event-bus/default']);
    }
  });

  it('lets Intake and PurchasesApi start executions of the purchase state machine only', () => {
    const starters = ALL.filter((id) => statementsOf(s, id).some((st) => st.actions.includes('states:StartExecution')));
    expect(starters.sort()).toEqual(['Intake', 'PurchasesApi']);
    for (const id of starters) {
      const st = statementsOf(s, id).find((x) => x.actions.includes('states:StartExecution'))!;
      expect(st.resources.map((r) => s.resolve(r))).toEqual(['arn:aws:states:us-east-1:123456789012:stateMachine:Procure-Purchase']);
    }
  });

  it('lets only ApprovalsApi answer task tokens, on the state machine ARN, without the ARN in its environment', () => {
    const answerers = ALL.filter((id) => statementsOf(s, id).some((st) => st.actions.some((a) => a.startsWith('states:SendTask'))));
    expect(answerers).toEqual(['ApprovalsApi']);
    const st = statementsOf(s, 'ApprovalsApi').find((x) => x.actions.includes('states:SendTaskSuccess'))!;
    expect(st.actions.sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess']);
    expect(st.resources.map((r) => s.resolve(r))).toEqual(['arn:aws:states:us-east-1:123456789012:stateMachine:Procure-Purchase']);
    // Built from the name: no Ref to the state machine, hence no G8 cycle.
    const smId = Object.keys(s.template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    expect(referencedIds(st.resources)).not.toContain(smId);
    expect(envOf('ApprovalsApi')).not.toHaveProperty(ENV.STATE_MACHINE_ARN);
  });

  it('gives each function a role of its own that may write only its own log group', () => {
    const roles = new Set(ALL.map((id) => roleOf(s, id)));
    expect(roles.size).toBe(ALL.length);
    for (const id of ALL) {
      const role = s.json.Resources[roleOf(s, id)]!;
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      const logs = statementsOf(s, id).filter((st) => st.actions.some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(logs[0]!.actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      const logGroup = (s.json.Resources[s.fnId(id)]!.Properties!.LoggingConfig as { LogGroup: unknown }).LogGroup;
      expect(referencedIds(logs[0]!.resources)).toEqual(referencedIds(logGroup));
    }
  });
});

describe('dependency graph', () => {
  it('has no cycle (toolchain.md G8: state machine <-> callback function)', () => {
    const edges = new Map<string, string[]>();
    for (const [id, r] of Object.entries(s.json.Resources)) {
      const deps = new Set([...referencedIds(r.Properties ?? {}), ...[(r as { DependsOn?: string | string[] }).DependsOn ?? []].flat()]);
      edges.set(
        id,
        [...deps].filter((d) => d in s.json.Resources),
      );
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycle: string[] = [];
    const visit = (id: string, path: string[]): boolean => {
      if (state.get(id) === 'done') return false;
      if (state.get(id) === 'visiting') {
        cycle.push(...path.slice(path.indexOf(id)), id);
        return true;
      }
      state.set(id, 'visiting');
      for (const d of edges.get(id) ?? []) if (visit(d, [...path, id])) return true;
      state.set(id, 'done');
      return false;
    };
    for (const id of edges.keys()) if (visit(id, [])) break;
    expect(cycle).toEqual([]);
  });
});
