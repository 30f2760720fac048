import { escapeControls } from '../../lambdas/core/safe-text';

/**
 * Text put into the SVG or the HTML page. Purchase ids, statuses and error names come from data,
 * not from procure's own template, so every string goes through here: control and bidi characters
 * are shown as visible escapes (as the CLI prints them on a terminal), characters XML forbids (lone
 * surrogates, U+FFFE, U+FFFF) are replaced, and the five XML specials become entities. The result
 * is safe as element text and inside a double- or single-quoted attribute.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NON_CHARACTERS = /[\uFFFE\uFFFF]/g;

/** The text as the picture shows it (before XML escaping): what its width is measured on. */
export function displayText(text: string): string {
  return escapeControls(text.replace(LONE_SURROGATE, '\uFFFD')).replace(NON_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escaped for XML element text and attribute values. */
export function xml(text: string): string {
  return displayText(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
