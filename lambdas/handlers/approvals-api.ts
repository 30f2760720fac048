import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { approvalLinkEndpoint, type ApprovalPageResult, type ApprovalsApiDeps } from '../core/approval-link-endpoint';
import { APPROVAL_PAGE_CSP } from '../core/approval-page';
import { approvalStore } from '../composition/approval';
import { taskCallback } from '../composition/executions';
import { mailer } from '../composition/mail';
import { signingKey } from '../composition/signing';
import { noticeLedger, purchaseJournal, spendGuard } from '../composition/stores';
import { noticeMailConfig, signingConfig } from '../shared/config';
import { callerOf, html, parseFormBody, pathParam, redirect } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';

/** What the approval link's endpoint is wired with (its log is the function's logger). */
export type ApprovalsApiHandlerDeps = Omit<ApprovalsApiDeps, 'log'>;

/** The approval link's endpoint, GET /approvals/{id} and POST /approvals/{id} (lambdas/core/approval-link-endpoint.ts). */
export function makeHandler(deps: ApprovalsApiHandlerDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const endpoint = approvalLinkEndpoint({ ...deps, log: logger });
  return async (event) =>
    responseOf(
      await endpoint({
        method: event.httpMethod ?? '',
        rawId: pathParam(event, 'id'),
        path: event.path ?? '',
        query: event.queryStringParameters ?? {},
        readForm: () => parseFormBody(event),
        caller: callerOf(event),
      }),
    );
}

function responseOf(result: ApprovalPageResult): APIGatewayProxyResult {
  return 'redirect' in result ? redirect(result.redirect, { csp: APPROVAL_PAGE_CSP }) : html(result.status, result.html, { csp: APPROVAL_PAGE_CSP });
}

/** Builds the real dependencies; runs once per cold start. */
export function defaultDeps(): ApprovalsApiHandlerDeps {
  return {
    ...purchaseJournal(),
    approvals: approvalStore(),
    callback: taskCallback(),
    spendGuard: spendGuard(),
    signingKey: signingKey(signingConfig().signingSecretId),
    mailer: mailer(),
    notices: noticeLedger(),
    config: noticeMailConfig(),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
