import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAccountCommand, GetEmailIdentityCommand, MessageRejected, NotFoundException, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import { SesAccount, type SesAccountOptions } from '../../lib/local/ses-account';
import { Outbox } from '../../lib/local/ses-outbox';

/** The SES account in front of the outbox, read and refused through the real SDK client over loopback. */
describe('the local SES account', () => {
  let dir: string;
  const endpoints: AwsEndpoint[] = [];
  const clients: SESv2Client[] = [];

  async function sesWith(options?: SesAccountOptions): Promise<{ client: SESv2Client; outbox: Outbox }> {
    const outbox = new Outbox(join(dir, `outbox-${endpoints.length}`));
    const endpoint = await startAwsEndpoint({ sesv2: new SesAccount(options, 'eu-west-1').route(outbox.route()) });
    endpoints.push(endpoint);
    const client = new SESv2Client({
      region: 'eu-west-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'LOCALACCESSKEY', secretAccessKey: 'local-secret-key' },
    });
    clients.push(client);
    return { client, outbox };
  }

  const mail = (from: string, to: string[]) =>
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: to },
      Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'procure-ses-account-'));
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(endpoints.map((e) => e.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('by default is out of the sandbox, verifies every identity and sends anywhere', async () => {
    const { client, outbox } = await sesWith();
    const account = await client.send(new GetAccountCommand({}));
    expect(account).toMatchObject({ ProductionAccessEnabled: true, SendingEnabled: true, EnforcementStatus: 'HEALTHY' });
    const identity = await client.send(new GetEmailIdentityCommand({ EmailIdentity: 'anyone@example.org' }));
    expect(identity).toMatchObject({ IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' });
    await client.send(mail('procure@example.org', ['boss@elsewhere.test']));
    expect(readdirSync(outbox.dir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });

  it('in the sandbox, answers ProductionAccessEnabled false and refuses mail to an unverified recipient, sending nothing', async () => {
    const { client, outbox } = await sesWith({ sandbox: true, verifiedIdentities: ['example.org', 'boss@elsewhere.test'] });
    expect((await client.send(new GetAccountCommand({}))).ProductionAccessEnabled).toBe(false);
    await client.send(mail('procure@example.org', ['boss@elsewhere.test'])); // sender by its domain, recipient by its address
    const refused = await client.send(mail('procure@example.org', ['cfo@elsewhere.test'])).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MessageRejected);
    expect((refused as Error).message).toBe('Email address is not verified. The following identities failed the check in region EU-WEST-1: cfo@elsewhere.test');
    expect(readdirSync(outbox.dir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });

  it('refuses a sender no verified identity covers, and answers NotFound for an identity it does not have', async () => {
    const { client } = await sesWith({ verifiedIdentities: ['procure@example.org'] });
    await expect(client.send(mail('other@example.org', ['x@y.test']))).rejects.toBeInstanceOf(MessageRejected);
    await expect(client.send(new GetEmailIdentityCommand({ EmailIdentity: 'example.org' }))).rejects.toBeInstanceOf(NotFoundException);
    expect((await client.send(new GetEmailIdentityCommand({ EmailIdentity: 'procure@example.org' }))).VerifiedForSendingStatus).toBe(true);
  });
});
