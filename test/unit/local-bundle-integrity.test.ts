import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystem } from 'aws-cdk-lib/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_REJECTED, bundleFingerprint, checkBundle, tightenTree } from '../../lib/local/bundle-integrity.cjs';
import { LambdaHost } from '../../lib/local/lambda-host';
import { LambdaFunctionError } from '../../lib/local/lambda-errors';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';

/**
 * Issue 9 "bundles run without integrity checks": bundle-integrity.cjs on real folders, and the
 * real LambdaHost (worker threads) refusing a bundle changed after its hash was taken.
 */
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const mode = (p: string): number => statSync(p).mode & 0o777;

/** A bundle folder laid out as CDK stages it: `<assembly>/asset.<hash>/index.js`, modes 0755/0644. */
function stageBundle(root: string, files: Record<string, string | Buffer>): { assetDir: string; assetHash: string } {
  const assembly = join(root, 'cdk.out');
  mkdirSync(assembly, { recursive: true });
  chmodSync(assembly, 0o755);
  const staging = join(assembly, `bundling-temp-${Object.keys(files).length}`);
  mkdirSync(staging);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(staging, name, '..'), { recursive: true });
    writeFileSync(join(staging, name), content);
  }
  const assetHash = bundleFingerprint(staging);
  const assetDir = join(assembly, `asset.${assetHash}`);
  rmSync(assetDir, { recursive: true, force: true });
  mkdirSync(assetDir);
  for (const name of Object.keys(files)) {
    mkdirSync(join(assetDir, name, '..'), { recursive: true });
    writeFileSync(join(assetDir, name), readFileSync(join(staging, name)));
  }
  rmSync(staging, { recursive: true });
  tightenTree(assetDir);
  return { assetDir, assetHash };
}

describe('bundleFingerprint', () => {
  const root = mkdtempSync(join(tmpdir(), 'procure-fp-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is CDK's own output hash: CRLF text, a character split by CDK's 8 KiB read chunks, a CR ending a chunk, binary files, subfolders", () => {
    const dir = join(root, 'bundle');
    mkdirSync(join(dir, 'lib', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'index.js'), `exports.handler = async () => "café";\r\n${'// ascii line\r\n'.repeat(2000)}`);
    // "é" (2 bytes) straddles the first chunk boundary (8192); a CR is the last byte of the second chunk.
    writeFileSync(join(dir, 'split.txt'), Buffer.concat([Buffer.alloc(8191, 'a'), Buffer.from('é'), Buffer.alloc(8190, 'b'), Buffer.from('\r\nend\r\n')]));
    writeFileSync(join(dir, 'lib', 'data.bin'), Buffer.from([1, 0, 2, 13, 10, 255, 254]));
    writeFileSync(join(dir, 'lib', 'late-nul.txt'), Buffer.concat([Buffer.alloc(9000, 'x'), Buffer.from([0, 13, 10])]));
    writeFileSync(join(dir, 'lib', 'nested', 'empty.js'), '');
    writeFileSync(join(dir, 'invalid-utf8.txt'), Buffer.from([0x61, 0xc3, 0x28, 0x0d, 0x0a, 0xff]));

    expect(bundleFingerprint(dir)).toBe(FileSystem.fingerprint(dir));
  });
});

