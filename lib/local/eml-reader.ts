/**
 * A small MIME reader for the outbox's own messages (tests and the CLI read mails back; a raw
 * SendEmail message is read for its headers and parts). Apart from the writer (eml-writer.ts) as
 * the two share no code.
 */

/** A mail read back: its headers and its text and HTML parts. */
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
