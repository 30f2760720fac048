import { z } from 'zod';
import { EVENTS } from '../lambdas/core/workflow';
import type { Vendor } from '../lambdas/core/purchase-request';
import { COCALC_CHECKOUT_MODES, type CocalcCheckoutMode } from '../lambdas/core/cocalc-checkout-mode';
import { INTERSERVER_PAYMENT_POLICIES, type InterserverPaymentPolicy } from '../lambdas/shared/config';
import { followUpIssues } from './follow-up-config';
import { approvalPolicyIssues, approvalPolicyWarnings, type ApprovalTierConfig } from './approval-policy-config';

/**
 * Deployment configuration of the procure stack: who approves, what may be spent, where the
 * vendors are, which events start a purchase. Read from CDK context at synth time (see
 * {@link readProcureConfig}) and turned into Lambda environment variables by the stack; the
 * handlers validate the same values again at cold start (lambdas/shared/config.ts).
 */
export interface ProcureConfig {
  /**
   * Who receives approval mails; every one gets its own signed link.
   * @default ['approver@example.com']
   */
  readonly approverEmails: readonly string[];
  /**
   * Who the alarm topic mails (failed or stuck executions, the request dead-letter queue, function
   * errors, purchases ending NEEDS_ATTENTION or FAILED); each address confirms its subscription.
   * @default - the approvers ({@link opsEmailsOf})
   */
  readonly opsEmails?: readonly string[];
  /**
   * SES sender address (a verified SES identity, or an address in a verified domain).
   * @default 'procure@example.com'
   */
  readonly senderEmail: string;
  /**
   * Base URL of the approval links in the mails (no trailing slash needed).
   * @default - the URL of the stack's own API stage
   */
  readonly approvalBaseUrl?: string;
  /**
   * Monthly spend cap per vendor, USD; the spend guard refuses a reservation above it.
   * @default { cocalc: 500, interserver: 200 }
   */
  readonly monthlyCapUsd: Readonly<Record<Vendor, number>>;
  /**
   * Purchases allowed per UTC day across both vendors (0 stops all purchases).
   * @default 10
   */
  readonly dailyPurchaseLimit: number;
  /**
   * Amount at or below which a purchase is approved without a human; negative = always ask.
   * @default -1
   */
  readonly autoApproveMaxUsd: number;
  /**
   * Approval policy by amount: tiers by ascending `upToUsd` (the last without it takes every larger
   * amount), each needing `approvals` distinct approvers (0 = approved by policy) from the named
   * `approverLists` in `from` (unset: approverEmails). Escalation approvers count in every tier.
   * E.g. `[{"upToUsd": 50, "approvals": 0}, {"upToUsd": 500, "approvals": 1}, {"approvals": 2, "from": ["finance"]}]`.
   * @default - from autoApproveMaxUsd: approved by policy up to it, then any one approver
   */
  readonly approvalTiers?: readonly ApprovalTierConfig[];
  /**
   * Named lists of approvers the tiers' `from` picks, e.g. `{"finance": ["cfo@x.com", "controller@x.com"]}`.
   * @default - none
   */
  readonly approverLists?: Readonly<Record<string, readonly string[]>>;
  /**
   * How long an approval link, and the workflow's wait for it, lasts.
   * @default 259200 (72 hours)
   */
  readonly approvalTimeoutSeconds: number;
  /**
   * Seconds before the approval links expire at which everyone asked who has not decided gets a
   * reminder with a fresh link; each shorter than approvalTimeoutSeconds; `[]` for none.
   * @default - one reminder a day before expiry, or halfway through a timeout of two days or less ({@link reminderOffsetsOf})
   */
  readonly approvalReminderOffsetsSeconds?: readonly number[];
  /**
   * Who is asked as well, each with their own link, when nobody has decided
   * approvalEscalationDelaySeconds after the request.
   * @default - no escalation
   */
  readonly approvalEscalationEmails?: readonly string[];
  /**
   * Seconds after the approval request at which the escalation approvers are asked; shorter than
   * approvalTimeoutSeconds.
   * @default - half the approval timeout ({@link escalationDelayOf})
   */
  readonly approvalEscalationDelaySeconds?: number;
  /**
   * CoCalc API v2 base URL.
   * @default 'https://cocalc.com/api/v2'
   */
  readonly cocalcBaseUrl: string;
  /**
   * CoCalc checkout call: `current` (shopping/cart/checkout) or `legacy` (the older endpoint).
   * @default 'current'
   */
  readonly cocalcCheckoutMode: CocalcCheckoutMode;
  /**
   * InterServer SOAP WSDL.
   * @default 'https://my.interserver.net/api.php?wsdl'
   */
  readonly interserverWsdlUrl: string;
  /**
   * InterServer SOAP endpoint, when it differs from the WSDL URL without its query string.
   * @default - derived from interserverWsdlUrl by the handlers
   */
  readonly interserverEndpoint?: string;
  /**
   * What InterServer buys do about payment: leave the invoice unpaid, pay only from PrePay, or pay now.
   * @default 'leave-unpaid'
   */
  readonly interserverPaymentPolicy: InterserverPaymentPolicy;
  /**
   * EventBridge `source` of incoming "License Purchase Requested" events.
   * @default 'procure.requests' (EVENTS.defaultRequestSource)
   */
  readonly requestEventSource: string;
  /**
   * Event bus procure listens on and publishes to.
   * @default 'default'
   */
  readonly eventBusName: string;
  /**
   * Minutes between reconciler runs (EventBridge Scheduler on AWS, a timer in the local runtime).
   * @default 10
   */
  readonly reconcileIntervalMinutes: number;
  /**
   * API Gateway access logs, which need the account-and-region-wide API Gateway CloudWatch role
   * (`aws apigateway get-account` shows its `cloudwatchRoleArn`); a stage with access logs fails to
   * deploy where it was never set. See {@link API_ACCESS_LOG_MODES}.
   * @default 'off'
   */
  readonly apiAccessLogs: ApiAccessLogMode;
}

