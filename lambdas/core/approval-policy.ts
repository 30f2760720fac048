import { formatUsd, toCents } from './money';

/**
 * Approval policy by amount (issue #13, part 2), pure: which tier a purchase falls in, how many
 * distinct approvers it needs and who counts. The same module checks the policy at synth
 * (lib/approval-policy-config.ts) and at cold start (lambdas/shared/config.ts), quotes with it (ValidateAndQuote,
 * POST /quotes), asks with it (RequestApproval) and verifies with it (the money steps).
 *
 * - Tiers are ordered by `upToUsd`, ascending; the last has none and takes every larger amount.
 * - A tier needing 0 approvals is approved by policy, without a person (the old auto-approve limit).
 * - Otherwise the purchase proceeds only when `approvals` DISTINCT people among the tier's
 *   approvers (and the escalation approvers, once asked) have approved through their own links;
 *   any rejection ends it. An approver with several links (reminder, resend) still counts once.
 * - A purchase asked again because the vendor's total changed never skips the person: it needs at
 *   least one approval whatever its tier.
 */

export interface ApprovalTier {
  /** The largest amount in this tier, USD; absent on the last tier. */
  upToUsd?: number;
  /** Distinct approvals needed; 0 = approved by policy. */
  approvals: number;
  /** Who is asked (each gets a link) and whose approval counts. */
  approvers: readonly string[];
}

export interface ApprovalPolicy {
  tiers: readonly ApprovalTier[];
  /** Asked later when nobody decided (core/approval-follow-up.ts); their approvals count in any tier. */
  escalationApprovers: readonly string[];
}

/** The tier an amount falls in, with its index (0-based) for the audit trail and the quote. */
export interface PolicyTier extends ApprovalTier {
  index: number;
}

/** At most this many approvals per tier (each is a person clicking a link). */
export const MAX_TIER_APPROVALS = 10;

/**
 * The policy the older single setting means: at or below `autoApproveMaxUsd` approved by policy
 * (none when negative), anything else by any one of `approvers`.
 */
export function autoApprovePolicy(autoApproveMaxUsd: number, approvers: readonly string[], escalationApprovers: readonly string[] = []): ApprovalPolicy {
  const ask: ApprovalTier = { approvals: 1, approvers: [...approvers] };
  const tiers = autoApproveMaxUsd < 0 ? [ask] : [{ upToUsd: autoApproveMaxUsd, approvals: 0, approvers: [] }, ask];
  return { tiers, escalationApprovers: [...escalationApprovers] };
}

/** Every problem with a policy, in words that name the tier; empty when it is usable. */
export function policyIssues(policy: ApprovalPolicy): string[] {
  const issues: string[] = [];
  const { tiers } = policy;
  if (tiers.length === 0) return ['approvalTiers: needs at least one tier'];
  tiers.forEach((tier, i) => {
    const name = `approvalTiers[${i}]`;
    const last = i === tiers.length - 1;
    if (!Number.isInteger(tier.approvals) || tier.approvals < 0 || tier.approvals > MAX_TIER_APPROVALS) {
      issues.push(`${name}.approvals: must be a whole number from 0 to ${MAX_TIER_APPROVALS}, got ${tier.approvals}`);
    }
    if (last && tier.upToUsd !== undefined) issues.push(`${name}: the last tier takes every larger amount, so it has no upToUsd`);
    if (!last && tier.upToUsd === undefined) issues.push(`${name}.upToUsd: required on every tier but the last`);
    if (tier.upToUsd !== undefined) {
      if (!Number.isFinite(tier.upToUsd) || tier.upToUsd < 0 || toCents(tier.upToUsd) / 100 !== tier.upToUsd) {
        issues.push(`${name}.upToUsd: must be a non-negative amount in whole cents, got ${tier.upToUsd}`);
      }
      const previous = i > 0 ? tiers[i - 1]!.upToUsd : undefined;
      if (previous !== undefined && !(tier.upToUsd > previous)) {
        issues.push(`${name}.upToUsd: ${tier.upToUsd} must be above the previous tier's ${previous}`);
      }
    }
    const counted = countedApprovers(policy, tier).length;
    if (tier.approvals > 0 && tier.approvers.length === 0) issues.push(`${name}: needs approvers to ask`);
    else if (tier.approvals > counted) {
      issues.push(`${name}: needs ${tier.approvals} distinct approvals but only ${counted} people can approve it, so no purchase in it could ever proceed`);
    }
  });
  return issues;
}

/** The tier `amountUsd` falls in (to the cent: an amount equal to `upToUsd` is in that tier). */
export function tierFor(policy: ApprovalPolicy, amountUsd: number): PolicyTier {
  const cents = toCents(amountUsd);
  const index = policy.tiers.findIndex((t) => t.upToUsd === undefined || cents <= toCents(t.upToUsd));
  const at = index < 0 ? policy.tiers.length - 1 : index;
  return { ...policy.tiers[at]!, index: at };
}

/** Distinct approvals a purchase of `amountUsd` needs; a re-quoted purchase needs at least one. */
export function approvalsRequired(policy: ApprovalPolicy, amountUsd: number, requoted: boolean): number {
  const needed = tierFor(policy, amountUsd).approvals;
  return requoted ? Math.max(1, needed) : needed;
}

/** Whether policy approves the purchase without a person: a 0-approval tier, never after a re-quote. */
export function isApprovedByPolicy(policy: ApprovalPolicy, amountUsd: number, requoted: boolean): boolean {
  return approvalsRequired(policy, amountUsd, requoted) === 0;
}

/**
 * Who is asked for a purchase of `amountUsd`: its tier's approvers. A 0-approval tier asks nobody,
 * unless a re-quote makes it need a person: then the approvers of the first tier that asks anyone.
 */
export function approversToAsk(policy: ApprovalPolicy, amountUsd: number): readonly string[] {
  const tier = tierFor(policy, amountUsd);
  if (tier.approvers.length > 0) return tier.approvers;
  return policy.tiers.find((t) => t.approvers.length > 0)?.approvers ?? [];
}

/** An approver as a person: addresses differing only in case are the same person, who counts once. */
export function personOf(address: string): string {
  return address.toLowerCase();
}

/** Whose approval counts in `tier`: its approvers and the escalation approvers, each once. */
export function countedApprovers(policy: ApprovalPolicy, tier: Pick<ApprovalTier, 'approvers'>): string[] {
  return [...new Set([...tier.approvers, ...policy.escalationApprovers].map(personOf))];
}

/** "any 1 of 2 approvers", "2 distinct approvers of 3", "no approver (approved by policy)". */
export function describeRequirement(approvals: number, of: number): string {
  if (approvals === 0) return 'no approver (approved by policy)';
  if (approvals === 1) return `any 1 of ${of} approver${of === 1 ? '' : 's'}`;
  return `${approvals} distinct approvers of ${of}`;
}

/** "tier 2 (above $50.00 up to $500.00): any 1 of 2 approvers". */
export function describeTier(policy: ApprovalPolicy, tier: PolicyTier): string {
  const below = tier.index > 0 ? policy.tiers[tier.index - 1]!.upToUsd : undefined;
  const range =
    tier.upToUsd === undefined
      ? below === undefined
        ? 'any amount'
        : `above ${formatUsd(below)}`
      : below === undefined
        ? `up to ${formatUsd(tier.upToUsd)}`
        : `above ${formatUsd(below)} up to ${formatUsd(tier.upToUsd)}`;
  return `tier ${tier.index + 1} (${range}): ${describeRequirement(tier.approvals, countedApprovers(policy, tier).length)}`;
}
