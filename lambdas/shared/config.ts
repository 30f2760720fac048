import * as z from '../core/zod';
import { ENV, monthlyCapEnv } from './env-names';
import { trimApprovalBaseUrl } from '../core/approval-link';
import type { FollowUpPolicy } from '../core/approval-follow-up-plan';
import { policyIssues, type ApprovalPolicy } from '../core/approval-policy';
import { byVendor, type Vendor } from '../core/vendor-names';
import { ConfigError, type Env, jsonOf, nonEmpty, read, url } from './config-read';

export { ConfigError } from './config-read';

/**
 * Handler configuration, read from the environment once per cold start and validated so a
 * mis-deployed function fails fast with a clear message. Each reader covers one concern; a
 * handler calls only the readers it needs (each function gets only the variables it uses). A
 * vendor's own readers are in its folder (lambdas/vendors/<vendor>/shared/config.ts).
 */
const number = z.coerce.number().check(z.refine(Number.isFinite, 'must be a number'));

export interface TablesConfig {
  auditTable: string;
  stateTable: string;
}
export function tablesConfig(env: Env = process.env): TablesConfig {
  return {
    auditTable: read(env, ENV.AUDIT_TABLE_NAME, nonEmpty),
    stateTable: read(env, ENV.STATE_TABLE_NAME, nonEmpty),
  };
}

export interface BudgetConfig {
  capsUsd: Record<Vendor, number>;
  dailyLimit: number;
}
export function budgetConfig(env: Env = process.env): BudgetConfig {
  return {
    capsUsd: byVendor((v) => read(env, monthlyCapEnv(v), z.pipe(number, z.number().check(z.gte(0))))),
    dailyLimit: read(env, ENV.DAILY_PURCHASE_LIMIT, z.pipe(number, z.number().check(z.int(), z.gte(0)))),
  };
}

export interface ApprovalConfig {
  approvers: string[];
  sender: string;
  /** No trailing slash; links are `${baseUrl}/approvals/<id>?sig=...`. */
  baseUrl: string;
  timeoutSeconds: number;
  signingSecretId: string;
}
/** Who approval and attention mail goes to, and who it is from. */
function approverMail(env: Env): { approvers: string[]; sender: string } {
  const approvers = read(env, ENV.APPROVER_EMAILS, nonEmpty)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const a of approvers) read({ a }, 'a', z.email());
  return { approvers, sender: read(env, ENV.SENDER_EMAIL, z.email()) };
}

export function approvalConfig(env: Env = process.env): ApprovalConfig {
  return {
    ...approverMail(env),
    baseUrl: trimApprovalBaseUrl(read(env, ENV.APPROVAL_BASE_URL, url)),
    timeoutSeconds: read(env, ENV.APPROVAL_TIMEOUT_SECONDS, z.pipe(number, z.number().check(z.int(), z.positive()))),
    signingSecretId: read(env, ENV.SIGNING_SECRET_ARN, nonEmpty),
  };
}

/** Reminders, escalation and resends of open approval rounds (core/approval-follow-up.ts). */
export interface ApprovalFollowUpConfig {
  sender: string;
  baseUrl: string;
  signingSecretId: string;
  policy: FollowUpPolicy;
}
/**
 * Read and checked against the approval timeout at cold start, as lib/follow-up-config.ts does at synth:
 * every reminder offset and the escalation delay must be shorter than the timeout.
 */