describe('checkBundle', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'procure-bundle-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts a bundle as CDK staged it: owned by this user, not writable by others, content matching its hash', () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n', 'index.js.map': '{}' });
    expect(checkBundle(assetDir, assetHash)).toBeUndefined();
  });

  it("refuses a folder left 0777 as CDK's bundling leaves it; tightenTree removes group/other write and then it passes", () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n' });
    chmodSync(assetDir, 0o777);
    expect(checkBundle(assetDir, assetHash)).toBe(`${assetDir} is writable by group and others (mode 0777)`);

    expect(tightenTree(join(root, 'cdk.out'))).toEqual([assetDir]);
    expect(mode(assetDir)).toBe(0o755);
    expect(checkBundle(assetDir, assetHash)).toBeUndefined();
  });

  it('refuses a file made group-writable, naming it', () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n' });
    chmodSync(join(assetDir, 'index.js'), 0o664);
    expect(checkBundle(assetDir, assetHash)).toBe(`${join(assetDir, 'index.js')} is writable by group (mode 0664)`);
  });

  it('refuses a bundle whose folder (cdk.out) others can write: they could swap the whole bundle', () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n' });
    chmodSync(join(root, 'cdk.out'), 0o757);
    expect(checkBundle(assetDir, assetHash)).toBe(`${join(root, 'cdk.out')} is writable by others (mode 0757)`);
  });

  it('refuses content changed after synth, even of the same size and with the modes kept', () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n' });
    writeFileSync(join(assetDir, 'index.js'), 'exports.handler = async () => 2;\n');
    expect(checkBundle(assetDir, assetHash)).toMatch(
      new RegExp(`^${assetDir} does not match the asset hash CDK recorded at synth .*: it changed after synth$`),
    );
  });

  it('refuses a file added to the bundle', () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n' });
    writeFileSync(join(assetDir, 'preload.js'), 'process.exit(1)', { mode: 0o644 });
    expect(checkBundle(assetDir, assetHash)).toMatch(/does not match the asset hash CDK recorded at synth/);
  });

  it('refuses a symbolic link in the bundle (its target is not the bundle)', () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n' });
    const elsewhere = join(root, 'elsewhere.js');
    writeFileSync(elsewhere, 'exports.handler = async () => 1;\n');
    rmSync(join(assetDir, 'index.js'));
    symlinkSync(elsewhere, join(assetDir, 'index.js'));
    expect(checkBundle(assetDir, assetHash)).toBe(`${join(assetDir, 'index.js')} is a symbolic link`);
  });

  it('names a missing bundle folder instead of throwing', () => {
    const { assetHash } = stageBundle(root, { 'index.js': 'x' });
    expect(checkBundle(join(root, 'cdk.out', 'asset.gone'), assetHash)).toMatch(/asset\.gone cannot be checked \(ENOENT/);
  });

  it.runIf(isRoot)('refuses a file owned by another user, and tightenTree leaves it alone', () => {
    const { assetDir, assetHash } = stageBundle(root, { 'index.js': 'exports.handler = async () => 1;\n' });
    const file = join(assetDir, 'index.js');
    chownSync(file, NOBODY, NOBODY);
    chmodSync(file, 0o666);
    expect(tightenTree(assetDir)).toEqual([]);
    expect(mode(file)).toBe(0o666);
    expect(checkBundle(assetDir, assetHash)).toBe(`${file} is owned by another user (uid ${NOBODY}, the runtime runs as uid 0)`);
  });
});

describe('LambdaHost: each cold start checks its bundle before loading it', () => {
  let lambdas: TinyLambdas;
  let host: LambdaHost;
  let marker: string;
  const logs: string[] = [];

  beforeEach(() => {
    lambdas = tinyLambdas({ Buy: { code: `let n = 0; exports.handler = async () => ({ version: 1, invocation: ++n });` } });
    marker = join(lambdas.dir, 'tampered-code-ran');
    host = new LambdaHost(lambdas.functions, { log: (l) => logs.push(l) });
  });
  afterEach(async () => {
    await host.close();
    lambdas.remove();
    logs.length = 0;
  });

  const assetDir = (): string => lambdas.functions[0]!.spec.assetDir;
  const logicalId = (): string => lambdas.functions[0]!.spec.logicalId;
  const tamper = (): void =>
    writeFileSync(
      join(assetDir(), 'index.js'),
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); exports.handler = async () => ({ version: 'evil' });`,
    );

  it('loads and runs a clean bundle', async () => {
    await expect(host.invoke(logicalId(), {})).resolves.toEqual({ version: 1, invocation: 1 });
  });

  it('a bundle changed after its hash was taken: the next cold start refuses it naming the function and the path, and none of its code runs', async () => {
    await expect(host.invoke(logicalId(), {})).resolves.toEqual({ version: 1, invocation: 1 });
    tamper();

    // Two at once: the warm environment keeps the code it verified and loaded; the second is a cold start.
    const [warm, cold] = await Promise.allSettled([host.invoke(logicalId(), {}), host.invoke(logicalId(), {})]);
    expect(warm).toEqual({ status: 'fulfilled', value: { version: 1, invocation: 2 } });
    expect(cold.status).toBe('rejected');
    const err = (cold as PromiseRejectedResult).reason as LambdaFunctionError;
    expect(err).toBeInstanceOf(LambdaFunctionError);
    expect(err.errorType).toBe(BUNDLE_REJECTED);
    expect(err.errorMessage).toContain(`Buy (${logicalId()}): bundle refused, not loaded: ${assetDir()} does not match the asset hash CDK recorded at synth`);
    expect(existsSync(marker)).toBe(false);
    expect(logs).toContain(`bundles: ${err.errorMessage}`);
    // Every later cold start is refused too.
    await host.close();
    host = new LambdaHost(lambdas.functions);
    await expect(host.invoke(logicalId(), {})).rejects.toMatchObject({ errorType: BUNDLE_REJECTED });
    expect(existsSync(marker)).toBe(false);
  });

  it('a file made group-writable after start: the next cold start refuses it', async () => {
    chmodSync(join(assetDir(), 'index.js'), 0o664);
    await expect(host.invoke(logicalId(), {})).rejects.toMatchObject({
      errorType: BUNDLE_REJECTED,
      errorMessage: `Buy (${logicalId()}): bundle refused, not loaded: ${join(assetDir(), 'index.js')} is writable by group (mode 0664)`,
    });
  });

  it('a byte appended to the bundle is enough', async () => {
    appendFileSync(join(assetDir(), 'index.js'), ' ');
    await expect(host.invoke(logicalId(), {})).rejects.toMatchObject({ errorType: BUNDLE_REJECTED });
  });
});
