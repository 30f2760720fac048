import { SESv2Client } from '@aws-sdk/client-sesv2';

/** Created once per cold start; see ./dynamodb.ts for why each client has its own module. */
let ses: SESv2Client | undefined;

/** SES v2 client (SendEmail). */
export function sesClient(): SESv2Client {
  ses ??= new SESv2Client({});
  return ses;
}
