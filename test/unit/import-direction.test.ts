import { ALL_STATE_NAMES } from '../support/state-names';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsInSource, importsOfFile, tsFilesUnder, type ModuleImport } from '../support/module-imports';
import { PROJECT_DIR } from '../support/project-dir';
import { FUNCTIONS } from '../../lambdas/core/functions';
import { ENV } from '../../lambdas/shared/env-names';

/**
 * Dependencies point one way (HOUSE-STYLE "Layout"; issue #10: entry -> core <- adapters): handlers
 * call core use cases with adapters the composition root builds; core is pure (no AWS SDK, undici,
 * soap, Powertools or env) and imports none of the others, and the vendor sandboxes independent of the code
 * they test (issue #10): a sandbox that borrows procure's pricing or WSDL model agrees with procure
 * by construction, so it could not catch procure getting the vendor wrong.
 */

type Room = 'core' | 'adapters' | 'composition' | 'handlers' | 'shared' | 'stack';

/**
 * The room of a path under lambdas/: procure's own folder of that name, or the same folder inside
 * a vendor's (lambdas/vendors/<vendor>/core is core, .../adapters adapters, and so on), or a
 * vendor's stack.ts, settings.ts and sandbox.ts (its CDK needs, its configuration settings and its
 * local sandbox's wiring, which only the CDK app, the configuration and the local runtime import).
 */
function roomOf(path: string): Room | undefined {
  if (/^(?:lambdas|test\/fixtures)\/vendors\/[\w-]+\/(?:stack|sandbox|settings|sign-in)(?:\.ts)?$/.test(path)) return 'stack';
  // A test-only vendor (test/fixtures/vendors/<vendor>) keeps the same rooms.
  const m = /^(?:lambdas\/(?:vendors\/[\w-]+\/)?|test\/fixtures\/vendors\/[\w-]+\/)(core|adapters|composition|handlers|shared)(?:\/|$)/.exec(path);
  return m?.[1] as Room | undefined;
}

/** The vendor folder a path is in (lambdas/vendors/<vendor>/...), if any. */
function vendorOf(path: string): string | undefined {
  return /^lambdas\/vendors\/([\w-]+)\//.exec(path)?.[1];
}

/** What a core file may import besides core files (procure's or a vendor's): Node builtins and zod. */
function coreMayImport(i: ModuleImport): boolean {
  if (i.target !== undefined) return roomOf(i.target) === 'core';
  return i.specifier.startsWith('node:') || i.specifier === 'zod' || i.specifier.startsWith('zod/');
}

const inRoom = (room: Room) => (i: ModuleImport) => i.target !== undefined && roomOf(i.target) === room;
const under = (dir: string) => (i: ModuleImport) => i.target !== undefined && (i.target === dir || i.target.startsWith(`${dir}/`));
/** Every .ts file of a room: procure's folder of that name and each vendor's. */
const filesOfRoom = (room: Room): string[] => tsFilesUnder('lambdas').filter((f) => roomOf(f) === room);

/** `file: specifier` lines for the imports that break `allowed`, for a failure that names them. */
function violations(files: readonly string[], allowed: (i: ModuleImport) => boolean): string[] {
  return files.flatMap((f) =>
    importsOfFile(f)
      .filter((i) => !allowed(i))
      .map((i) => `${i.file}: '${i.specifier}'`),
  );
}

/** The project files outside lambdas/ that `files` reach through relative imports, transitively (themselves included). */
function reachableFrom(files: readonly string[]): Map<string, ModuleImport[]> {
  const seen = new Map<string, ModuleImport[]>();
  const queue = [...files];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    const imports = importsOfFile(file);
    seen.set(file, imports);
    for (const i of imports) {
      const next = i.target === undefined ? undefined : [`${i.target}.ts`, `${i.target}/index.ts`].find((p) => existsSync(resolve(PROJECT_DIR, p)));
      if (next !== undefined && !next.startsWith('lambdas/')) queue.push(next);
    }
  }
  return seen;
}

