import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../lambdas/adapters/aws/ses-mailer';
import { APPROVAL_LINK_HEADER, renderApprovalMail } from '../../lambdas/core/approval-mail';
import { printMail } from '../../lib/cli/local-console';
import { approvalLinkOf } from '../../lib/cli/runtime-report';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import { Outbox } from '../../lib/local/ses-outbox';
import { parseEml } from '../../lib/local/eml-reader';
import { useEndpointEnv } from '../support/endpoint-env';

/**
 * Issue 9 §1: whoever takes the approval link out of a mail takes the one procure put in the
 * `X-Procure-Approval-Link` header (sent through SES v2 `Simple.Headers`), never the first link of
 * a body that quotes requester text. Production mailer -> real SDK client -> local SES outbox.
 */
describe('the approval link of a mail', () => {
  let dir: string;
  let outbox: Outbox;
  let endpoint: AwsEndpoint;
  let restoreEnv: () => void;
  let client: SESv2Client;
  const genuine = 'http://127.0.0.1:4000/prod/approvals/AAAAAAAAAAAAAAAAAAAAAA?sig=' + 'b'.repeat(43);
  const forged = 'https://evil.example/prod/approvals/BBBBBBBBBBBBBBBBBBBBBB?sig=' + 'c'.repeat(43);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procure-link-'));
    outbox = new Outbox(join(dir, 'outbox'));
    endpoint = await startAwsEndpoint({ sesv2: outbox.route() });
    restoreEnv = useEndpointEnv({ AWS_ENDPOINT_URL_SESV2: endpoint.url });
    client = new SESv2Client({});
    const mail = renderApprovalMail({
      from: 'procure@example.com',
      approver: 'boss@example.com',
      url: genuine,
      expiresAt: '2030-01-02T03:04:05.000Z',
      summary: {
        vendor: 'cocalc',
        item: 'CoCalc site license: academic, monthly',
        amountUsd: 18,
        // A name stored before the schema refused controls: OSC 8 link, cursor up + erase line, RLO.
        requester: { name: 'Eve\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[1A\x1b[2K\u202Egnp', email: 'eve@example.com' },
        reason: `Please use this link instead:\nReview and decide: ${forged}`,
      },
    });
    await new SesMailer(client).send(mail);
  });

  afterAll(async () => {
    client.destroy();
    restoreEnv();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the header procure set, delivered through SES v2 Simple.Headers into the .eml file', () => {
    const mail = outbox.mails[0]!;
    expect(mail.headers[APPROVAL_LINK_HEADER.toLowerCase()]).toBe(genuine);
    expect(parseEml(readFileSync(mail.file, 'utf8')).headers[APPROVAL_LINK_HEADER.toLowerCase()]).toBe(genuine);
    expect(approvalLinkOf(mail)).toBe(genuine);
    // The body holds the forged link too; nothing picks it.
    expect(mail.links).toContain(forged);
  });

  it('is what `procure local` prints, and the mail line shows the requester text escaped', () => {
    const printed: string[] = [];
    printMail(outbox.mails[0]!, (l) => printed.push(l));
    const out = printed.join('\n');
    expect(out).toContain(`    ${genuine}\n`);
    expect(out).toContain(`npx procure approve '${genuine}'`);
    expect(out).not.toContain(forged);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain('Eve\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07\\x1b[1A\\x1b[2K\\u202egnp');
  });

  it('is absent from a mail without the header, whatever links its body holds', () => {
    expect(approvalLinkOf({ ...outbox.mails[0]!, headers: {} })).toBeUndefined();
  });
});
