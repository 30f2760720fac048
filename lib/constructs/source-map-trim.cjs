'use strict';
/**
 * Keeps a bundle's source map to procure's own code (issue #11). Every function runs with
 * `--enable-source-maps`, so Node reads its map when the bundle loads and parses all of it the first
 * time a stack is shown: an error, or an idle keep-alive socket that undici closes with one.
 * esbuild's map covers the whole bundle, and the AWS SDK, zod, undici and soap are about nine
 * tenths of it. Measured on the synthesized bundles (2 cores): PurchasesApi's map 883 KB → 117 KB,
 * PreparePurchase's 1.7 MB → 169 KB; parsing them (what that first stack costs) 30 → 4 ms and
 * 64 → 8 ms (medians of 7); PurchasesApi's load with source maps about 77.5 → 70 ms (63.5 with none).
 *
 * What it keeps and drops:
 * - every mapping into a file outside node_modules, unchanged, so a stack frame in procure's code
 *   still names its .ts file, line and column;
 * - a mapping into a library becomes an "unmapped from here" mark (a one-field segment), so a frame
 *   there shows its place in index.js and is never taken for the procure code before it;
 * - `sources` stays whole (it is short, and it records what the bundle holds: the bundle tests read
 *   it); `names` keeps only those the kept mappings use.
 *
 * Run after esbuild by the functions' bundling (lib/constructs/workflow-function.ts) as
 * `node source-map-trim.cjs <index.js.map>`, and by the bundle bench on its baselines, which are
 * built with the same settings. Plain CommonJS, so the bundling hook needs no TypeScript loader.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { decode, encode } = require('@jridgewell/sourcemap-codec');

/** Whether a map's source is a library's (under a node_modules folder). */
function isLibrarySource(source) {
  return /(^|[\\/])node_modules[\\/]/.test(source);
}

/** The map with only procure's own mappings (see above); `map` is a parsed version 3 source map. */
function trimSourceMap(map) {
  const library = map.sources.map((s) => isLibrarySource(String(s)));
  const names = [];
  const nameIndex = new Map();
  const keepName = (i) => {
    let j = nameIndex.get(i);
    if (j === undefined) {
      j = names.length;
      names.push(map.names[i]);
      nameIndex.set(i, j);
    }
    return j;
  };
  const lines = decode(map.mappings).map((segments) => {
    const kept = [];
    let unmapped = false;
    for (const s of segments) {
      if (s.length === 1 || library[s[1]]) {
        if (!unmapped) kept.push([s[0]]);
        unmapped = true;
        continue;
      }
      unmapped = false;
      kept.push(s.length === 5 ? [s[0], s[1], s[2], s[3], keepName(s[4])] : [s[0], s[1], s[2], s[3]]);
    }
    return kept;
  });
  return { ...map, names, mappings: encode(lines) };
}

/** Trims the map file at `path` in place. */
function trimSourceMapFile(path) {
  const map = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify(trimSourceMap(map)));
}

module.exports = { isLibrarySource, trimSourceMap, trimSourceMapFile };

if (require.main === module) {
  const [path] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node source-map-trim.cjs <index.js.map>\n');
    process.exit(2);
  }
  trimSourceMapFile(path);
}
