import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCURE_WATCH } from '../../lib/local/procure/watch';
import { DEFAULT_WATCH, ensureSynth, isAssemblyFresh } from '../../lib/local/synth';

describe('reusing a synthesized cloud assembly', () => {
  const project = mkdtempSync(join(tmpdir(), 'procure-synth-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  mkdirSync(join(project, 'lib', 'constructs'), { recursive: true });
  mkdirSync(join(project, 'cdk.out'));
  writeFileSync(join(project, 'lib', 'constructs', 'table.ts'), '');
  writeFileSync(join(project, 'cdk.out', 'manifest.json'), '{}');
  writeFileSync(join(project, 'cdk.out', 'Procure.template.json'), '{}');

  it('is fresh when the templates are newer than every watched source file', () => {
    at(join(project, 'lib', 'constructs', 'table.ts'), 1000);
    at(join(project, 'cdk.out', 'Procure.template.json'), 2000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'), ['lib', 'bin'])).toBe(true);
  });

  it('is stale when any source file (nested too) is newer', () => {
    at(join(project, 'lib', 'constructs', 'table.ts'), 3000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'), ['lib', 'bin'])).toBe(false);
  });

  it('procure watches what its template is built from, not the CLI or the runtime', () => {
    const touch = (f: string, seconds: number) => {
      mkdirSync(dirname(join(project, f)), { recursive: true });
      writeFileSync(join(project, f), '');
      at(join(project, f), seconds);
    };
    for (const f of ['bin/app.ts', 'lib/procure-stack.ts', 'lib/constructs/table.ts', 'lambdas/handlers/a.ts', 'cdk.json', 'package.json']) touch(f, 1000);
    at(join(project, 'cdk.out', 'Procure.template.json'), 2000);
    touch('lib/cli/status.ts', 3000);
    touch('lib/local/runtime.ts', 3000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'), PROCURE_WATCH)).toBe(true);
    at(join(project, 'lambdas', 'handlers', 'a.ts'), 3000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'), PROCURE_WATCH)).toBe(false);
    at(join(project, 'lambdas', 'handlers', 'a.ts'), 1000);
    // A configuration file next to the stack, whatever its name, is a source too.
    touch('lib/function-needs.ts', 3000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'), PROCURE_WATCH)).toBe(false);
    at(join(project, 'lib', 'function-needs.ts'), 1000);
    touch('lib/graph/render.ts', 3000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'), PROCURE_WATCH)).toBe(true);
    at(join(project, 'package.json'), 3000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'), PROCURE_WATCH)).toBe(false);
    for (const f of ['package.json', 'lib/cli/status.ts', 'lib/local/runtime.ts', 'lib/graph/render.ts']) at(join(project, f), 1000); // as the next tests expect
  });

  it("by default watches a CDK app's usual sources, all of lib/ included", () => {
    expect(DEFAULT_WATCH).toEqual(expect.arrayContaining(['bin', 'lib', 'cdk.json', 'package.json']));
    expect(isAssemblyFresh(project, join(project, 'cdk.out'))).toBe(true);
    at(join(project, 'lib', 'local', 'runtime.ts'), 3000);
    expect(isAssemblyFresh(project, join(project, 'cdk.out'))).toBe(false);
    at(join(project, 'lib', 'local', 'runtime.ts'), 1000);
  });

  it('is stale without a manifest or template', () => {
    expect(isAssemblyFresh(project, join(project, 'nowhere'))).toBe(false);
  });

  it("reuses an existing assembly without synthesizing in 'never' mode, and fails clearly without one", async () => {
    const r = await ensureSynth({ projectDir: project, mode: 'never' });
    expect(r).toMatchObject({ assemblyDir: join(project, 'cdk.out'), synthesized: false });
    await expect(ensureSynth({ projectDir: project, outdir: 'missing', mode: 'never' })).rejects.toThrow(/no cloud assembly/);
  });

  it('waits for a synth lock held by a live process, and takes over one left by a dead process', async () => {
    at(join(project, 'lib', 'constructs', 'table.ts'), 1000);
    const lock = join(project, 'cdk.out.lock');
    writeFileSync(lock, '999999999'); // no such process
    const r = await ensureSynth({ projectDir: project, watch: ['lib'], mode: 'auto' });
    expect(r.synthesized).toBe(false);
    writeFileSync(lock, String(process.pid)); // "another synth" that never ends
    await expect(ensureSynth({ projectDir: project, watch: ['lib'], mode: 'always', lockTimeoutMs: 300 })).rejects.toThrow(/timed out waiting/);
    rmSync(lock);
  });
});
