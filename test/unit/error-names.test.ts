import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../support/project-dir';

/**
 * Every error class names itself with a literal equal to its class identifier. The bundles are
 * minified without keepNames, so a class that forgot its `override name = '...'` would carry its
 * parent's name (or a minified one) and Step Functions Retry / Catch, RecordOutcome and the APIs'
 * error bodies would miss it. The modules are found by reading lambdas/ for `class X extends`, so a
 * new error class in a new module is checked without editing this file.
 */

const LAMBDAS_DIR = join(PROJECT_DIR, 'lambdas');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Modules declaring a subclass, with the classes each declares (read from the source). */
const DECLARING = sourceFiles(LAMBDAS_DIR)
  .map((file) => ({ file, classes: [...readFileSync(file, 'utf8').matchAll(/\bclass (\w+) extends \w+/g)].map((m) => m[1] as string) }))
  .filter((m) => m.classes.length > 0);

/** Arguments every error constructor accepts (message first; SecretPlaceholderError takes id, fields, command). */
const ARGS = ['message', [], 'x', 'y'] as const;

type ErrorClass = new (...args: unknown[]) => Error;

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof Error;
}

describe('error class names', () => {
  it('finds the modules that declare error classes', () => {
    expect(DECLARING.map((m) => relative(LAMBDAS_DIR, m.file))).toContain(join('core', 'errors.ts'));
  });

  describe.each(DECLARING.map((m) => [relative(LAMBDAS_DIR, m.file), m] as const))('%s', (_rel, { file, classes }) => {
    it('exports every class it declares as an error class', async () => {
      const mod = (await import(file)) as Record<string, unknown>;
      const exported = classes.filter((c) => isErrorClass(mod[c]));
      expect(exported).toEqual(classes);
    });

    it('gives each exported error class a name equal to its identifier', async () => {
      const mod = (await import(file)) as Record<string, unknown>;
      const names = Object.entries(mod)
        .filter((entry): entry is [string, ErrorClass] => isErrorClass(entry[1]))
        .map(([id, cls]) => [id, new cls(...ARGS).name]);
      expect(names.length).toBeGreaterThan(0);
      expect(names).toEqual(names.map(([id]) => [id, id]));
    });
  });
});
