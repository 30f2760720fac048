import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTERED_VENDORS } from '../../lambdas/core/registered-vendors';
import { secretArnEnv } from '../../lambdas/shared/env-names';
import { biomeFormat, renderRegistry } from '../../scripts/registry/render';
import { runProcess, startProcess, type RunningCli } from '../support/cli';
import { outboxApprovalLink, secretLogicalIdIn } from '../support/killable-local';
import { tsFilesUnder } from '../support/module-imports';
import { fixtureRequest } from './support/fixture';
import { PROJECT_DIR } from '../support/project-dir';
import { waitFor } from '../support/wait';

/**
 * Issue #10, "a new vendor is one folder": the path lambdas/vendors/README.md documents, taken
 * end to end on a copy of the project. The Fixture Vendor's folder is copied to
 * lambdas/vendors/fixturevendor (its relative imports rebased, its `handlersDir` escape hatch
 * dropped), its line added to lambdas/core/registered-vendors.ts, and the registry's lists
 * written as `npm run registry` writes them. Nothing else of procure is touched. Then the whole
 * program type-checks, `cdk synth` gives the vendor its own function, secret and state-machine
 * branch, with no build condition, and the copy's own `procure local` (which synthesizes it) buys
 * from the vendor's sandbox through the copy's own CLI: submit, approve, status, licenses. (The
 * other fixture-vendor tests register it through the `procure-fixture-vendor` condition instead.)
 */

const FROM = 'test/fixtures/vendors/fixturevendor';
const TO = 'lambdas/vendors/fixturevendor';
/** What the copy needs of the project: the production code, the build files, and the fixture's sandbox. */
const COPIED = [
  'bin',
  'lib',
  'lambdas',
  'scripts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'cdk.json',
  'biome.jsonc',
  'test/fixtures/sandboxes/fixturevendor',
];

let root: string;
/** The copy's `procure local`, serving from <root>/.procure. */
let local: RunningCli | undefined;
let template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

function run(command: string, args: string[], timeoutMs: number): void {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: '1' } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`.slice(0, 4000));
}

/** Every .ts file under `dir` (relative to the project root), the registry's condition-mapped lists and the fixture's own app left out. */
function filesOf(dir: string): string[] {
  return tsFilesUnder(dir).filter((path) => !path.split('/').includes('registry') && path !== `${FROM}/app.ts`);
}

/** `file`'s text with each relative import re-pointed from FROM to TO (what it imports of its own folder moves with it). */
function rebased(file: string, text: string): string {
  const moved = (path: string) => (path === FROM || path.startsWith(`${FROM}/`) ? TO + path.slice(FROM.length) : path);
  return text.replace(/((?:from|import\()\s*')(\.{1,2}\/[^']+)(')/g, (_m, before: string, specifier: string, after: string) => {
    const target = moved(posix.normalize(posix.join(posix.dirname(file), specifier)));
    const rel = relative(dirname(moved(file)), target)
      .split(sep)
      .join(posix.sep);
    return `${before}${rel.startsWith('.') ? rel : `./${rel}`}${after}`;
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'procure-new-vendor-'));
  for (const path of COPIED) cpSync(join(PROJECT_DIR, path), join(root, path), { recursive: true });
  symlinkSync(join(PROJECT_DIR, 'node_modules'), join(root, 'node_modules'), 'dir');
  // 1. The vendor's folder.
  for (const file of filesOf(FROM)) {
    const text = rebased(file, readFileSync(join(PROJECT_DIR, file), 'utf8')).replace(/^\s*handlersDir: .*\n/m, '');
    const to = join(root, TO + file.slice(FROM.length));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, text);
  }
  // 2. Its line in the registry's one list.
  const list = join(root, 'lambdas/core/registered-vendors.ts');
  writeFileSync(list, readFileSync(list, 'utf8').replace(/\n\] as const;/, "\n  ['fixturevendor', 'Fixture Vendor'],\n] as const;"));
  // 3. `npm run registry` (its lists, procure's only: the copy has no fixture registry).
  const registry = {
    list: 'lambdas/core/registered-vendors.ts',
    vendors: [...REGISTERED_VENDORS, 'fixturevendor'],
    folderOf: (v: string) => `lambdas/vendors/${v}`,
    outOf: (f: { out: string }) => f.out,
  };
  for (const [file, text] of renderRegistry(registry, root, biomeFormat(root))) writeFileSync(join(root, file), text);
  // The whole program, as `npm run typecheck` checks it (the copy holds no tests).
  writeFileSync(join(root, 'tsconfig.check.json'), JSON.stringify({ extends: './tsconfig.json', include: ['bin', 'lib', 'lambdas'] }));
  run(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.check.json'], 180_000);
  // The copy's own `procure local` runs `cdk synth` (into cdk.out) and serves what it synthesized.
  local = startProcess(process.execPath, [join(root, 'bin/procure.cjs'), ...LOCAL_ARGS], { cwd: root });
  await local.waitFor(/Serving until Ctrl\+C/, 300_000);
  template = JSON.parse(readFileSync(join(root, 'cdk.out/Procure.template.json'), 'utf8'));
}, 600_000);

afterAll(async () => {
  // Gone before its folder is: a dying runtime must not write into what is being removed.
  local?.kill();
  await local?.exited;
  if (root) rmSync(root, { recursive: true, force: true });
});

const DATA_DIR = '.procure';
const LOCAL_ARGS = ['local', '--no-sample', '--port', '0', '--data-dir', DATA_DIR];

/** The copy's CLI (`npx procure ...` in the copy), with --json; its parsed output. */
async function procure(args: string[], input?: string): Promise<Record<string, unknown>> {
  const r = await runProcess(process.execPath, [join(root, 'bin/procure.cjs'), ...args, '--data-dir', DATA_DIR, '--json'], {
    cwd: root,
    input,
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw new Error(`procure ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('a new vendor by the documented path: its folder, its line, npm run registry', () => {
  const resources = () => Object.entries(template.Resources);

  it('registers it by its one line, and the lists written from it name it', () => {
    expect(readFileSync(join(root, 'lambdas/core/registered-vendors.ts'), 'utf8')).toContain("['fixturevendor', 'Fixture Vendor']");
    expect(readFileSync(join(root, 'lambdas/composition/vendor-quoters.ts'), 'utf8')).toContain('fixturevendor: fixturevendorModule.quoter()');
    expect(readFileSync(join(root, 'lib/registered-stacks.ts'), 'utf8')).toContain('fixturevendor: fixturevendorModule.stack');
    // Its own functions are bundled from its folder: the escape hatch to the fixture's path is gone.
    expect(readFileSync(join(root, TO, 'core/profile.ts'), 'utf8')).not.toContain('handlersDir');
    expect(existsSync(join(root, TO, 'handlers'))).toBe(true);
  });

  it("synthesizes the vendor's own function, bundled from its folder, with its own secret", () => {
    const fn = resources().find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('FixtureVendorBuy'));
    expect(fn, 'FixtureVendorBuy').toBeDefined();
    const env = (fn![1].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env)).toContain('FIXTUREVENDOR_SECRET_ARN');
    expect(Object.keys(env)).toContain('FIXTURE_VENDOR_URL');
    const secrets = resources().filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret');
    expect(secrets.some(([, r]) => String(r.Properties?.Description).includes('Fixture Vendor API token'))).toBe(true);
  });

  it('routes an approved purchase of the vendor to its own branch of the state machine', () => {
    const machine = resources().find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    const definition = JSON.stringify(machine[1].Properties!.DefinitionString);
    expect(definition).toContain('\\"StringEquals\\":\\"fixturevendor\\"');
    expect(definition).toContain('BuySeats');
  });
});

