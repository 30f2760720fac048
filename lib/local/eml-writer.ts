import { randomBytes } from 'node:crypto';

/**
 * RFC 5322 / MIME writing for the local SES outbox (ses-outbox.ts): headers folded and, when not
 * plain ASCII, RFC 2047 encoded-words; bodies quoted-printable UTF-8; text and HTML together as
 * multipart/alternative. So any mail client opens the `.eml` files the outbox writes.
 */

const CRLF = '\r\n';

/**
 * RFC 2047 encoded-words (base64, at most 64 characters each, folded onto continuation lines) when
 * the value is not plain ASCII.
 */
function encodeHeaderValue(value: string): string {
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

/** The `.eml` text of a Simple SendEmail message. */
export function buildEml(m: {
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
    const boundary = `=_local_${randomBytes(12).toString('hex')}`;
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
