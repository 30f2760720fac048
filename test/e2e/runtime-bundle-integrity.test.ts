import { approvalPolicyEnv } from '../../lib/approval-policy-config';
import { resolveProcureConfig } from '../../lib/resolve-config';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleIntegrityError, startLocalRuntime } from '../../lib/local';
import { loadStack, withAssemblyReadLock } from '../../lib/local/cloud-assembly';
import { PROCURE_WATCH } from '../../lib/local/procure/watch';
import { ensureSynth } from '../../lib/local/synth';
import { fixtureAssembly } from '../support/fixture-runtime';
import { interserverRequest } from '../support/requests';
import { PROJECT_DIR } from '../support/project-dir';
import { auditTrail, E2E_TEST_TIMEOUT_MS, purchaseIdFor, purchaseRecord, reservation, sendRequestEvent, startProcure, type E2e } from '../support/e2e-runtime';

/**
 * Issue 9 "bundles run without integrity checks": the local runtime loads `cdk.out/asset.*` code
 * only when no other user could have changed it and it is what CDK hashed at synth, at start and
 * again at every cold start. Each test works on a copy of an assembly, never on the shared cdk.out.
 */
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Runs `code` in node as a second OS user (nobody): the local attacker of issue 9. */
function asNobody(code: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', `const fs = require('fs'); ${code}`], { uid: NOBODY, gid: NOBODY, cwd: '/', encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** What the issue's attacker did: write a file next to the bundle's index.js and rename it over it (allowed in a 0777 folder). */
const swapAsNobody = (index: string): ReturnType<typeof asNobody> =>
  asNobody(
    `fs.writeFileSync(${JSON.stringify(`${index}.swap`)}, 'exports.handler = async () => "evil";'); fs.renameSync(${JSON.stringify(`${index}.swap`)}, ${JSON.stringify(index)});`,
  );

/** Copies the assembly's manifest, template and the Lambda bundles it names into `to`, the asset folders 0777 as CDK's bundling leaves them. */
async function copyAssembly(from: string, to: string): Promise<void> {
  await withAssemblyReadLock(from, () => {
    const stack = loadStack(from);
    mkdirSync(to, { recursive: true });
    for (const f of ['manifest.json', relative(from, stack.templatePath)]) cpSync(join(from, f), join(to, f));
    for (const r of Object.values(stack.template.Resources)) {
      const asset = r.Metadata?.['aws:asset:path'];
      if (r.Type !== 'AWS::Lambda::Function' || typeof asset !== 'string' || existsSync(join(to, asset))) continue;
      cpSync(join(from, asset), join(to, asset), { recursive: true });
      chmodSync(join(to, asset), 0o777);
    }
  });
}

describe('start-up: bundles changed before the runtime started', () => {
  const project = mkdtempSync(join(tmpdir(), 'procure-bundles-'));
  const cdkOut = join(project, 'cdk.out');
  let echoIndex: string;

  beforeAll(async () => {
    await copyAssembly(await fixtureAssembly(), cdkOut);
    const stack = loadStack(cdkOut);
    echoIndex = join(cdkOut, String(stack.template.Resources.EchoBC7213C32!.Metadata!['aws:asset:path']), 'index.js');
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('refuses to start when a bundle no longer matches its CDK asset hash, naming each function and the path; nothing starts', async () => {
    const original = readFileSync(echoIndex);
    writeFileSync(echoIndex, `${original.toString()}\nrequire('fs').writeFileSync('/tmp/procure-tampered', 'ran');\n`);
    try {
      const err = await startLocalRuntime({ projectDir: project, synth: 'never', dataDir: join(project, 'data'), sandboxes: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BundleIntegrityError);
      const dir = join(echoIndex, '..');
      // EchoA and EchoB share one bundle.
      expect((err as BundleIntegrityError).problems).toEqual([
        expect.stringMatching(new RegExp(`^EchoA \\(EchoA2BA5E551\\): ${dir} does not match the asset hash CDK recorded at synth`)),
        expect.stringMatching(new RegExp(`^EchoB \\(EchoBC7213C32\\): ${dir} does not match the asset hash CDK recorded at synth`)),
      ]);
      expect(existsSync(join(project, 'data'))).toBe(false);
    } finally {
      writeFileSync(echoIndex, original);
    }
  });

  it.runIf(isRoot)('refuses to start when another OS user swapped a bundle file in its 0777 folder before start', async () => {
    const original = readFileSync(echoIndex);
    chmodSync(project, 0o755); // reachable by others, like a checkout's cdk.out
    chmodSync(join(echoIndex, '..'), 0o777); // as CDK's bundling leaves it (an earlier start tightened it)
    try {
      expect(swapAsNobody(echoIndex)).toEqual({ status: 0, stderr: '' });
      expect(statSync(echoIndex).uid).toBe(NOBODY);
      await expect(startLocalRuntime({ projectDir: project, synth: 'never', inMemory: true, sandboxes: false })).rejects.toThrow(
        `EchoA (EchoA2BA5E551): ${echoIndex} is owned by another user (uid ${NOBODY}, the runtime runs as uid 0)`,
      );
    } finally {
      rmSync(echoIndex, { force: true });
      writeFileSync(echoIndex, original, { mode: 0o644 });
      chmodSync(project, 0o700);
    }
  });
});

describe('a bundle swapped after the runtime started', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  // Inside the project (cdk.out.*/ is git-ignored) so the bundles resolve the AWS SDK from its node_modules, as from cdk.out.
  let copy: string;
  let e2e: E2e;
  let marker: string;

  beforeAll(async () => {
    const { assemblyDir } = await ensureSynth({ projectDir: PROJECT_DIR, watch: PROCURE_WATCH, mode: 'auto' });
    copy = mkdtempSync(join(PROJECT_DIR, 'cdk.out.integrity-'));
    chmodSync(copy, 0o755); // as cdk.out: other users can reach the bundles
    marker = join(copy, 'tampered-code-ran');
    await copyAssembly(assemblyDir, copy);
    e2e = await startProcure({
      cdkOut: relative(PROJECT_DIR, copy),
      synth: 'never',
      configOverrides: { ...approvalPolicyEnv(resolveProcureConfig({ autoApproveMaxUsd: 100 })) },
    });
  });
  afterAll(async () => {
    await e2e?.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('tightened the asset folders CDK left 0777 at start and checked every bundle', () => {
    expect(e2e.logs).toContainEqual(
      expect.stringMatching(
        /^bundles: removed group\/other write from \d+ path\(s\) in .*cdk\.out\.integrity-.* \(CDK's bundling leaves asset folders 0777\)$/,
      ),
    );
    expect(e2e.logs).toContainEqual(
      expect.stringMatching(new RegExp(`^bundles: ${Object.keys(e2e.rt.functions).length} checked against their CDK asset hashes in \\d+ ms$`)),
    );
    const assetDir = e2e.rt.envOf('InterserverBuy').LAMBDA_TASK_ROOT!;
    expect(statSync(assetDir).mode & 0o777).toBe(0o755);
  });

  it.runIf(isRoot)('another OS user can no longer swap a bundle file: the folder it could write is tightened', () => {
    const index = join(e2e.rt.envOf('InterserverBuy').LAMBDA_TASK_ROOT!, 'index.js');
    const attempt = swapAsNobody(index);
    expect(attempt.status).not.toBe(0);
    expect(attempt.stderr).toMatch(/EACCES: permission denied, open '.*index\.js\.swap'/);
    expect(statSync(index).uid).toBe(0);
  });

  it('fails the next cold start of the swapped function closed: the purchase fails, no vendor call, none of the swapped code runs', async () => {
    const assetDir = e2e.rt.envOf('InterserverBuy').LAMBDA_TASK_ROOT!;
    // What an attacker would put there: code that buys at the vendor as soon as it is loaded.
    writeFileSync(
      join(assetDir, 'index.js'),
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');
       fetch(process.env.INTERSERVER_ENDPOINT, { method: 'POST', headers: { 'content-type': 'text/xml' },
         body: '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><api_buy_license><sid>x</sid></api_buy_license></soap:Body></soap:Envelope>' });
       exports.handler = async () => ({ bought: true });`,
    );
    const ip = '203.0.113.77';
    await sendRequestEvent(e2e.rt, interserverRequest({ requestId: 'swapped-bundle', item: { ip, licenseType: 5006 } }));
    const purchaseId = purchaseIdFor('swapped-bundle');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });

    expect(execution.status).toBe('FAILED');
    expect(e2e.rt.executions.history(purchaseId).some((s) => s.state === 'BuyLicense')).toBe(true);
    expect(e2e.logs).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^bundles: InterserverBuy \\(InterserverBuy[0-9A-F]{8}\\): bundle refused, not loaded: ${assetDir} does not match the asset hash CDK recorded at synth`,
        ),
      ),
    );
    expect(existsSync(marker)).toBe(false);
    const vendor = e2e.rt.sandboxes.interserver!.state;
    expect(vendor.requests.filter((r) => r.operation.startsWith('api_buy_license'))).toEqual([]);
    expect(vendor.licenses.filter((l) => l.license_ip === ip)).toEqual([]);
    // The rest of the workflow is intact: the purchase is closed as failed and its budget released.
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'FAILED' });
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    expect((await auditTrail(e2e, purchaseId)).map((a) => a.type)).not.toContain('PURCHASED');
  });
});