describe('the import scanner', () => {
  it('finds every import form, type-only and multi-line ones included, with its target', () => {
    const source = [
      "import { a,\n  b } from '../shared/config';",
      'import type { T } from "undici";',
      "export type { M } from '../shared/config';",
      "export * from './errors';",
      "import 'node:crypto';",
      "const soap = require('soap');",
      "const lazy = () => import('@aws-sdk/client-sfn');",
      "import fs = require('node:fs');",
    ].join('\n');

    const found = importsInSource('lambdas/core/x.ts', source);

    expect(found.map((i) => i.specifier)).toEqual([
      '../shared/config',
      'undici',
      '../shared/config',
      './errors',
      'node:crypto',
      'soap',
      '@aws-sdk/client-sfn',
      'node:fs',
    ]);
    expect(found[0]?.target).toBe('lambdas/shared/config');
    expect(found[3]?.target).toBe('lambdas/core/errors');
  });

  it('follows a registry import (package.json "imports") to the file it means without a condition', () => {
    const [names] = importsInSource('lambdas/core/x.ts', "import { REGISTERED_VENDORS } from '#vendors/names';");
    expect(names?.target).toBe('lambdas/core/registered-vendors');
  });

  it("reads a `.js` specifier (TypeScript's spelling for a .ts file under nodenext) as the .ts file it names", () => {
    const [lazy, index] = importsInSource(
      'lambdas/vendors/v/composition/gateway.ts',
      "const a = await import('../adapters/gateway.js');\nconst b = await import('../adapters/index.js');",
    );
    expect(lazy?.target).toBe('lambdas/vendors/v/adapters/gateway');
    expect(index?.target).toBe('lambdas/vendors/v/adapters/index');
  });

  it('ignores imports inside comments, strings, templates and regex literals, but not in template code', () => {
    const source = [
      "// import { x } from '../adapters/a';",
      "/* const y = require('undici'); */",
      'const text = "import z from \'soap\'";',
      "const re = /from 'undici'/g, half = 4 / 2;",
      "const t = `from 'soap' ${`nested ${require('../handlers/h')}`} tail`;",
    ].join('\n');

    expect(importsInSource('lambdas/core/x.ts', source).map((i) => i.specifier)).toEqual(['../handlers/h']);
  });
});

describe('one direction of imports in lambdas/', () => {
  it('the rule for core flags adapters, shared, handlers, AWS SDK, undici, soap and Powertools', () => {
    const banned = ['../adapters/aws/x', '../shared/config', '../handlers/h', '@aws-sdk/client-sfn', 'undici', 'soap', '@aws-lambda-powertools/logger'];
    const allowed = ['./errors', 'node:crypto', 'zod/mini', 'zod'];
    const check = (s: string) => coreMayImport(importsInSource('lambdas/core/x.ts', `import '${s}';`)[0] as ModuleImport);

    expect(banned.filter(check)).toEqual([]);
    expect(allowed.filter(check)).toEqual(allowed);
  });

  it('a vendor folder has the same rooms: its core/ is core, its handlers/ handlers', () => {
    expect(roomOf('lambdas/vendors/cocalc/core/pricing')).toBe('core');
    expect(roomOf('lambdas/vendors/interserver/adapters/soap-client.ts')).toBe('adapters');
    expect(roomOf('lambdas/vendors/cocalc/handlers/checkout.ts')).toBe('handlers');
    expect(roomOf('lambdas/core/money')).toBe('core');
    expect(roomOf('lambdas/vendors/cocalc/stack.ts')).toBe('stack');
    expect(roomOf('lambdas/vendors/cocalc/sandbox.ts')).toBe('stack');
    expect(roomOf('lambdas/vendors/cocalc/README.md')).toBeUndefined();
  });

  it("core (procure's and every vendor's) imports only core, Node builtins and zod", () => {
    const files = filesOfRoom('core');
    expect(files.filter((f) => vendorOf(f) !== undefined).length).toBeGreaterThan(10);
    expect(files.length).toBeGreaterThan(20);
    expect(violations(files, coreMayImport)).toEqual([]);
  });

  it.each(['adapters', 'shared', 'composition'] as const)('%s imports nothing from a handler', (room) => {
    const files = filesOfRoom(room);
    expect(files.length).toBeGreaterThan(1);
    expect(violations(files, (i) => !inRoom('handlers')(i))).toEqual([]);
  });

  // Entry -> composition -> adapters -> core: only the composition root sees both sides, so
  // adapters and shared never reach back into it, and shared (config, logging, HTTP) builds no adapter.
  it.each([
    ['adapters', ['composition']],
    ['shared', ['composition', 'adapters']],
  ] as const)('%s imports nothing from %s', (room, banned) => {
    const files = filesOfRoom(room);
    expect(files.length).toBeGreaterThan(1);
    expect(violations(files, (i) => !banned.some((b) => inRoom(b)(i)))).toEqual([]);
  });
});

