import { approvalRounds, approvalStore } from './approval';
import { mailer } from './mail';
import { signingKey } from './signing';
import { purchaseJournal, spendGuard } from './stores';

/**
 * Composition root (README.md): what mails approval links wires, RequestApproval (the first round)
 * and ApprovalReminders (reminders, escalations, resends) alike: the journal, the approval records
 * and rounds, the mailer, the spend guard (the budget shown) and the key that signs the links. Its
 * own module, not ./approval.ts, which the money steps import without SES.
 */
export function approvalMailing(signingSecretId: string) {
  return {
    ...purchaseJournal(),
    approvals: approvalStore(),
    rounds: approvalRounds(),
    mailer: mailer(),
    spendGuard: spendGuard(),
    signingKey: signingKey(signingSecretId),
  };
}
