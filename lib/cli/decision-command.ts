import { decideApproval, type ApprovalOutcome } from './approval-client';
import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS } from './args';
import { resolveApiTarget } from './api-client';
import { escapeControls } from '../../lambdas/core/safe-text';
import { emit } from './output';

/**
 * `procure approve` and `procure reject`: act on an approval link like a person in a browser
 * (open the confirm page, press the button) and report what the resulting page says. Exit 0 only
 * when the page confirms this decision; 1 when the link was already used, expired, altered or
 * unknown, or the page confirms a different, earlier decision.
 */
export type DecisionResult = 'approved' | 'rejected' | 'already-decided' | 'expired' | 'invalid' | 'not-found' | 'failed';

/** What the approval endpoint's answer means (see lambdas/handlers/approvals-api.ts). */
export function classifyOutcome(outcome: ApprovalOutcome): DecisionResult {
  if (outcome.status === 200 && /\bPurchase approved\b/.test(outcome.text)) return 'approved';
  if (outcome.status === 200 && /\bPurchase rejected\b/.test(outcome.text)) return 'rejected';
  if (outcome.status === 409) return 'already-decided';
  if (outcome.status === 410) return 'expired';
  if (outcome.status === 403 || outcome.status === 400) return 'invalid';
  if (outcome.status === 404) return 'not-found';
  return 'failed';
}

export function decisionUsage(decision: 'approve' | 'reject'): string {
  return `usage: procure ${decision} <link> [--comment TEXT] [--json]

${decision === 'approve' ? 'Approves' : 'Rejects'} a purchase through the link of its approval mail, as a browser would: opens the
confirm page (GET, changes nothing), then presses ${decision === 'approve' ? 'Approve' : 'Reject'} (POST). Each link decides once.
  <link>           the link from the mail: <api>/approvals/<id>?sig=<signature>
                   (a link starting with /approvals/ is resolved against --api or the local runtime)
  --comment TEXT   a comment recorded in the audit trail
  --api URL, --data-dir DIR   only to resolve a /approvals/... link
  --json           machine-readable output`;
}

export async function runDecision(decision: 'approve' | 'reject', argv: string[]): Promise<number> {
  const usage = decisionUsage(decision);
  return runCommand(usage, async () => {
    const { values, positionals } = parseCommandArgs(argv, { ...TARGET_OPTIONS, comment: { type: 'string' } });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    let [link] = expectPositionals(positionals, ['link']);
    if (link!.startsWith('/approvals/')) link = `${resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }).apiUrl}${link}`;
    const outcome = await decideApproval(link!, decision, values.comment);
    const result = classifyOutcome(outcome);
    const wanted = decision === 'approve' ? 'approved' : 'rejected';
    const ok = result === wanted;
    emit(values.json === true, { ok, result, httpStatus: outcome.status, text: outcome.text }, () => {
      for (const line of outcome.lines) console.log(escapeControls(line));
      if (!ok) {
        const why =
          result === 'approved' || result === 'rejected'
            ? `this link had already ${result} the purchase; your ${decision} was not applied`
            : `the link could not be used (${result}, HTTP ${outcome.status})`;
        console.error(`error: ${why}`);
      }
    });
    return ok ? 0 : 1;
  });
}
