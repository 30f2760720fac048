import { AwsServiceError } from './aws-error';
import type { RestRoute } from './aws-endpoint';

/**
 * The SES v2 account the local outbox stands in for: GetAccount (`GET /v2/email/account`) and
 * GetEmailIdentity (`GET /v2/email/identities/{id}`), in AWS's shapes, and SES's two refusals of
 * SendEmail: a sender no verified identity covers, and, while the account is in the sandbox, a
 * recipient none covers (`MessageRejected`, "Email address is not verified"). An address is covered
 * by its own identity or by its domain's. By default the account is out of the sandbox and every
 * identity is verified (a ready account); `procure doctor`'s tests model the other cases.
 */
export interface SesAccountOptions {
  /** Production access not granted yet: mail only to verified identities. @default false */
  sandbox?: boolean;
  /** The verified identities (addresses or domains). @default every identity is verified */
  verifiedIdentities?: readonly string[];
}

const SEND_PATH = '/v2/email/outbound-emails';
const IDENTITY_PATH = /^\/v2\/email\/identities\/([^/]+)$/;

export class SesAccount {
  constructor(
    private readonly options: SesAccountOptions = {},
    private readonly region = 'us-east-1',
  ) {}

  /** True when `identity` (an address or a domain) is itself verified. */
  isVerified(identity: string): boolean {
    const verified = this.options.verifiedIdentities;
    return verified === undefined || verified.some((v) => v.toLowerCase() === identity.toLowerCase());
  }

  /** True when the address or its domain is verified (what SES checks on a send). */
  covers(address: string): boolean {
    return this.isVerified(address) || this.isVerified(address.slice(address.lastIndexOf('@') + 1));
  }

  /** The account's reads, and its refusals of SendEmail, in front of `next` (the outbox). */
  route(next: RestRoute): RestRoute {
    return (method, path, body) => {
      if (method === 'GET' && path === '/v2/email/account') return this.account();
      const identity = IDENTITY_PATH.exec(path);
      if (method === 'GET' && identity) return this.identity(decodeURIComponent(identity[1]!));
      if (method === 'POST' && path === SEND_PATH) this.admitSend(body);
      return next(method, path, body);
    };
  }

  private account(): Record<string, unknown> {
    const sandbox = this.options.sandbox === true;
    return {
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: !sandbox,
      SendingEnabled: true,
      SendQuota: sandbox ? { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 } : { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 },
    };
  }

  private identity(id: string): Record<string, unknown> {
    if (!this.isVerified(id)) throw new AwsServiceError('NotFoundException', `Email identity ${id} does not exist.`, 404);
    return {
      IdentityType: id.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN',
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: true,
      VerificationStatus: 'SUCCESS',
      DkimAttributes: { SigningEnabled: false, Status: 'NOT_STARTED' },
      Policies: {},
      Tags: [],
    };
  }

  private admitSend(body: Record<string, unknown>): void {
    const dest = (body.Destination ?? {}) as { ToAddresses?: unknown; CcAddresses?: unknown; BccAddresses?: unknown };
    const from = typeof body.FromEmailAddress === 'string' ? [addressOf(body.FromEmailAddress)] : [];
    const recipients = this.options.sandbox
      ? [dest.ToAddresses, dest.CcAddresses, dest.BccAddresses].flatMap((l) => (Array.isArray(l) ? l.map((a) => addressOf(String(a))) : []))
      : [];
    const failed = [...new Set([...from, ...recipients].filter((a) => !this.covers(a)))];
    if (failed.length)
      throw new AwsServiceError(
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region ${this.region.toUpperCase()}: ${failed.join(', ')}`,
      );
  }
}

/** `Name <a@b>` -> `a@b`. */
function addressOf(text: string): string {
  return (/<([^<>]+)>\s*$/.exec(text)?.[1] ?? text).trim();
}