export function approvalFollowUpConfig(env: Env = process.env): ApprovalFollowUpConfig {
  const timeoutSeconds = read(env, ENV.APPROVAL_TIMEOUT_SECONDS, z.pipe(number, z.number().check(z.int(), z.positive())));
  const seconds = (name: string, value: string): number => {
    const n = read({ [name]: value }, name, z.pipe(number, z.number().check(z.int(), z.positive())));
    if (n >= timeoutSeconds) throw new ConfigError(`environment variable ${name}: ${n} s is not shorter than the approval timeout (${timeoutSeconds} s)`);
    return n;
  };
  const list = (name: string): string[] =>
    (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (env[ENV.APPROVAL_REMINDER_OFFSETS_SECONDS] === undefined) {
    throw new ConfigError(`environment variable ${ENV.APPROVAL_REMINDER_OFFSETS_SECONDS} is missing or invalid: required ("" for no reminders)`);
  }
  const reminderOffsetsSeconds = list(ENV.APPROVAL_REMINDER_OFFSETS_SECONDS).map((v) => seconds(ENV.APPROVAL_REMINDER_OFFSETS_SECONDS, v));
  const escalationApprovers = list(ENV.APPROVAL_ESCALATION_EMAILS);
  for (const a of escalationApprovers) read({ [ENV.APPROVAL_ESCALATION_EMAILS]: a }, ENV.APPROVAL_ESCALATION_EMAILS, z.email());
  const policy: FollowUpPolicy = { reminderOffsetsSeconds };
  if (escalationApprovers.length > 0) {
    policy.escalation = {
      approvers: escalationApprovers,
      delaySeconds: seconds(ENV.APPROVAL_ESCALATION_DELAY_SECONDS, read(env, ENV.APPROVAL_ESCALATION_DELAY_SECONDS, nonEmpty)),
    };
  }
  return {
    sender: read(env, ENV.SENDER_EMAIL, z.email()),
    baseUrl: trimApprovalBaseUrl(read(env, ENV.APPROVAL_BASE_URL, url)),
    signingSecretId: read(env, ENV.SIGNING_SECRET_ARN, nonEmpty),
    policy,
  };
}

/**
 * The NEEDS_ATTENTION mail (RecordOutcome): the approvers and the sender of the approval mail, and
 * the base URL people reach the API at (the approval base URL), for the `--api` of the commands
 * the mail gives.
 */
export interface AttentionMailConfig {
  approvers: string[];
  sender: string;
  apiUrl: string;
}
export function attentionMailConfig(env: Env = process.env): AttentionMailConfig {
  return { ...approverMail(env), apiUrl: trimApprovalBaseUrl(read(env, ENV.APPROVAL_BASE_URL, url)) };
}

/** The sender of procure's mail alone: the approvals API mails only the requester (an approval notice). */
export function noticeMailConfig(env: Env = process.env): { sender: string } {
  return { sender: read(env, ENV.SENDER_EMAIL, z.email()) };
}

/** Only the signing key, for the approvals API (which verifies links). */
export function signingConfig(env: Env = process.env): { signingSecretId: string } {
  return { signingSecretId: read(env, ENV.SIGNING_SECRET_ARN, nonEmpty) };
}

const approvalPolicySchema = z.object({
  tiers: z.array(z.object({ upToUsd: z.optional(z.number()), approvals: z.number(), approvers: z.array(z.email()) })),
  escalationApprovers: z.array(z.email()),
});

/**
 * The approval policy by amount (core/approval-policy.ts), checked at cold start by the same rules
 * as at synth (lib/resolve-config.ts), so a hand-edited environment fails fast naming the problem.
 */
export function approvalPolicyConfig(env: Env = process.env): { policy: ApprovalPolicy } {
  const r = approvalPolicySchema.safeParse(jsonOf(ENV.APPROVAL_POLICY, read(env, ENV.APPROVAL_POLICY, nonEmpty)));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`environment variable ${ENV.APPROVAL_POLICY} is invalid: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const policy: ApprovalPolicy = {
    tiers: r.data.tiers.map((t) => ({ approvals: t.approvals, approvers: t.approvers, ...(t.upToUsd !== undefined ? { upToUsd: t.upToUsd } : {}) })),
    escalationApprovers: r.data.escalationApprovers,
  };
  const issues = policyIssues(policy);
  if (issues.length) throw new ConfigError(`environment variable ${ENV.APPROVAL_POLICY} is invalid: ${issues.join('; ')}`);
  return { policy };
}

export interface EventsConfig {
  busName: string;
  source: string;
}
export function eventsConfig(env: Env = process.env): EventsConfig {
  return { busName: read(env, ENV.EVENT_BUS_NAME, nonEmpty), source: read(env, ENV.EVENT_SOURCE, nonEmpty) };
}

export function workflowConfig(env: Env = process.env): { stateMachineArn: string } {
  return { stateMachineArn: read(env, ENV.STATE_MACHINE_ARN, nonEmpty) };
}
