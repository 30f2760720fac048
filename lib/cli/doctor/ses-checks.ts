import { GetAccountCommand, GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import { awsConfig } from './aws-config';
import { fail, pass, type CheckResult } from './check';
import type { DoctorTarget } from './target';

/**
 * SES, read only (GetAccount, GetEmailIdentity): the sender is covered by a verified identity (its
 * address or its domain), and the account is out of the sandbox, or, while in it, every approver is
 * verified too (a sandboxed account mails verified addresses only).
 */
export async function checkSes(t: DoctorTarget): Promise<CheckResult[]> {
  const client = new SESv2Client(awsConfig(t, 'aws'));
  try {
    const covered = coverage(client);
    return await Promise.all([checkSender(t, covered), checkAccount(t, client, covered)]);
  } finally {
    client.destroy();
  }
}

type Coverage = (address: string) => Promise<'address' | 'domain' | false>;

/** Whether a verified identity covers an address: the address itself, else its domain. */
function coverage(client: SESv2Client): Coverage {
  const verified = async (identity: string): Promise<boolean> => {
    try {
      return (await client.send(new GetEmailIdentityCommand({ EmailIdentity: identity }))).VerifiedForSendingStatus === true;
    } catch (err) {
      if (err instanceof NotFoundException) return false;
      throw err;
    }
  };
  return async (address) => ((await verified(address)) ? 'address' : (await verified(address.slice(address.lastIndexOf('@') + 1))) ? 'domain' : false);
}

const verifyFix = (address: string): string =>
  `aws sesv2 create-email-identity --email-identity ${address}, then open the link SES mails there (or verify its domain)`;

async function checkSender(t: DoctorTarget, covered: Coverage): Promise<CheckResult> {
  const name = 'SES: sender identity';
  const sender = t.resources.senderEmail;
  const by = await covered(sender);
  if (!by) return fail(name, `${sender} is not a verified identity (nor is its domain): SES refuses every approval mail`, verifyFix(sender));
  return pass(name, `${sender} is verified${by === 'domain' ? ' through its domain' : ''}`);
}

async function checkAccount(t: DoctorTarget, client: SESv2Client, covered: Coverage): Promise<CheckResult> {
  const name = 'SES: account';
  const account = await client.send(new GetAccountCommand({}));
  if (account.SendingEnabled === false)
    return fail(
      name,
      'sending is paused for this account (SendingEnabled false)',
      'see the SES account dashboard for why, then resume sending (aws sesv2 put-account-sending-attributes --sending-enabled)',
    );
  if (account.ProductionAccessEnabled) return pass(name, 'out of the SES sandbox, sending enabled');
  const approvers = t.resources.approverEmails;
  const unverified: string[] = [];
  for (const a of approvers) if (!(await covered(a))) unverified.push(a);
  if (unverified.length === 0) return pass(name, `in the SES sandbox, but every approver (${approvers.join(', ')}) is verified`);
  return fail(
    name,
    `in the SES sandbox: approval mails to ${unverified.join(', ')} are refused (not verified identities)`,
    `request production access (aws sesv2 put-account-details --production-access-enabled --mail-type TRANSACTIONAL ...), or verify each approver: ${verifyFix(unverified[0]!)}`,
  );
}
