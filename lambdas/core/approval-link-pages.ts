import { quorumViewOf, type DecidedApproval } from './approval-decision';
import { formatUtc, renderCountedPage, renderDecidedPage, renderErrorPage, type ApprovalErrorKind } from './approval-page';
import type { ApprovalRecord, RoundQuorum } from './ports';

/** The approval link endpoint's answers (core/approval-link-endpoint.ts), each page built from procure's own renderers. */

/** What the endpoint answers: a page (every page carries APPROVAL_PAGE_CSP) or a 303 to the canonical link. */
export type ApprovalPageResult = { status: number; html: string } | { redirect: string };

const ERROR_STATUS: Record<ApprovalErrorKind, number> = {
  invalid: 403,
  expired: 410,
  'already-decided': 409,
  'not-found': 404,
  unavailable: 503,
};

export function countedPage(record: DecidedApproval, quorum: RoundQuorum): ApprovalPageResult {
  const view = { approver: record.approver, decidedAt: record.decidedAt ?? '', quorum: quorumViewOf(quorum) };
  return { status: 200, html: renderCountedPage(record.summary ? { ...view, summary: record.summary } : view) };
}

export function decidedPage(record: DecidedApproval): ApprovalPageResult {
  const view = { decision: record.status, approver: record.approver, decidedAt: record.decidedAt ?? '' };
  return { status: 200, html: renderDecidedPage(record.summary ? { ...view, summary: record.summary } : view) };
}

export function errorPage(kind: ApprovalErrorKind, detail?: string, status = ERROR_STATUS[kind]): ApprovalPageResult {
  return { status, html: renderErrorPage(kind, detail) };
}

export function decidedDetail(record: ApprovalRecord): string | undefined {
  return record.decidedAt ? `${record.approver} ${record.status === 'APPROVED' ? 'approved' : 'rejected'} it at ${formatUtc(record.decidedAt)}.` : undefined;
}