describe('one folder a vendor (issue #10)', () => {
  const vendorFiles = tsFilesUnder('lambdas/vendors');

  it('every file of a vendor folder is in one of the rooms', () => {
    expect(vendorFiles.length).toBeGreaterThan(30);
    expect(vendorFiles.filter((f) => roomOf(f) === undefined)).toEqual([]);
  });

  it("no Lambda code imports a vendor's stack.ts or sandbox.ts: aws-cdk-lib and the sandboxes stay out of the bundles", () => {
    const lambdaFiles = tsFilesUnder('lambdas').filter((f) => roomOf(f) !== 'stack');
    expect(vendorFiles.filter((f) => roomOf(f) === 'stack').length).toBeGreaterThan(1);
    expect(violations(lambdaFiles, (i) => !inRoom('stack')(i))).toEqual([]);
  });

  it("a vendor's files import nothing from another vendor's folder", () => {
    const crossing = vendorFiles.flatMap((f) =>
      importsOfFile(f)
        .filter((i) => i.target !== undefined && vendorOf(i.target) !== undefined && vendorOf(i.target) !== vendorOf(f))
        .map((i) => `${i.file}: '${i.specifier}'`),
    );
    expect(crossing).toEqual([]);
  });

  it('the test-only fixture vendor keeps the rooms: its core imports only core, its handlers build no adapter', () => {
    const files = tsFilesUnder('test/fixtures/vendors/fixturevendor').filter((f) => !f.includes('/registry/') && !f.endsWith('/app.ts'));
    expect(files.filter((f) => roomOf(f) === undefined)).toEqual([]);
    const core = files.filter((f) => roomOf(f) === 'core');
    expect(core.length).toBeGreaterThan(3);
    expect(violations(core, coreMayImport)).toEqual([]);
    expect(
      violations(
        files.filter((f) => roomOf(f) === 'handlers'),
        (i) => !inRoom('adapters')(i),
      ),
    ).toEqual([]);
  });
});

describe("one composition root (lambdas/composition and each vendor's composition/)", () => {
  const handlers = filesOfRoom('handlers');
  // An entry may keep its HTTP routes beside it (handlers/http/); it never imports another function's entry.
  const entries = new Set(Object.values(FUNCTIONS).map((entry) => `lambdas/${entry}`.replace(/\.ts$/, '')));
  const isEntry = (i: ModuleImport) => i.target !== undefined && entries.has(i.target.replace(/\.ts$/, ''));
  const wiresNothing = (i: ModuleImport) => !inRoom('adapters')(i) && !under('lambdas/shared/aws-clients')(i) && !isEntry(i);

  it("no handler builds an adapter or a client itself, or imports another function's entry", () => {
    expect(handlers.length).toBeGreaterThan(10);
    expect(handlers).toContain('lambdas/handlers/http/purchases-routes.ts');
    expect(violations(handlers, wiresNothing)).toEqual([]);
    // An import of an entry is one, whether or not its target carries the extension.
    expect(isEntry({ file: 'x', specifier: './intake', target: 'lambdas/handlers/intake' })).toBe(true);
    expect(isEntry({ file: 'x', specifier: './http/purchases-routes', target: 'lambdas/handlers/http/purchases-routes' })).toBe(false);
  });
});

