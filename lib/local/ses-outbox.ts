import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AwsServiceError } from './aws-error';
import type { RestRoute } from './aws-endpoint';
import { mkdirPrivate, writeFilePrivate } from './private-files';

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
  readonly mails: OutboxMail[] = [];

  constructor(
    readonly dir: string,
    private readonly onMail?: (mail: OutboxMail) => void,
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
    const content = (request.Content ?? {}) as {
      Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } }; Headers?: Array<{ Name: string; Value: string }> };
      Raw?: { Data?: string };
      Template?: unknown;
    };
    const dest = (request.Destination ?? {}) as { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
    const messageId = `${Date.now().toString(16)}-${randomUUID()}-000000`;
    const date = new Date();
    let eml: string;
    let mail: Omit<OutboxMail, 'file' | 'links' | 'headers'>;
    let headers: Record<string, string>;
    if (content.Raw?.Data) {
      eml = Buffer.from(content.Raw.Data, 'base64').toString('utf8');
      const parsed = parseEml(eml);
      headers = Object.fromEntries(Object.entries(parsed.headers).filter(([k]) => k.startsWith('x-')));
      mail = {
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
    } else if (content.Simple) {
      const from = request.FromEmailAddress;
      if (typeof from !== 'string' || !from) throw new AwsServiceError('BadRequestException', 'Missing required parameter FromEmailAddress');
      const to = dest.ToAddresses ?? [];
      const cc = dest.CcAddresses ?? [];
      const bcc = dest.BccAddresses ?? [];
      if (to.length + cc.length + bcc.length === 0) throw new AwsServiceError('BadRequestException', 'Missing required parameter Destination');
      const text = content.Simple.Body?.Text?.Data;
      const html = content.Simple.Body?.Html?.Data;
      if (text === undefined && html === undefined) throw new AwsServiceError('BadRequestException', 'Message body is required');
      headers = Object.fromEntries((content.Simple.Headers ?? []).map((h) => [String(h.Name).toLowerCase(), String(h.Value)]));
      mail = {
        messageId,
        from,
        to,
        cc,
        bcc,
        subject: content.Simple.Subject?.Data ?? '',
        ...(text !== undefined ? { text } : {}),
        ...(html !== undefined ? { html } : {}),
        date: date.toISOString(),
      };
      eml = buildEml({ ...mail, date, headers: content.Simple.Headers ?? [], replyTo: (request.ReplyToAddresses as string[] | undefined) ?? [] });
    } else if (content.Template) {
      throw new AwsServiceError('BadRequestException', 'template mails are not supported by the local SES facade');
    } else {
      throw new AwsServiceError('BadRequestException', 'Missing required parameter Content');
    }
    const file = join(this.dir, `${date.toISOString().replace(/[:.]/g, '-')}-${messageId.slice(-18, -7)}.eml`);
    writeFilePrivate(file, eml);
    const full: OutboxMail = { ...mail, file, headers, links: extractLinks(mail.text ?? mail.html ?? '') };
    this.mails.push(full);
    try {
      this.onMail?.(full);
    } catch {
      // A listener's bug must not fail SendEmail.
    }
    return messageId;
  }
}

function splitAddresses(v: string | undefined): string[] {
  return v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

export function extractLinks(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0].replace(/[.,;:!?)]+$/, '').replace(/&amp;/g, '&'));
}

// ---- RFC 5322 / MIME writing ---------------------------------------------------------------

const CRLF = '\r\n';

/**
 * RFC 2047 encoded-words (base64, at most 64 characters each, folded onto continuation lines) when
 * the value is not plain ASCII.
 */