/**
 * How the API stage logs calls:
 * - `off`: no access logs; deploys on any account (a fresh one included);
 * - `account-has-role`: access logs on; the operator has checked that the account and region
 *   already have API Gateway's CloudWatch role (set by hand or by another stack);
 * - `create-account-role`: access logs on, and this stack creates the role and sets it as the
 *   account's (`AWS::ApiGateway::Account`, one per account and region: use it in one stack only).
 *   Both are retained on `cdk destroy`, so the account setting keeps pointing at a role that exists.
 */
export const API_ACCESS_LOG_MODES = ['off', 'account-has-role', 'create-account-role'] as const;
export type ApiAccessLogMode = (typeof API_ACCESS_LOG_MODES)[number];

/** The defaults, exported so the local runtime and the docs show the same values. */
export const DEFAULT_PROCURE_CONFIG: Readonly<ProcureConfig> = Object.freeze({
  approverEmails: Object.freeze(['approver@example.com']),
  senderEmail: 'procure@example.com',
  monthlyCapUsd: Object.freeze({ cocalc: 500, interserver: 200 }),
  dailyPurchaseLimit: 10,
  autoApproveMaxUsd: -1,
  approvalTimeoutSeconds: 259_200,
  cocalcBaseUrl: 'https://cocalc.com/api/v2',
  cocalcCheckoutMode: 'current',
  interserverWsdlUrl: 'https://my.interserver.net/api.php?wsdl',
  interserverPaymentPolicy: 'leave-unpaid',
  requestEventSource: EVENTS.defaultRequestSource,
  eventBusName: 'default',
  reconcileIntervalMinutes: 10,
  apiAccessLogs: 'off',
});

/** Who the alarm topic mails: {@link ProcureConfig.opsEmails}, else the approvers. */
export function opsEmailsOf(config: ProcureConfig): readonly string[] {
  return config.opsEmails ?? config.approverEmails;
}

/** Context key of the configuration object (cdk.json `context.procure`). */
const PROCURE_CONTEXT_KEY = 'procure';

/** Approval rounds one purchase can take: a quote mismatch at checkout asks again. */
const APPROVAL_ROUNDS = 2;
/** Time an execution gets for everything besides waiting for approvals. */
const WORK_SECONDS = 3600;
/** Step Functions' limit on a standard execution: one year. */
const MAX_EXECUTION_SECONDS = 365 * 24 * 3600;

/**
 * The purchase state machine's timeout for a given approval wait: two approval rounds plus an
 * hour for everything else.
 */
export function executionTimeoutSeconds(approvalTimeoutSeconds: number): number {
  return APPROVAL_ROUNDS * approvalTimeoutSeconds + WORK_SECONDS;
}

/** Longest approval wait whose {@link executionTimeoutSeconds} still fits Step Functions' one-year limit. */
export const MAX_APPROVAL_TIMEOUT_SECONDS = Math.floor((MAX_EXECUTION_SECONDS - WORK_SECONDS) / APPROVAL_ROUNDS);

/** A configuration value failed validation; the message lists every problem. */
export class ProcureConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid procure configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ProcureConfigError';
  }
}

