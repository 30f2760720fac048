import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PROJECT_DIR } from './project-dir';

/**
 * The module specifiers a TypeScript file names, read from its source: `import … from`,
 * `import type … from`, `export … from`, side-effect `import 'x'`, `import('x')`, `require('x')`
 * and `import x = require('x')`. Type-only imports count: a type import is still a dependency
 * the layering forbids. The project's TypeScript (7, native) has no JS API to ask, and esbuild
 * drops type imports, hence this small scanner: comments, string bodies and regex literals are
 * blanked first, so a commented-out import or an import-like string is not reported.
 */

export interface ModuleImport {
  /** The importing file, relative to the project root (`lambdas/core/ports.ts`). */
  file: string;
  /** The specifier as written (`../shared/config`, `undici`). */
  specifier: string;
  /**
   * For a relative specifier, its target relative to the project root (no extension added, a `.js` one dropped); for a
   * `#` one, the file package.json "imports" maps it to by default (extension dropped alike).
   */
  target?: string;
}

/** package.json "imports": `#vendors/names` -> the file it means when no condition is set. */
const PACKAGE_IMPORTS: Record<string, { default?: string }> = JSON.parse(readFileSync(resolve(PROJECT_DIR, 'package.json'), 'utf8')).imports ?? {};

/** The default target of a `#` specifier, relative to the project root, without its extension. */
function packageImportTarget(specifier: string): string | undefined {
  const target = PACKAGE_IMPORTS[specifier]?.default;
  return target === undefined ? undefined : relative(PROJECT_DIR, resolve(PROJECT_DIR, target)).replace(/\.ts$/, '');
}

const SPECIFIER = /\b(?:from|import|require)\s*\(?\s*(['"])([^'"\n]+)\1/g;

/** Every `.ts` file under `dir` (relative to the project root), recursively, sorted. */
export function tsFilesUnder(dir: string): string[] {
  const abs = resolve(PROJECT_DIR, dir);
  return readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(PROJECT_DIR, join(e.parentPath, e.name)))
    .sort();
}

/** The imports of one file (path relative to the project root). */
export function importsOfFile(file: string): ModuleImport[] {
  return importsInSource(file, readFileSync(resolve(PROJECT_DIR, file), 'utf8'));
}

/** The imports of `source`, as if it were the file `file` (relative to the project root). */
export function importsInSource(file: string, source: string): ModuleImport[] {
  const code = blankNonCode(source);
  const found: ModuleImport[] = [];
  for (const m of code.matchAll(SPECIFIER)) {
    // The specifier's characters were blanked as string content; read them back from the source.
    const start = (m.index ?? 0) + m[0].length - 1 - (m[2] ?? '').length;
    const specifier = source.slice(start, start + (m[2] ?? '').length);
    const target = specifier.startsWith('.')
      ? // `./x.js` names `./x.ts` (TypeScript's nodenext spelling, as a dynamic import must be written).
        relative(PROJECT_DIR, resolve(PROJECT_DIR, dirname(file), specifier)).replace(/\.js$/, '')
      : specifier.startsWith('#')
        ? packageImportTarget(specifier)
        : undefined;
    found.push({ file, specifier, ...(target === undefined ? {} : { target }) });
  }
  return found;
}

/**
 * `source` with comments removed and the insides of strings, template literals and regex literals
 * replaced by spaces (quotes kept, length kept so offsets still match the source). Code inside a
 * template's `${…}` stays code, nested templates included.
 */
function blankNonCode(source: string): string {
  const s: Scan = { src: source, i: 0, out: [] };
  scanCode(s, false);
  return s.out.join('');
}

interface Scan {
  src: string;
  i: number;
  out: string[];
}

/** Copies code up to the end of the source, or (`inPlaceholder`) past the `}` closing a `${`. */
function scanCode(s: Scan, inPlaceholder: boolean): void {
  let depth = 0;
  while (s.i < s.src.length) {
    const c = s.src[s.i] ?? '';
    const next = s.src[s.i + 1];
    if (c === '/' && next === '/') blank(s, lineEnd(s.src, s.i));
    else if (c === '/' && next === '*') blank(s, s.src.indexOf('*/', s.i + 2) < 0 ? s.src.length : s.src.indexOf('*/', s.i + 2) + 2);
    else if (c === '`') scanTemplate(s);
    else if (c === '"' || c === "'" || (c === '/' && regexMayStartAfter(s.out))) scanLiteral(s, c);
    else {
      if (c === '{') depth += 1;
      if (c === '}' && inPlaceholder && depth-- === 0) return void keep(s, 1);
      keep(s, 1);
    }
  }
}

function scanTemplate(s: Scan): void {
  keep(s, 1);
  while (s.i < s.src.length) {
    const c = s.src[s.i];
    if (c === '`') return void keep(s, 1);
    if (c === '$' && s.src[s.i + 1] === '{') {
      keep(s, 2);
      scanCode(s, true);
    } else blank(s, s.i + (c === '\\' ? 2 : 1));
  }
}

/** A quoted string or a regex literal (a regex character class may hold an unescaped '/'). */
function scanLiteral(s: Scan, quote: string): void {
  keep(s, 1);
  let inClass = false;
  while (s.i < s.src.length) {
    const c = s.src[s.i];
    if (c === '\n') return; // unterminated: stop at the line's end
    if (c === quote && !inClass) return void keep(s, 1);
    if (quote === '/' && (c === '[' || c === ']')) inClass = c === '[';
    blank(s, s.i + (c === '\\' ? 2 : 1));
  }
}

function keep(s: Scan, n: number): void {
  s.out.push(s.src.slice(s.i, s.i + n));
  s.i += n;
}

function blank(s: Scan, end: number): void {
  const to = Math.min(end, s.src.length);
  s.out.push(' '.repeat(to - s.i));
  s.i = to;
}

function lineEnd(source: string, from: number): number {
  const nl = source.indexOf('\n', from);
  return nl < 0 ? source.length : nl;
}

/** A `/` starts a regex literal (not a division) after an operator, an opening bracket or a keyword. */
function regexMayStartAfter(out: readonly string[]): boolean {
  let before = '';
  for (let k = out.length - 1; k >= 0 && before.trim().length < 12; k -= 1) before = (out[k] ?? '') + before;
  before = before.trimEnd();
  if (before === '') return true;
  if (/[(,=:[!&|?{};+\-*%<>~^]$/.test(before)) return true;
  return /\b(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/.test(before);
}
