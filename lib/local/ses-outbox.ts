import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AwsServiceError } from './aws-error';
import type { RestRoute } from './aws-endpoint';
import { parseEml } from './eml-reader';
import { buildEml } from './eml-writer';
import { mkdirPrivate, writeFilePrivate } from './private-files';
import { KEPT_IN_MEMORY, keepLatest } from './keep-latest';

// Split by concern: writing the .eml files (eml-writer.ts) and reading them back (eml-reader.ts).

/**
 * SES v2 SendEmail, delivered to a folder: each mail becomes an RFC 5322 `.eml` file
 * (multipart/alternative with text and HTML parts, quoted-printable, UTF-8 headers as RFC 2047
 * encoded-words) that any mail client opens, and an `onMail` callback lets the CLI print the
 * approval link. Raw messages are stored as sent.
 */
export interface OutboxMail {
  messageId: string;
  /** Absolute path of the .eml file. */
  file: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text?: string;
  html?: string;
  date: string;
  /**
   * Headers the sender set beyond the standard ones (SES v2 `Content.Simple.Headers`, or a raw
   * message's `X-` headers), names in lower case. Senders put their own data here, e.g.
   * `x-procure-approval-link`: unlike the body, nobody else writes it.
   */
  headers: Record<string, string>;
  /**
   * http(s) links found in the text part (else the HTML part), in order. The body can quote text
   * written by others, so never pick a link to act on from here; use a header the sender set.
   */
  links: string[];
}

export class Outbox {
  /**
   * The latest mails sent (up to `retention`), oldest first: bounded, so a long run does not keep
   * every mail in memory (each stays on disk as its .eml file in `dir`).
   */
  readonly mails: OutboxMail[] = [];

  constructor(
    readonly dir: string,
    private readonly onMail?: (mail: OutboxMail) => void,
    private readonly retention = KEPT_IN_MEMORY,
  ) {
    mkdirPrivate(dir);
  }

  /** The SES v2 REST route for the loopback endpoint. */
  route(): RestRoute {
    return (method, path, body) => {
      if (method === 'POST' && path === '/v2/email/outbound-emails') return { MessageId: this.sendEmail(body) };
      throw new AwsServiceError('NotFoundException', `the local SES facade does not implement ${method} ${path}`, 404);
    };
  }

  /** SendEmail: writes the .eml file and returns the MessageId. */
  sendEmail(request: Record<string, unknown>): string {
    const content = (request.Content ?? {}) as SendEmailContent;
    const messageId = `${Date.now().toString(16)}-${randomUUID()}-000000`;
    const date = new Date();
    let sent: { eml: string; mail: Omit<OutboxMail, 'file' | 'links' | 'headers'>; headers: Record<string, string> };
    if (content.Raw?.Data) {
      sent = rawMail(request, content.Raw.Data, messageId, date);
    } else if (content.Simple) {
      sent = simpleMail(request, content.Simple, messageId, date);
    } else if (content.Template) {
      throw new AwsServiceError('BadRequestException', 'template mails are not supported by the local SES facade');
    } else {
      throw new AwsServiceError('BadRequestException', 'Missing required parameter Content');
    }
    const { eml, mail, headers } = sent;
    const file = join(this.dir, `${date.toISOString().replace(/[:.]/g, '-')}-${messageId.slice(-18, -7)}.eml`);
    writeFilePrivate(file, eml);
    const full: OutboxMail = { ...mail, file, headers, links: extractLinks(mail.text ?? mail.html ?? '') };
    this.mails.push(full);
    keepLatest(this.mails, this.retention);
    try {
      this.onMail?.(full);
    } catch {
      // A listener's bug must not fail SendEmail.
    }
    return messageId;
  }
}

/** SES v2 SendEmail's `Content`, as far as the outbox reads it. */
interface SendEmailContent {
  Simple?: SimpleContent;
  Raw?: { Data?: string };
  Template?: unknown;
}

type SimpleContent = {
  Subject?: { Data?: string };
  Body?: { Text?: { Data?: string }; Html?: { Data?: string } };
  Headers?: Array<{ Name: string; Value: string }>;
};

type Destination = { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };

/** A raw message (base64 `data`): stored as sent; its addresses and parts read back from it. */
function rawMail(request: Record<string, unknown>, data: string, messageId: string, date: Date) {
  const dest = (request.Destination ?? {}) as Destination;
  const eml = Buffer.from(data, 'base64').toString('utf8');
  const parsed = parseEml(eml);
  const headers = Object.fromEntries(Object.entries(parsed.headers).filter(([k]) => k.startsWith('x-')));
  const mail = {
    messageId,
    from: String(request.FromEmailAddress ?? parsed.headers.from ?? ''),
    to: dest.ToAddresses ?? splitAddresses(parsed.headers.to),
    cc: dest.CcAddresses ?? splitAddresses(parsed.headers.cc),
    bcc: dest.BccAddresses ?? [],
    subject: parsed.headers.subject ?? '',
    ...(parsed.text !== undefined ? { text: parsed.text } : {}),
    ...(parsed.html !== undefined ? { html: parsed.html } : {}),
    date: date.toISOString(),
  };
  return { eml, mail, headers };
}

/** A Simple message: checked as SES checks it (BadRequestException), then written as an .eml. */
function simpleMail(request: Record<string, unknown>, simple: SimpleContent, messageId: string, date: Date) {
  const dest = (request.Destination ?? {}) as Destination;
  const from = request.FromEmailAddress;
  if (typeof from !== 'string' || !from) throw new AwsServiceError('BadRequestException', 'Missing required parameter FromEmailAddress');
  const to = dest.ToAddresses ?? [];
  const cc = dest.CcAddresses ?? [];
  const bcc = dest.BccAddresses ?? [];
  if (to.length + cc.length + bcc.length === 0) throw new AwsServiceError('BadRequestException', 'Missing required parameter Destination');
  const text = simple.Body?.Text?.Data;
  const html = simple.Body?.Html?.Data;
  if (text === undefined && html === undefined) throw new AwsServiceError('BadRequestException', 'Message body is required');
  const headers = Object.fromEntries((simple.Headers ?? []).map((h) => [String(h.Name).toLowerCase(), String(h.Value)]));
  const mail = {
    messageId,
    from,
    to,
    cc,
    bcc,
    subject: simple.Subject?.Data ?? '',
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
    date: date.toISOString(),
  };
  const eml = buildEml({ ...mail, date, headers: simple.Headers ?? [], replyTo: (request.ReplyToAddresses as string[] | undefined) ?? [] });
  return { eml, mail, headers };
}

function splitAddresses(v: string | undefined): string[] {
  return v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** The http(s) links in `text`, in order (trailing punctuation and `&amp;` undone). */
export function extractLinks(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0].replace(/[.,;:!?)]+$/, '').replace(/&amp;/g, '&'));
}
