import { displayText } from './xml-text';

/**
 * Sizes the layout and the drawing share. Text is set in a monospace font, so a label's width is
 * its length in characters times the font's advance (DejaVu Sans Mono: 0.602 em), rounded up: the
 * boxes fit their names without measuring text in a browser.
 */
export const FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, monospace";
export const NAME_FONT_PX = 13;
export const DETAIL_FONT_PX = 11;
export const LABEL_FONT_PX = 10;
const ADVANCE_EM = 0.61;

export const NODE_HEIGHT = 48;
export const LAYER_GAP = 60;
export const MARGIN = 24;
const PADDING_X = 14;
const MIN_NODE_WIDTH = 96;

/** Characters as the picture shows them (astral code points once, controls as their escapes). */
export function charCount(text: string): number {
  return Array.from(displayText(text)).length;
}

/** Width in px of `text` set at `fontPx` (rounded up). */
export function textWidth(text: string, fontPx: number): number {
  return Math.ceil(charCount(text) * fontPx * ADVANCE_EM);
}

/** The second line of a state's box: what it does, and whether it retries (the errors are its tooltip). */
export function detailLine(detail: string, retries: readonly string[]): string {
  return retries.length > 0 ? `${detail} · retries` : detail;
}

/** A state's box width: its name or its detail line, whichever is wider, plus padding. */
export function nodeWidth(name: string, detail: string): number {
  return Math.max(MIN_NODE_WIDTH, Math.max(textWidth(name, NAME_FONT_PX), textWidth(detail, DETAIL_FONT_PX)) + 2 * PADDING_X);
}

/** Longest edge label drawn in full; longer ones end in "…" (the whole text is the tooltip). */
export const LABEL_MAX_CHARS = 34;

/** An edge label cut to {@link LABEL_MAX_CHARS}. */
export function shortLabel(text: string): string {
  const chars = Array.from(displayText(text));
  return chars.length > LABEL_MAX_CHARS ? `${chars.slice(0, LABEL_MAX_CHARS - 1).join('')}…` : text;
}
