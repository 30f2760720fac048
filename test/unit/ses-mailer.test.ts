import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../../lambdas/adapters/aws/ses-mailer';
import { startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';

// SES cannot run here: a loopback stub answers SendEmail (REST-JSON) for the real SDK client.
describe('SesMailer', () => {
  let stub: LoopbackAws;
  beforeAll(async () => {
    stub = await startLoopbackAws(() => ({ body: { MessageId: 'm-1' } }));
  });
  afterAll(async () => stub.close());

  it('sends one SendEmail with subject, text and HTML parts', async () => {
    const mailer = new SesMailer(new SESv2Client(stub.clientConfig()));

    await mailer.send({ to: ['boss@example.com'], from: 'procure@example.com', subject: 'Approve', text: 'plain', html: '<p>html</p>' });

    const req = stub.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v2/email/outbound-emails');
    expect(req.body).toEqual({
      FromEmailAddress: 'procure@example.com',
      Destination: { ToAddresses: ['boss@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Approve', Charset: 'UTF-8' },
          Body: { Text: { Data: 'plain', Charset: 'UTF-8' }, Html: { Data: '<p>html</p>', Charset: 'UTF-8' } },
        },
      },
    });
  });

  it('refuses a mail without recipients', async () => {
    const mailer = new SesMailer(new SESv2Client(stub.clientConfig()));

    await expect(mailer.send({ to: [], from: 'a@b.c', subject: 's', text: 't', html: 'h' })).rejects.toThrow(RangeError);
  });
});