export function encodeHeaderValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** `Name: value`, folded at ", " so lines stay within 78 characters where possible (RFC 5322 §2.2.3). */
function header(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78 || value.includes(CRLF)) return line;
  const parts = value.split(', ');
  const lines: string[] = [];
  let current = `${name}:`;
  parts.forEach((p, i) => {
    const piece = ` ${p}${i < parts.length - 1 ? ',' : ''}`;
    if (current.length + piece.length > 78 && current.length > name.length + 1) {
      lines.push(current);
      current = '';
    }
    current += piece;
  });
  lines.push(current);
  return lines.join(CRLF);
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text, CRLF line breaks, lines of at most 76 characters. */
export function encodeQuotedPrintable(text: string): string {
  const lines = text.replace(/\r\n|\r/g, '\n').split('\n');
  return lines
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const tokens: string[] = [];
      bytes.forEach((b, i) => {
        const last = i === bytes.length - 1;
        const printable = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
        tokens.push(printable ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
      });
      const out: string[] = [];
      let current = '';
      for (const t of tokens) {
        if (current.length + t.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += t;
      }
      out.push(current);
      return out.join(CRLF);
    })
    .join(CRLF);
}

function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

function buildEml(m: {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text?: string;
  html?: string;
  date: Date;
  headers: Array<{ Name: string; Value: string }>;
  replyTo: string[];
}): string {
  const head: string[] = [
    header('From', encodeHeaderValue(m.from)),
    ...(m.to.length ? [header('To', m.to.join(', '))] : []),
    ...(m.cc.length ? [header('Cc', m.cc.join(', '))] : []),
    ...(m.replyTo.length ? [header('Reply-To', m.replyTo.join(', '))] : []),
    header('Subject', encodeHeaderValue(m.subject)),
    header('Date', rfc5322Date(m.date)),
    header('Message-ID', `<${m.messageId}@email.amazonses.com>`),
    ...m.headers.map((h) => header(h.Name, encodeHeaderValue(h.Value))),
    'MIME-Version: 1.0',
  ];
  const part = (type: string, body: string): string =>
    [`Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: quoted-printable', '', encodeQuotedPrintable(body)].join(CRLF);
  if (m.text !== undefined && m.html !== undefined) {
    const boundary = `=_procure_${randomBytes(12).toString('hex')}`;
    head.push(`Content-Type: multipart/alternative;${CRLF} boundary="${boundary}"`);
    return [
      ...head,
      '',
      'This is a multi-part message in MIME format.',
      `--${boundary}`,
      part('text/plain', m.text),
      `--${boundary}`,
      part('text/html', m.html),
      `--${boundary}--`,
      '',
    ].join(CRLF);
  }
  return [...head, part(m.text !== undefined ? 'text/plain' : 'text/html', m.text ?? m.html ?? ''), ''].join(CRLF);
}

// ---- reading back (tests, CLI) --------------------------------------------------------------

export interface ParsedEml {
  /** Lower-case header names, RFC 2047 words decoded. */
  headers: Record<string, string>;
  text?: string;
  html?: string;
}

function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_w, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(decodeQpBytes(data.replace(/_/g, ' ')), 'binary').toString('utf8'),
    );
}

function decodeQpBytes(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return Buffer.from(decodeQpBytes(body), 'binary').toString('utf8').replace(/\r\n/g, '\n');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body.replace(/\r\n/g, '\n');
  }
}

/** A small MIME reader for the outbox's own messages (single part or multipart/alternative). */
export function parseEml(eml: string): ParsedEml {
  const split = /\r?\n\r?\n/.exec(eml);
  const headerBlock = split ? eml.slice(0, split.index) : eml;
  const body = split ? eml.slice(split.index + split[0].length) : '';
  const headers = parseHeaders(headerBlock);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const out: ParsedEml = { headers };
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    for (const p of parts) {
      if (p.startsWith('--')) break;
      const parsed = parseEml(p.replace(/^\r?\n/, ''));
      if (parsed.text !== undefined) out.text ??= parsed.text;
      if (parsed.html !== undefined) out.html ??= parsed.html;
    }
    return out;
  }
  const decoded = decodeBody(body, headers['content-transfer-encoding']).replace(/\n$/, '');
  if (/^text\/html/i.test(type)) out.html = decoded;
  else out.text = decoded;
  return out;
}
