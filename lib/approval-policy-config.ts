import { autoApprovePolicy, countedApprovers, policyIssues, type ApprovalPolicy } from '../lambdas/core/approval-policy';
import { ENV } from '../lambdas/shared/env-names';
import type { ProcureConfig } from './config';

/**
 * The approval policy by amount as configured (`approvalTiers`, `approverLists`), resolved into the
 * form the functions read (lambdas/core/approval-policy.ts, environment APPROVAL_POLICY): each
 * tier's approvers as addresses. Checked here at synth and again at cold start by the same rules.
 */

/** The policy in effect: the tiers when set, else the one the auto-approve limit means. */
export function approvalPolicyOf(config: ProcureConfig): ApprovalPolicy {
  const escalation = config.approvalEscalationEmails ?? [];
  if (!config.approvalTiers) return autoApprovePolicy(config.autoApproveMaxUsd, config.approverEmails, escalation);
  return {
    tiers: config.approvalTiers.map((tier) => ({
      ...(tier.upToUsd !== undefined ? { upToUsd: tier.upToUsd } : {}),
      approvals: tier.approvals,
      approvers: tier.approvals === 0 ? [] : approversFrom(config, tier.from),
    })),
    escalationApprovers: [...escalation],
  };
}

/** The functions' APPROVAL_POLICY variable for `config` (the stack's, and the local runtime's configOverrides in tests). */
export function approvalPolicyEnv(config: ProcureConfig): Record<string, string> {
  return { [ENV.APPROVAL_POLICY]: JSON.stringify(approvalPolicyOf(config)) };
}

/** Every address the policy may mail (for the mail grants). */
export function policyApprovers(config: ProcureConfig): string[] {
  const policy = approvalPolicyOf(config);
  return [...new Set(policy.tiers.flatMap((t) => t.approvers))];
}

function approversFrom(config: ProcureConfig, from: readonly string[] | undefined): string[] {
  if (!from) return [...config.approverEmails];
  return [...new Set(from.flatMap((name) => config.approverLists?.[name] ?? []))];
}

/**
 * Cross-field rules: named lists exist, `from` only where a person decides, tiers usable
 * ({@link policyIssues}), and one way of saying it (`approvalTiers` or `autoApproveMaxUsd`).
 * `autoApproveGiven`: whether autoApproveMaxUsd was set explicitly rather than defaulted.
 */
export function approvalPolicyIssues(config: ProcureConfig, autoApproveGiven: boolean): string[] {
  const issues: string[] = [];
  if (config.approvalTiers && autoApproveGiven) {
    issues.push('autoApproveMaxUsd: set together with approvalTiers; say it once, as a first tier with approvals 0 (e.g. {"upToUsd": 50, "approvals": 0})');
  }
  config.approvalTiers?.forEach((tier, i) => {
    for (const name of tier.from ?? []) {
      if (!config.approverLists?.[name]) issues.push(`approvalTiers[${i}].from: no approver list named "${name}" in approverLists`);
    }
    if (tier.from && tier.approvals === 0) issues.push(`approvalTiers[${i}].from: a tier with approvals 0 asks nobody`);
  });
  return issues.length ? issues : policyIssues(approvalPolicyOf(config));
}

/**
 * What synthesizes but surprises later: a tier that needs every one of its approvers (one absence
 * blocks it until the escalation), reported as a synth warning.
 */
export function approvalPolicyWarnings(config: ProcureConfig): string[] {
  const policy = approvalPolicyOf(config);
  return policy.tiers.flatMap((tier, i) => {
    const counted = countedApprovers(policy, tier).length;
    return tier.approvals > 1 && tier.approvals === counted
      ? [`approvalTiers[${i}] needs all ${counted} people who can approve it: one who is away blocks every purchase in it until it expires`]
      : [];
  });
}
