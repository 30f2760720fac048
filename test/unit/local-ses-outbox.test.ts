import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestException, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import { Outbox, type OutboxMail } from '../../lib/local/ses-outbox';
import { encodeQuotedPrintable } from '../../lib/local/eml-writer';
import { parseEml } from '../../lib/local/eml-reader';
import { useEndpointEnv } from '../support/endpoint-env';

describe('the SES outbox', () => {
  let dir: string;
  let outbox: Outbox;
  let endpoint: AwsEndpoint;
  let restoreEnv: () => void;
  let client: SESv2Client;
  const received: OutboxMail[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procure-outbox-'));
    outbox = new Outbox(join(dir, 'outbox'), (m) => received.push(m));
    endpoint = await startAwsEndpoint({ sesv2: outbox.route() });
    restoreEnv = useEndpointEnv({ AWS_ENDPOINT_URL_SESV2: endpoint.url });
    client = new SESv2Client({});
  });

  afterAll(async () => {
    client.destroy();
    restoreEnv();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes each SendEmail (real SDK client via AWS_ENDPOINT_URL_SESV2) as an RFC 5322 .eml with text and html parts', async () => {
    const link = 'http://127.0.0.1:4000/approvals/0f8e?sig=abc_DEF-123';
    const longLine = `Résumé of the purchase: ${'x'.repeat(200)}`;
    const out = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'procure@example.com',
        Destination: { ToAddresses: ['boss@example.com', 'cfo@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'Approve purchase — CoCalc “business” license' },
            Body: { Text: { Data: `Please decide: ${link}\n${longLine}\n` }, Html: { Data: `<p>Please decide: <a href="${link}">open</a></p>` } },
          },
        },
      }),
    );
    expect(out.MessageId).toBeTruthy();
    const files = readdirSync(outbox.dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const raw = readFileSync(join(outbox.dir, files[0]!), 'utf8');
    // RFC 5322: CRLF lines of at most 998 characters (78 where it can be helped), only ASCII on the wire.
    const lines = raw.split('\r\n');
    expect(lines.every((l) => l.length <= 998)).toBe(true);
    expect(lines.filter((l) => l.length > 78 && !l.startsWith('Message-ID:'))).toEqual([]);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/\n|\r/);
    expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
    const mail = parseEml(raw);
    expect(mail.headers).toMatchObject({
      from: 'procure@example.com',
      to: 'boss@example.com, cfo@example.com',
      subject: 'Approve purchase — CoCalc “business” license',
      'mime-version': '1.0',
    });
    expect(mail.headers['content-type']).toMatch(/^multipart\/alternative; boundary=/);
    expect(mail.headers['message-id']).toMatch(/^<.+@.+>$/);
    expect(Number.isNaN(Date.parse(mail.headers.date ?? ''))).toBe(false);
    expect(mail.text).toBe(`Please decide: ${link}\n${longLine}\n`);
    expect(mail.html).toBe(`<p>Please decide: <a href="${link}">open</a></p>`);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ messageId: out.MessageId, to: ['boss@example.com', 'cfo@example.com'], links: [link] });
    expect(outbox.mails[0]?.file).toBe(join(outbox.dir, files[0]!));
  });

  it('rejects a mail without content as SES does', async () => {
    const err = await client
      .send(new SendEmailCommand({ FromEmailAddress: 'procure@example.com', Destination: { ToAddresses: ['a@example.com'] }, Content: {} }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestException);
  });

  it('encodes quoted-printable without splitting escapes and keeps trailing spaces visible', () => {
    const qp = encodeQuotedPrintable(`${'é'.repeat(40)} \nend`);
    for (const line of qp.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(qp).toContain('=20\r\nend');
    expect(parseEml(`Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp}`).text).toBe(
      `${'é'.repeat(40)} \nend`,
    );
  });
});
