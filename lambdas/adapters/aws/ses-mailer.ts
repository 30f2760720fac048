import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mail, Mailer } from '../../core/ports';

/** {@link Mailer} on SES v2: one SendEmail with simple content, text and HTML parts and the mail's own headers. */
export class SesMailer implements Mailer {
  /**
   * @param client shared SESv2 client
   * @param configurationSetName optional SES configuration set (event publishing, suppression)
   */
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName?: string,
  ) {}

  async send(mail: Mail): Promise<void> {
    if (mail.to.length === 0) throw new RangeError('mail has no recipients');
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: mail.to },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
            ...(mail.headers ? { Headers: Object.entries(mail.headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
          },
        },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      }),
    );
  }
}
