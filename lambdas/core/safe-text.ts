import * as z from './zod';

/**
 * Text a requester writes reaches people through procure's mails and the operator's terminal. It
 * must not be able to pose as procure there: no line breaks in one-line fields, no terminal
 * control sequences (ESC, BEL, CSI/OSC as C1), and no bidirectional formatting that reorders what
 * a reader sees. The schemas refuse such text; {@link escapeControls} makes any that was stored
 * earlier visible instead of active.
 */

/**
 * C0 controls, DEL, C1 controls, the Unicode line/paragraph separators, and the bidi marks,
 * embeddings, overrides and isolates (U+200E/U+200F, U+061C, U+202A–U+202E, U+2066–U+2069).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/gu;

/** `U+000A`: how a refused character is named in an error. */
function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first character of `text` that may not appear in it, and where; undefined when there is none. */
export function findUnsafeChar(text: string, options: { multiLine: boolean }): { char: string; index: number } | undefined {
  for (const m of text.matchAll(UNSAFE)) {
    if (options.multiLine && (m[0] === '\n' || (m[0] === '\r' && text[m.index + 1] === '\n'))) continue;
    return { char: m[0], index: m.index };
  }
  return undefined;
}

function refineSafe(label: string, multiLine: boolean) {
  return (value: string, ctx: z.core.$RefinementCtx<string>): void => {
    const found = findUnsafeChar(value, { multiLine });
    if (!found) return;
    const what = multiLine
      ? 'may contain line breaks but no other control or bidirectional-formatting characters'
      : 'must be a single line without control or bidirectional-formatting characters';
    ctx.addIssue({ code: 'custom', message: `${label} ${what} (found ${codePointName(found.char)} at position ${found.index})` });
  };
}

/** A one-line text field (a name, a title): no line breaks, controls or bidi formatting. */
export function singleLineText(label: string, options: { min?: number; max: number }) {
  return z.string().check(z.minLength(options.min ?? 0), z.maxLength(options.max), z.superRefine(refineSafe(label, false)));
}

/** A free-text field that may span lines (`\n` or `\r\n`), with no other controls or bidi formatting. */
export function multiLineText(label: string, options: { min?: number; max: number }) {
  return z.string().check(z.minLength(options.min ?? 0), z.maxLength(options.max), z.superRefine(refineSafe(label, true)));
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Every control, separator and bidi character as a visible escape (`\x1b`, `\n`, `\u202e`), so
 * text shown on a terminal or in a mail cannot move the cursor, draw a hyperlink, ring the bell,
 * start a new line or reorder what follows. Other text is unchanged.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const named = NAMED[ch];
    if (named) return named;
    const code = ch.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Lines of a multi-line text, each with its controls escaped (`\r\n`, `\r` and `\n` all break lines). */
export function safeLines(text: string): string[] {
  return text.split(/\r\n|\r|\n|\u2028|\u2029/).map(escapeControls);
}

/** Indentation of people's text under its label in a mail's text part. */
const QUOTE = '    ';

/**
 * Text a person wrote, for a mail's plain-text part: each entry's label on its own line, then the
 * text indented under it, line by line with controls escaped, so it can never start a line that
 * looks like one of procure's own `Label: value` lines.
 */
export function quotedBlocks(entries: ReadonlyArray<readonly [label: string, text: string]>): string[] {
  return entries.flatMap(([label, text]) => [`${label}:`, ...safeLines(text).map((l) => `${QUOTE}${l}`)]);
}