describe("a purchase of it on the copy's own procure local", () => {
  it('is submitted, approved through its mail link, ordered once at its sandbox and COMPLETED with that order', { timeout: 120_000 }, async () => {
    const sandboxUrl = /Fixture Vendor\s+(http\S+)\s+\(sandbox\)/.exec(local!.stdout)?.[1];
    expect(sandboxUrl, "the Fixture Vendor's sandbox in procure local's console").toBeDefined();
    const request = fixtureRequest('documented-path-1', { plan: 'team', seats: 2 }, 'Seats for the lab');
    const submitted = await procure(['submit', '-'], JSON.stringify(request));
    const purchaseId = String(submitted.purchaseId);

    const link = await waitFor('the approval mail', () => outboxApprovalLink(join(root, DATA_DIR, 'outbox')), 60_000);
    await procure(['approve', link, '--comment', 'go']);
    const status = await waitFor(
      'the purchase COMPLETED',
      async () => {
        const s = await procure(['status', purchaseId]);
        return s.status === 'COMPLETED' ? s : undefined;
      },
      60_000,
    );

    // The vendor's truth: one order in all (no sample ran), this purchase's, the one procure recorded and lists.
    const orders = await ordersAt(sandboxUrl!);
    expect(orders).toMatchObject([{ key: purchaseId, seats: 2 }]);
    expect(status).toMatchObject({ vendor: 'fixturevendor', licenseId: orders[0]!.id });
    expect(JSON.stringify(await procure(['licenses']))).toContain(orders[0]!.id);
  });
});

/**
 * The sandbox's orders, read with the token `procure local` generated into the copy's secrets file
 * for the vendor's own secret (the one its function names in FIXTUREVENDOR_SECRET_ARN; the file is
 * keyed by the secret's logical id).
 */
async function ordersAt(url: string): Promise<Array<{ id: string; key: string; seats: number }>> {
  const file = JSON.parse(readFileSync(join(root, DATA_DIR, 'secrets.json'), 'utf8')) as { secrets: Record<string, { value: string }> };
  const { token } = JSON.parse(file.secrets[secretLogicalIdIn(template, secretArnEnv('fixturevendor'))]!.value) as { token?: string };
  expect(token, "the Fixture Vendor's token in secrets.json").toEqual(expect.any(String));
  const res = await fetch(`${url}/licenses`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Array<{ id: string; key: string; seats: number }>;
}