describe('independent sandboxes', () => {
  it('no file under lib/local/sandboxes imports from lambdas/', () => {
    const files = tsFilesUnder('lib/local/sandboxes');
    expect(files.length).toBeGreaterThan(20);
    expect(violations(files, (i) => !under('lambdas')(i))).toEqual([]);
  });

  it('nothing the sandboxes import reaches lambdas/ either (through lib/local helpers)', () => {
    const reached = reachableFrom(tsFilesUnder('lib/local/sandboxes'));
    expect(reached.has('lib/local/http-body.ts')).toBe(true); // the walk does leave the folder
    expect(violations([...reached.keys()], (i) => !under('lambdas')(i))).toEqual([]);
  });
});

/**
 * The generic emulator (issue #10): lib/local's own files run any synthesized CDK template; procure's
 * specifics come in its profile (lib/local/procure/), passed by the entry (lib/local/index.ts).
 */
const EMULATOR = tsFilesUnder('lib/local').filter(
  (f) => !f.startsWith('lib/local/procure/') && !f.startsWith('lib/local/sandboxes/') && f !== 'lib/local/index.ts',
);
const emulatorMayImport = (i: ModuleImport) => !under('lambdas')(i) && !under('lib/local/procure')(i) && !under('lib/local/sandboxes')(i);

describe('a generic local emulator', () => {
  it("the rule flags lambdas/, procure's profile and the vendor sandboxes", () => {
    const banned = ['../../lambdas/shared/env-names', './procure/profile', './procure', './sandboxes/cocalc/index'];
    const check = (s: string) => emulatorMayImport(importsInSource('lib/local/runtime.ts', `import '${s}';`)[0] as ModuleImport);

    expect(banned.filter(check)).toEqual([]);
    expect(check('./runtime-profile')).toBe(true);
  });

  it('no emulator file imports from lambdas/, lib/local/procure or the sandboxes', () => {
    expect(EMULATOR).toContain('lib/local/runtime.ts');
    expect(EMULATOR.length).toBeGreaterThan(40);
    expect(violations(EMULATOR, emulatorMayImport)).toEqual([]);
  });

  it('nothing the emulator imports reaches them either', () => {
    expect(violations([...reachableFrom(EMULATOR).keys()], emulatorMayImport)).toEqual([]);
  });

  it('no emulator file names a procure env variable, state or function', () => {
    const names = [...Object.values(ENV), ...ALL_STATE_NAMES, ...Object.keys(FUNCTIONS)];
    const named = EMULATOR.flatMap((f) => {
      const source = readFileSync(resolve(PROJECT_DIR, f), 'utf8');
      return names.filter((n) => new RegExp(`\\b${n}\\b`).test(source)).map((n) => `${f}: ${n}`);
    });

    expect(named).toEqual([]);
  });

  it('no emulator file names procure in its code (its comments may say what uses it)', () => {
    const code = (source: string) => source.split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line));
    const naming = EMULATOR.flatMap((f) =>
      code(readFileSync(resolve(PROJECT_DIR, f), 'utf8'))
        .filter((line) => /procure/i.test(line))
        .map((line) => `${f}: ${line.trim()}`),
    );
    expect(code("// procure\nconst a = 'procure';").filter((line) => /procure/i.test(line))).toEqual(["const a = 'procure';"]);
    expect(naming).toEqual([]);
  });

  it("procure's entry passes procure's profile", () => {
    expect(importsOfFile('lib/local/procure/runtime.ts').map((i) => i.target)).toContain('lib/local/procure/profile');
  });
});
