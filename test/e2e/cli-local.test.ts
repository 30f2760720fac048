import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import { runCli, startCli, type RunningCli } from '../support/cli';
import { cocalcRequest, interserverRequest } from '../support/requests';

/**
 * `procure local` driven the way an operator drives it: one `local` process in a fresh data
 * folder, and the other commands run as separate processes against it (found through
 * <data-dir>/runtime.json). The tests run in order and share that process.
 */
describe('procure local, with the other commands run against it', () => {
  let dataDir: string;
  let local: RunningCli;
  let link: string;
  let samplePurchaseId: string;
  let licenseId: string;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir]);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'procure-cli-local-'));
    local = startCli(['local', '--data-dir', dataDir, '--port', '0']);
    // May synthesize cdk.out first when a source is newer than it.
    await local.waitFor(/Serving until Ctrl\+C/, 240_000);
    link = (await local.waitFor(/http:\/\/127\.0\.0\.1:\d+\/approvals\/[A-Za-z0-9_-]+\?sig=[A-Za-z0-9_-]+/, 60_000))[0];
  }, 300_000);

  afterAll(() => {
    local?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where everything runs, records it in <data-dir>/runtime.json, and never prints the secrets', () => {
    const info = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { apiUrl: string; eventsEndpoint: string; outboxDir: string; pid: number };
    expect(info.pid).toBe(local.child.pid);
    expect(local.stdout).toContain(`API           ${info.apiUrl}`);
    expect(local.stdout).toContain(info.eventsEndpoint);
    expect(local.stdout).toContain(join(dataDir, 'outbox'));
    expect(local.stdout).toMatch(/CoCalc\s+http:\/\/127\.0\.0\.1:\d+\/api\/v2/);
    expect(local.stdout).toMatch(/InterServer\s+http:\/\/127\.0\.0\.1:\d+\/api\.php\?wsdl/);
    expect(local.stdout).toContain(join(dataDir, 'secrets.json'));
    const file = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { secrets: Record<string, { value: string }> };
    const values = Object.values(file.secrets).flatMap(({ value }) => {
      try {
        return Object.values(JSON.parse(value) as Record<string, string>);
      } catch {
        return [value];
      }
    });
    expect(values.length).toBe(4); // CoCalc API key, InterServer username and password, signing key
    for (const v of values) expect(local.stdout).not.toContain(v);
    // Handler logs ([FunctionId] {json}) only with --verbose.
    expect(local.stdout).not.toMatch(/\[(Intake|PreparePurchase\w*)\] \{/);
  });

  it('submits a sample CoCalc purchase as an event and prints its approval link prominently', () => {
    samplePurchaseId = /requestId sample-\d{8}T\d{6}Z -> purchase (pur-[0-9a-f]{32})/.exec(local.stdout)?.[1] ?? '';
    expect(samplePurchaseId).not.toBe('');
    expect(local.stdout).toMatch(/Mail to approver@example\.com: "Approve purchase: CoCalc \$\d+\.\d\d for Ada Lovelace"/);
    expect(local.stdout).toContain('Open this link in a browser and press Approve');
    expect(local.stdout).toMatch(/\[pur-[0-9a-f]{8}\] PreparePurchase\s+succeeded\s+\d/);
  });

  it('`procure approve <link>` approves it, and `local` reports the completed purchase with its license and audit trail', async () => {
    const approved = await runCli(['approve', link]);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^Purchase approved\napprover@example\.com approved this purchase/);

    await local.waitFor(new RegExp(`Purchase ${samplePurchaseId}: execution SUCCEEDED after [\\d.]+ m?s; purchase status COMPLETED`), 60_000);
    const m = await local.waitFor(/License bought:\n.*\n.*\ncocalc\s+([0-9a-f-]{36})\s+CoCalc site license\s+active/, 10_000);
    licenseId = m[1]!;
    await local.waitFor(new RegExp(`Audit trail \\(npx procure audit ${samplePurchaseId}\\):\\n(.*\\n)+.*COMPLETED\\s+COMPLETED\\s+system`), 10_000);
    expect(local.stdout).toMatch(/\[pur-[0-9a-f]{8}\] Checkout\s+succeeded/);
  });

  it('`status`, `audit` and `licenses --json` read the purchase back through the signed API', async () => {
    const status = await cli('status', samplePurchaseId);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^purchase\s+pur-/);
    expect(status.stdout).toMatch(/\nstatus\s+COMPLETED\n/);
    expect(status.stdout).toContain(`license     ${licenseId}`);

    const audit = await cli('audit', samplePurchaseId);
    expect(audit.code).toBe(0);
    const events = audit.stdout
      .split('\n')
      .slice(3)
      .map((l) => l.split(/\s{2,}/)[1]);
    expect(events).toEqual(
      expect.arrayContaining([
        'REQUEST_RECEIVED',
        'QUOTED',
        'BUDGET_RESERVED',
        'APPROVAL_SENT',
        'APPROVAL_DECIDED',
        'PURCHASED',
        'LICENSE_VERIFIED',
        'COMPLETED',
      ]),
    );

    const licenses = await cli('licenses', '--json');
    expect(licenses.code).toBe(0);
    const listed = (JSON.parse(licenses.stdout) as { licenses: Array<{ vendor: string; id: string }> }).licenses;
    expect(listed).toContainEqual(expect.objectContaining({ vendor: 'cocalc', id: licenseId }));
    const none = await cli('licenses', '--vendor', 'interserver', '--json');
    expect(JSON.parse(none.stdout)).toEqual({ licenses: [] });
  });

  it('the same link a second time exits non-zero and changes nothing', async () => {
    const before = JSON.parse((await cli('audit', samplePurchaseId, '--json')).stdout) as unknown[];
    const again = await runCli(['approve', link]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/This purchase was already decided/);
    expect(again.stderr).toMatch(/already-decided, HTTP 409/);
    const reject = await runCli(['reject', link, '--comment', 'too late', '--json']);
    expect(reject.code).toBe(1);
    expect(JSON.parse(reject.stdout)).toMatchObject({ ok: false, result: 'already-decided', httpStatus: 409 });
    const after = JSON.parse((await cli('audit', samplePurchaseId, '--json')).stdout) as unknown[];
    expect(after).toEqual(before);
    expect(JSON.parse((await cli('status', samplePurchaseId, '--json')).stdout)).toMatchObject({ status: 'COMPLETED', licenseId });
  });

  it('a forged signature is refused with exit 1', async () => {
    const forged = await runCli(['approve', link.replace(/sig=.*/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/This approval link is not valid/);
  });

  it('`submit` refuses an invalid request file, lists every issue and sends nothing', async () => {
    const file = join(dataDir, 'bad-request.json');
    writeFileSync(file, JSON.stringify(cocalcRequest({ requestId: 'cli-bad-1', requester: { email: 'not-an-email', name: 'X' }, reason: '' })));
    const r = await cli('submit', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file} is not a valid purchase request (nothing was sent)`);
    expect(r.stderr).toMatch(/- requester\.email: /);
    expect(r.stderr).toMatch(/- reason: /);
    // Had it reached the API, the rejection would be audited under this purchase id.
    const status = await cli('status', purchaseIdFor('cli-bad-1'));
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/answered 404/);
  });

  it('`submit` sends a valid request through POST /purchases, and the same requestId again returns the existing purchase', async () => {
    const file = join(dataDir, 'interserver.json');
    writeFileSync(file, JSON.stringify(interserverRequest({ requestId: 'cli-api-1' })));
    const first = await cli('submit', file);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`purchase ${purchaseIdFor('cli-api-1')}: RECEIVED, submitted (requestId cli-api-1, interserver)`);
    const again = await runCli(['submit', '-', '--json', '--data-dir', dataDir], { input: readFileSync(file, 'utf8') });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ purchaseId: purchaseIdFor('cli-api-1'), existing: true, httpStatus: 200 });
  });

  it('`submit --event` puts a "License Purchase Requested" event that starts the workflow', async () => {
    const file = join(dataDir, 'event.json');
    writeFileSync(file, JSON.stringify(cocalcRequest({ requestId: 'cli-event-1', requester: { email: 'eve@example.com', name: 'Eve Event' } })));
    const r = await cli('submit', file, '--event', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { eventId: string; purchaseId: string; source: string };
    expect(out).toMatchObject({ purchaseId: purchaseIdFor('cli-event-1'), source: 'procure.requests' });
    expect(out.eventId).toMatch(/^[0-9a-f-]{36}$/);
    await local.waitFor(new RegExp(`workflow started \\(execution ${purchaseIdFor('cli-event-1')}\\)`), 30_000);
    await local.waitFor(/Mail to approver@example\.com: "Approve purchase: CoCalc \$\d+\.\d\d for Eve Event"/, 30_000);
  });

  it('`submit --event` with a loopback --api is refused (exit 2), never sent to AWS instead, and starts nothing', async () => {
    const info = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { apiUrl: string };
    const file = join(dataDir, 'event-loopback.json');
    writeFileSync(file, JSON.stringify(cocalcRequest({ requestId: 'cli-event-loopback' })));
    const r = await runCli(['submit', file, '--event', '--api', info.apiUrl]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--event with a local --api needs the runtime's EventBridge endpoint/);
    const status = await cli('status', purchaseIdFor('cli-event-loopback'));
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/answered 404/);
  });

  it('`procure reject <link> --comment` rejects a purchase: nothing is bought and the comment is in the audit trail', async () => {
    const purchaseId = purchaseIdFor('cli-event-1');
    const eveLink = (await local.waitFor(/for Eve Event"[^\n]*\n[^\n]*\n[^\n]*\n\n\s+(http:\/\/\S+\/approvals\/\S+)\n/, 10_000))[1]!;
    const rejected = await runCli(['reject', eveLink, '--comment', 'not this term']);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toMatch(/^Purchase rejected\napprover@example\.com rejected this purchase at .*\nNothing will be bought\./);
    await local.waitFor(new RegExp(`Purchase ${purchaseId}: execution FAILED \\(.*\\) after [\\d.]+ m?s; purchase status REJECTED`), 30_000);
    const audit = JSON.parse((await cli('audit', purchaseId, '--json')).stdout) as Array<{ type: string; detail?: { comment?: string } }>;
    expect(audit.find((e) => e.type === 'APPROVAL_DECIDED')?.detail?.comment).toBe('not this term');
    expect(audit.map((e) => e.type)).not.toContain('PURCHASED');
  });

  it('a usage error exits 2 and --help exits 0', async () => {
    const missing = await cli('submit');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: missing <file\|->\n\nusage: procure submit/);
    const unknown = await cli('status', 'pur-1', '--colour');
    expect(unknown.code).toBe(2);
    const help = await runCli(['submit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: procure submit <file\|->/);
  });

  it('`doctor` finds the runtime `local` recorded ready: every check passes', async () => {
    const r = await cli('doctor');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('all 12 checks passed');
  });

  it('stops cleanly on SIGINT: exit 0, runtime.json removed', async () => {
    local.child.kill('SIGINT');
    const { code } = await local.exited;
    expect(code).toBe(0);
    expect(local.stdout).toMatch(
      /SIGINT: stopping the local runtime \.\.\.\nStopped\. 1 purchase\(s\) still running will go on from where they stood at the next start\./,
    );
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    const gone = await cli('status', samplePurchaseId);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no local runtime found .*start one with 'npm start'/);
  });
});
