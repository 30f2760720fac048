import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsInSource, importsOfFile, tsFilesUnder } from '../support/module-imports';
import { PROJECT_DIR } from '../support/project-dir';

/**
 * No two production files import each other, directly or round a circle (issue #10, "one
 * direction"): a split that leaves the new file importing the old one's types back makes the two
 * one module in all but name. Type-only imports count, as in import-direction.test.ts.
 */

/** The project file a relative import names, or undefined for a package or a non-source file. */
function fileOf(target: string): string | undefined {
  for (const candidate of [`${target}.ts`, `${target}/index.ts`]) if (existsSync(resolve(PROJECT_DIR, candidate))) return candidate;
  return undefined;
}

/** The circles of `graph` (strongly connected components of more than one file, or a file importing itself). */
function circlesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(files.map((f) => [f, importsOfFile(f).flatMap((i) => (i.target === undefined ? [] : (fileOf(i.target) ?? [])))]));
}

describe('production imports', () => {
  it('form no circle', () => {
    const files = ['bin', 'lib', 'lambdas'].flatMap((dir) => tsFilesUnder(dir));
    expect(files.length).toBeGreaterThan(100);
    expect(circlesOf(importGraph(files))).toEqual([]);
  });

  it('a circle is found when there is one (the finder itself)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(circlesOf(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    // And a type-only import is an edge like any other.
    expect(importsInSource('lib/x.ts', "import type { Y } from './y';").map((i) => i.target)).toEqual(['lib/y']);
  });
});
