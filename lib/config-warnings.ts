import { approvalPolicyWarnings } from './approval-policy-config';
import type { ProcureConfig } from './config';

/**
 * Domains reserved for documentation and testing (RFC 2606): SES cannot verify them and mail to
 * them never arrives. The default addresses are in one.
 */
const RESERVED_MAIL_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

const isReservedAddress = (email: string): boolean => RESERVED_MAIL_DOMAIN.test(email.slice(email.lastIndexOf('@') + 1));

/** A configuration value that synthesizes but cannot work once deployed. */
export interface ConfigWarning {
  /** The config key. */
  readonly key: keyof ProcureConfig;
  /** What is wrong and the `-c procure:<key>=...` that fixes it. */
  readonly message: string;
}

/**
 * What would deploy silently and fail at the first purchase: a sender or approver address in a
 * reserved example domain (the defaults are). The stack reports each as a synth warning; the
 * handlers cannot tell, since SES only refuses the mail when it is sent.
 */
export function configWarnings(config: ProcureConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (isReservedAddress(config.senderEmail)) {
    warnings.push({
      key: 'senderEmail',
      message: `senderEmail ${config.senderEmail} is in a reserved example domain: no approval or attention mail can be sent. Set an address of a verified SES identity: -c procure:senderEmail=<address>`,
    });
  }
  const approvers = config.approverEmails.filter(isReservedAddress);
  if (approvers.length) {
    warnings.push({
      key: 'approverEmails',
      message: `approverEmails ${approvers.join(', ')} ${approvers.length === 1 ? 'is' : 'are'} in a reserved example domain: approval mails to ${approvers.length === 1 ? 'it' : 'them'} never arrive and purchases expire unapproved. Set real approvers: -c procure:approverEmails=<address>,<address>`,
    });
  }
  // Unset, they are the approvers, already warned about above.
  const ops = (config.opsEmails ?? []).filter(isReservedAddress);
  if (ops.length) {
    warnings.push({
      key: 'opsEmails',
      message: `opsEmails ${ops.join(', ')} ${ops.length === 1 ? 'is' : 'are'} in a reserved example domain: alarms to ${ops.length === 1 ? 'it' : 'them'} never arrive. Set real addresses: -c procure:opsEmails=<address>,<address>`,
    });
  }
  for (const message of approvalPolicyWarnings(config)) warnings.push({ key: 'approvalTiers', message });
  return warnings;
}
