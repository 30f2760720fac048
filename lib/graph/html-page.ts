import { xml } from './xml-text';

/**
 * The SVG inside a standalone HTML page (no script, no outside resource): what `--out file.html`
 * writes, to open in any browser.
 */
export function htmlPage(svg: string, title: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${xml(title)}</title>`,
    '<style>body { margin: 0; padding: 16px; background: #ffffff; } svg { display: block; }</style>',
    '</head>',
    '<body>',
    svg.trimEnd(),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
