import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE } from './args';
import { ProcureApi, resolveApiTarget } from './api-client';
import { emit } from './output';
import { printFields } from './views';

/** `procure resend <purchaseId>`. */
export const summary = 'mail fresh approval links for a purchase that is waiting for a decision';

const USAGE = `usage: procure resend <purchaseId> [--api URL] [--data-dir DIR] [--json]

Mails everyone the purchase's approval request has asked so far (the approvers, and the escalation
approvers once asked) a fresh approval link, signed with your AWS identity
(POST /purchases/{id}/approvals/resend). Earlier links keep working until one decision is made;
the links expire when the request does. At most once every 5 minutes per purchase; audited
APPROVAL_RESENT with your identity. Refused when the purchase is not waiting for a decision.
${TARGET_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, { ...TARGET_OPTIONS });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [purchaseId] = expectPositionals(positionals, ['purchaseId']);
    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    const result = await api.resendApproval(purchaseId!);
    emit(values.json === true, result, () => {
      printFields([
        ['purchase', result.purchaseId],
        ['sent to', result.resentTo.join(', ')],
        ['expires', result.expiresAt],
        ['sent at', result.resentAt],
      ]);
    });
    return 0;
  });
}