// Context values given with `cdk synth -c procure:key=value` arrive as strings: coerce them.
const csv = (v: unknown): unknown =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : v;
const json = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
const num = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const usd = z.number().min(0);
const LIST_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const schema = z
  .object({
    approverEmails: z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one approver')),
    opsEmails: z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one address (leave it unset for the approvers)')).optional(),
    senderEmail: z.email(),
    approvalBaseUrl: httpUrl.optional(),
    monthlyCapUsd: z.preprocess(json, z.object({ cocalc: z.preprocess(num, usd), interserver: z.preprocess(num, usd) }).strict()),
    dailyPurchaseLimit: z.preprocess(num, z.number().int().min(0)),
    autoApproveMaxUsd: z.preprocess(num, z.number()),
    approvalTiers: z
      .preprocess(
        json,
        z
          .array(
            z
              .object({
                upToUsd: z.preprocess(num, usd).optional(),
                approvals: z.preprocess(num, z.number().int().min(0)),
                from: z.array(z.string().regex(LIST_NAME, 'must be an approver list name')).min(1).optional(),
              })
              .strict(),
          )
          .min(1, 'needs at least one tier')
          .max(10, 'at most 10 tiers'),
      )
      .optional(),
    approverLists: z
      .preprocess(
        json,
        z.record(z.string().regex(LIST_NAME, 'must be letters, digits, - or _'), z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one address'))),
      )
      .optional(),
    approvalTimeoutSeconds: z.preprocess(
      num,
      // 60 s floor: anything shorter cannot be answered by a human (tests shorten it in the ASL instead).
      z.number().int().min(60).max(MAX_APPROVAL_TIMEOUT_SECONDS),
    ),
    approvalReminderOffsetsSeconds: z
      .preprocess((v) => (v === '' ? [] : csv(json(v))), z.array(z.preprocess(num, z.number().int().min(1))).max(10, 'at most 10 reminders'))
      .optional(),
    approvalEscalationEmails: z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one address (leave it unset for no escalation)')).optional(),
    approvalEscalationDelaySeconds: z.preprocess(num, z.number().int().min(1)).optional(),
    cocalcBaseUrl: httpUrl,
    cocalcCheckoutMode: z.enum(COCALC_CHECKOUT_MODES),
    interserverWsdlUrl: httpUrl,
    interserverEndpoint: httpUrl.optional(),
    interserverPaymentPolicy: z.enum(INTERSERVER_PAYMENT_POLICIES),
    requestEventSource: z
      .string()
      .min(1)
      .max(256)
      // EventBridge reserves "aws." sources for AWS services; PutEvents refuses them.
      .refine((s) => !s.startsWith('aws.'), 'must not start with "aws." (reserved for AWS services)'),
    eventBusName: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[/.\-_A-Za-z0-9]+$/, 'must be an event bus name (not an ARN)'),
    // A whole number of minutes (Scheduler's rate unit), at most a day.
    reconcileIntervalMinutes: z.preprocess(num, z.number().int().min(1).max(1440)),
    apiAccessLogs: z.enum(API_ACCESS_LOG_MODES),
  })
  .strict();

function describe(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(config)'}: ${i.message}`);
}

/**
 * Defaults merged with `overrides` (a partial config, e.g. the `procure` context object), then
 * validated. `monthlyCapUsd` may be given partially. Unknown keys are errors, so a typo does not
 * silently fall back to a default.
 */
export function resolveProcureConfig(overrides: unknown = {}): ProcureConfig {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ProcureConfigError([`(config): must be an object, got ${JSON.stringify(overrides)}`]);
  }
  const given = overrides as Record<string, unknown>;
  const caps = json(given.monthlyCapUsd);
  const merged: Record<string, unknown> = {
    ...DEFAULT_PROCURE_CONFIG,
    ...given,
    monthlyCapUsd:
      caps && typeof caps === 'object' && !Array.isArray(caps)
        ? { ...DEFAULT_PROCURE_CONFIG.monthlyCapUsd, ...(caps as object) }
        : (caps ?? DEFAULT_PROCURE_CONFIG.monthlyCapUsd),
  };
  // An empty string from `-c procure:interserverEndpoint=` means "not set".
  for (const key of [
    'approvalBaseUrl',
    'interserverEndpoint',
    'opsEmails',
    'approvalEscalationEmails',
    'approvalEscalationDelaySeconds',
    'approvalTiers',
    'approverLists',
  ]) {
    if (merged[key] === '' || merged[key] === undefined) delete merged[key];
  }
  const r = schema.safeParse(merged);
  if (!r.success) throw new ProcureConfigError(describe(r.error));
  const issues = [...followUpIssues(r.data), ...approvalPolicyIssues(r.data, given.autoApproveMaxUsd !== undefined), ...counterSizeIssues(r.data)];
  if (issues.length) throw new ProcureConfigError(issues);
  // Unset optionals were deleted above, so the parsed object has no `undefined`-valued keys.
  return r.data;
}

/** Bytes a purchase in flight takes in a budget or daily counter item (`p_<purchaseId>`: a number), rounded up. */
const COUNTER_BYTES_PER_PURCHASE = 64;
/** Of DynamoDB's 400 KB item limit, what purchases in flight may fill; the rest is headroom for NEEDS_ATTENTION ones. */
const COUNTER_BUDGET_BYTES = 300_000;

