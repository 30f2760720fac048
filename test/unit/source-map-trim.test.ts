import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@jridgewell/sourcemap-codec';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLibrarySource, trimSourceMap, trimSourceMapFile, type SourceMapV3 } from '../../lib/constructs/source-map-trim.cjs';
import { workflowBuildOptions } from '../support/workflow-bundle';
import { PROJECT_DIR } from '../support/project-dir';

/**
 * source-map-trim.cjs on a real esbuild bundle built with the functions' settings: an entry of
 * "our" code importing a library from node_modules, both with a function that throws. The stack
 * traces are read from a real `node --enable-source-maps`, as a Lambda prints them.
 */

let dir: string;
let original: SourceMapV3;
let trimmed: SourceMapV3;

const LIBRARY = `exports.libraryFails = function libraryFails(n) {
  if (n > 0) throw new Error('library says no');
  return n;
};
exports.libraryName = function libraryName() { return 'lib'; };
`;

const ENTRY = `import { libraryFails, libraryName } from 'libx';

export function ownFails(n: number): number {
  const doubled = n * 2;
  if (doubled > 0) throw new Error('own code says no');
  return doubled;
}

export function callsLibrary(n: number): string {
  return libraryName() + libraryFails(n);
}
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'source-map-trim-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'node_modules', 'libx'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'libx', 'package.json'), JSON.stringify({ name: 'libx', main: 'index.js' }));
  writeFileSync(join(dir, 'node_modules', 'libx', 'index.js'), LIBRARY);
  writeFileSync(join(dir, 'src', 'entry.ts'), ENTRY);
  // Bundled with the functions' settings, the map as esbuild writes it; trimmed below.
  await build(workflowBuildOptions({ entryPoints: [join(dir, 'src', 'entry.ts')] }, join(dir, 'out')));
  const mapFile = join(dir, 'out', 'index.js.map');
  original = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapV3;
  trimSourceMapFile(mapFile);
  trimmed = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapV3;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every segment of `map` that names a source, with its generated position. */
function sourcedSegments(map: SourceMapV3): Array<{ line: number; column: number; source: string }> {
  return decode(map.mappings).flatMap((segments, line) =>
    segments.filter((s) => s.length > 1).map((s) => ({ line, column: s[0], source: map.sources[s[1]!]! })),
  );
}

/** Node's own reader of a map (the one `--enable-source-maps` uses); esbuild's maps carry no `file` or `sourceRoot`, which it does without. */
function consumerOf(map: SourceMapV3): SourceMap {
  return new SourceMap(map as unknown as SourceMapPayload);
}

/** The stack `node --enable-source-maps` prints when `call` of the bundle throws. */
function stackOf(call: string): string {
  const script = `try { require(process.argv[1]).${call}(1) } catch (e) { process.stdout.write(e.stack) }`;
  return execFileSync(process.execPath, ['--enable-source-maps', '-e', script, join(dir, 'out', 'index.js')], { encoding: 'utf8' });
}

describe('source-map-trim', () => {
  it('tells a library source from one of ours', () => {
    expect(isLibrarySource('../../node_modules/zod/v4/core/util.js')).toBe(true);
    expect(isLibrarySource('node_modules/@aws-sdk/client-sfn/dist-es/SFNClient.js')).toBe(true);
    expect(isLibrarySource('../../lambdas/core/zod.ts')).toBe(false);
    expect(isLibrarySource('../../lambdas/core/node_modules_list.ts')).toBe(false);
  });

  it('keeps every mapping into our code exactly, and none into a library', () => {
    const ownBefore = sourcedSegments(original).filter((s) => !isLibrarySource(s.source));
    expect(ownBefore.length).toBeGreaterThan(0);
    expect(sourcedSegments(original).some((s) => isLibrarySource(s.source))).toBe(true);
    expect(sourcedSegments(trimmed)).toEqual(ownBefore);
    const before = consumerOf(original);
    const after = consumerOf(trimmed);
    for (const s of ownBefore) expect(after.findEntry(s.line, s.column)).toEqual(before.findEntry(s.line, s.column));
  });

  it('never attributes a library position to our code before it', () => {
    const after = consumerOf(trimmed);
    const library = sourcedSegments(original).filter((s) => isLibrarySource(s.source));
    expect(library.length).toBeGreaterThan(0);
    for (const s of library) expect((after.findEntry(s.line, s.column) as { originalSource?: string }).originalSource).toBeUndefined();
  });

  it('keeps the whole list of sources (what the bundle holds) and only the names still used', () => {
    expect(trimmed.sources).toEqual(original.sources);
    expect(trimmed.names.length).toBeLessThan(original.names.length);
    expect(original.names).toEqual(expect.arrayContaining(trimmed.names));
    const used = new Set(decode(trimmed.mappings).flatMap((segments) => segments.filter((s) => s.length === 5).map((s) => s[4]!)));
    expect([...used].sort((a, b) => a - b)).toEqual(trimmed.names.map((_, i) => i));
  });

  it("still shows our own frames at their .ts line in a real stack, and a library's at its place in the bundle", () => {
    const own = stackOf('ownFails');
    expect(own).toContain('own code says no');
    expect(own).toMatch(/src\/entry\.ts:5:\d+/);
    const viaLibrary = stackOf('callsLibrary');
    expect(viaLibrary).toContain('library says no');
    const [, firstFrame] = viaLibrary.split('\n');
    expect(firstFrame).toMatch(/out\/index\.js:\d+:\d+/);
    expect(firstFrame).not.toMatch(/entry\.ts|node_modules/);
    expect(viaLibrary).toMatch(/src\/entry\.ts:10:\d+/);
  });

  it('run as the bundling hook without a map path, it says how to run it and fails, so the bundling fails', () => {
    const script = join(PROJECT_DIR, 'lib/constructs/source-map-trim.cjs');
    let failure: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [script], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      failure = err as typeof failure;
    }
    expect(failure.status).toBe(2);
    expect(failure.stderr).toContain('usage: node source-map-trim.cjs <index.js.map>');
  });

  it('gives a map without library mappings back unchanged but for its names', () => {
    const own = { version: 3, sources: ['a.ts'], names: ['x', 'unused'], mappings: 'AAAAA,EAAE' };
    expect(trimSourceMap(own)).toEqual({ ...own, names: ['x'] });
  });
});
