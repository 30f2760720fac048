import { requestApproval, type RequestApprovalDeps } from '../core/request-approval';
import type { RequestApprovalPayload } from '../core/workflow';
import { approvalMailing } from '../composition/approval-mailing';
import { approvalConfig, approvalPolicyConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';

export { linkLifetimeMs } from '../core/request-approval';

/** What RequestApproval is wired with (its log is the function's logger). */
export type RequestApprovalHandlerDeps = Omit<RequestApprovalDeps, 'log'>;

/** RequestApproval: the task token and state in, nothing out; the machine waits for the decision (lambdas/core/request-approval.ts). */
export function makeHandler(deps: RequestApprovalHandlerDeps): (event: RequestApprovalPayload) => Promise<void> {
  const wired = { ...deps, log: logger };
  return (event) => requestApproval(wired, event);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): RequestApprovalHandlerDeps {
  const approval = approvalConfig();
  return { ...approvalMailing(approval.signingSecretId), config: { ...approval, ...approvalPolicyConfig() } };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