/**
 * A budget counter names the purchases whose money may still move (lambdas/adapters/aws/
 * dynamo-spend-guard.ts): at most the daily limit for every day an execution can last, plus one.
 * Keeping that under DynamoDB's item limit makes the limit unreachable whatever the caps.
 */
function counterSizeIssues(config: Pick<ProcureConfig, 'dailyPurchaseLimit' | 'approvalTimeoutSeconds'>): string[] {
  const days = Math.ceil(executionTimeoutSeconds(config.approvalTimeoutSeconds) / 86_400) + 1;
  const inFlight = config.dailyPurchaseLimit * days;
  const most = Math.floor(COUNTER_BUDGET_BYTES / COUNTER_BYTES_PER_PURCHASE / days);
  return inFlight * COUNTER_BYTES_PER_PURCHASE > COUNTER_BUDGET_BYTES
    ? [
        `dailyPurchaseLimit: ${config.dailyPurchaseLimit} a day could keep ${inFlight} purchases in flight over the ${days} days an execution can last, more than a budget counter item holds; at most ${most} with this approvalTimeoutSeconds`,
      ]
    : [];
}

/**
 * Domains reserved for documentation and testing (RFC 2606): SES cannot verify them and mail to
 * them never arrives. The default addresses are in one.
 */
const RESERVED_MAIL_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

const isReservedAddress = (email: string): boolean => RESERVED_MAIL_DOMAIN.test(email.slice(email.lastIndexOf('@') + 1));

/** A configuration value that synthesizes but cannot work once deployed. */
export interface ConfigWarning {
  /** The config key. */
  readonly key: keyof ProcureConfig;
  /** What is wrong and the `-c procure:<key>=...` that fixes it. */
  readonly message: string;
}

/**
 * What would deploy silently and fail at the first purchase: a sender or approver address in a
 * reserved example domain (the defaults are). The stack reports each as a synth warning; the
 * handlers cannot tell, since SES only refuses the mail when it is sent.
 */
export function configWarnings(config: ProcureConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (isReservedAddress(config.senderEmail)) {
    warnings.push({
      key: 'senderEmail',
      message: `senderEmail ${config.senderEmail} is in a reserved example domain: no approval or attention mail can be sent. Set an address of a verified SES identity: -c procure:senderEmail=<address>`,
    });
  }
  const approvers = config.approverEmails.filter(isReservedAddress);
  if (approvers.length) {
    warnings.push({
      key: 'approverEmails',
      message: `approverEmails ${approvers.join(', ')} ${approvers.length === 1 ? 'is' : 'are'} in a reserved example domain: approval mails to ${approvers.length === 1 ? 'it' : 'them'} never arrive and purchases expire unapproved. Set real approvers: -c procure:approverEmails=<address>,<address>`,
    });
  }
  // Unset, they are the approvers, already warned about above.
  const ops = (config.opsEmails ?? []).filter(isReservedAddress);
  if (ops.length) {
    warnings.push({
      key: 'opsEmails',
      message: `opsEmails ${ops.join(', ')} ${ops.length === 1 ? 'is' : 'are'} in a reserved example domain: alarms to ${ops.length === 1 ? 'it' : 'them'} never arrive. Set real addresses: -c procure:opsEmails=<address>,<address>`,
    });
  }
  for (const message of approvalPolicyWarnings(config)) warnings.push({ key: 'approvalTiers', message });
  return warnings;
}

/** Anything with CDK's `tryGetContext` (an App's or a construct's `node`). */
export interface ContextReader {
  tryGetContext(key: string): unknown;
}

/** The config keys, for reading individual `procure:<key>` context values. */
const CONFIG_KEYS = Object.keys(schema.shape) as Array<keyof ProcureConfig>;

/**
 * Reads the configuration from CDK context: the `procure` object (cdk.json or cdk.context.json),
 * then individual `procure:<key>` values, which win (`cdk synth -c procure:dailyPurchaseLimit=3`,
 * `-c procure:approverEmails=a@x.com,b@x.com`, `-c 'procure:monthlyCapUsd={"cocalc":100}'`).
 * @throws ProcureConfigError naming every invalid value
 */
export function readProcureConfig(node: ContextReader): ProcureConfig {
  const fromObject = json(node.tryGetContext(PROCURE_CONTEXT_KEY) ?? {});
  if (fromObject === null || typeof fromObject !== 'object' || Array.isArray(fromObject)) {
    throw new ProcureConfigError([`context "${PROCURE_CONTEXT_KEY}" must be an object`]);
  }
  const individual: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const v = node.tryGetContext(`${PROCURE_CONTEXT_KEY}:${key}`);
    if (v !== undefined) individual[key] = v;
  }
  return resolveProcureConfig({ ...(fromObject as Record<string, unknown>), ...individual });
}
