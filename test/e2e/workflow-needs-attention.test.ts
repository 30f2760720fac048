import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../lambdas/core/workflow';
import { runCli } from '../support/cli';
import {
  approvalMailFor,
  auditTrail,
  budgetCounter,
  cocalcAccountOf,
  decide,
  E2E_TEST_TIMEOUT_MS,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  sendRequestEvent,
  startProcure,
  waitFor,
  workflowEvents,
  type E2e,
} from '../support/e2e-runtime';
import { cocalcRequest } from '../support/requests';

/**
 * Issue 8, "every purchase ends" and "NEEDS_ATTENTION reaches a human": the vendor goes down while
 * a rejected purchase is being cleaned up. The execution still ends, the purchase is recorded
 * NEEDS_ATTENTION with the cleanup left and its budget kept, the approvers get a mail saying what
 * to check, and an operator settles it with the `procure resolve` command the mail gives.
 */
describe('a cleanup the vendor will not let finish, end to end', { timeout: E2E_TEST_TIMEOUT_MS * 2 }, () => {
  let e2e: E2e;
  /** The in-memory runtime's per-run credentials as the AWS_* variables a CLI with a loopback --api signs with. */
  const runtimeCredentialsEnv = (): NodeJS.ProcessEnv => {
    const { accessKeyId, secretAccessKey } = e2e.rt.clientConfig('aws').credentials;
    return { ...process.env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
  };

  beforeAll(async () => {
    e2e = await startProcure();
  });
  afterAll(async () => {
    e2e?.rt.sandboxes.cocalc?.faults.reset();
    await e2e?.close();
  });

  it('ends NEEDS_ATTENTION with the budget kept, mails the approvers, and `procure resolve --not-bought` settles it', async () => {
    const faults = e2e.rt.sandboxes.cocalc!.faults;
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'attention-cleanup' }));
    const purchaseId = purchaseIdFor('attention-cleanup');
    const { link } = await approvalMailFor(e2e, purchaseId);
    const cartItemId = (await purchaseRecord(e2e, purchaseId))?.cartItemId as number;
    expect(cocalcAccountOf(e2e).cart.some((i) => i.id === cartItemId)).toBe(true);

    // CoCalc answers 503 to everything from now on: the rejection's cart-item delete cannot run.
    faults.set({ failNext: 100_000 });
    await decide(link, 'reject', 'not this term');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });

    // Every purchase ends: the execution finished (Fail state), nothing is left running or retrying.
    expect(execution.status).toBe('FAILED');
    const record = await purchaseRecord(e2e, purchaseId);
    expect(record).toMatchObject({ status: 'NEEDS_ATTENTION', cleanupPending: ['delete-cart-item', 'release-reservation'], cartItemId });
    expect(record?.reason).toMatch(/^rejected by .+: not this term; then cleanup did not finish \(delete-cart-item: VendorTransientError: .*503/);
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RESERVED' });
    expect((await budgetCounter(e2e, 'cocalc')).holders[purchaseId]).toBe(1800);
    const trail = await auditTrail(e2e, purchaseId);
    expect(trail.slice(-4).map((a) => a.type)).toEqual(['COMPENSATION_FAILED', 'ATTENTION_MAIL_SENT', 'REQUESTER_NOTIFIED', 'NOT_COMPLETED']);
    expect(trail.at(-1)!.message).toMatch(
      /^ATTENTION: MONEY MAY HAVE BEEN SPENT\..*budget reservation is KEPT.*until the reconciler or a person establishes that nothing was bought/,
    );
    const events = workflowEvents(e2e.rt, purchaseId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'detail-type': EVENTS.failed,
      detail: { status: 'NEEDS_ATTENTION', cleanupPending: ['delete-cart-item', 'release-reservation'], cartItemId },
    });
    expect((events[0]!.detail as { check: string[] }).check.join('\n')).toContain(`Shopping cart item ${cartItemId}`);

    // The mail: what is known, what to check, the exact command. No link, token or signature in it.
    const mail = await waitFor(`the attention mail of ${purchaseId}`, () =>
      e2e.rt.mails.find((m) => m.subject.startsWith('Needs attention') && m.subject.includes(purchaseId)),
    );
    expect(mail.to.length).toBeGreaterThan(0);
    for (const text of [
      `Purchase: ${purchaseId}`,
      'Amount: $18.00',
      `Cart item: ${cartItemId}`,
      'Cleanup not finished: delete-cart-item, release-reservation',
      'What to check at CoCalc:',
    ]) {
      expect(mail.text).toContain(text);
    }
    expect(mail.text).not.toMatch(/sig=|taskToken|\bat .+\.js:\d+/);
    const command = /^ {2}not bought: npx procure (resolve .+)$/m.exec(mail.text ?? '')?.[1];
    expect(command).toBeDefined();
    const args = [...command!.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    expect(args.slice(0, 3)).toEqual(['resolve', purchaseId, '--not-bought']);
    args[args.indexOf('--comment') + 1] = 'cart item still there, not purchased';

    // The operator runs it (the vendor is still down: resolving needs only procure's API).
    const resolved = await runCli([...args, '--json'], { env: runtimeCredentialsEnv() });
    expect(resolved.stderr).toBe('');
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({ purchaseId, status: 'FAILED', budget: 'released', alreadyResolved: false });

    const after = await purchaseRecord(e2e, purchaseId);
    expect(after).toMatchObject({
      status: 'FAILED',
      cleanupPending: ['delete-cart-item'],
      resolution: { finding: 'not-bought', comment: 'cart item still there, not purchased' },
    });
    const actor = (after!.resolution as { actor: string }).actor;
    expect(actor).toMatch(/^arn:aws:iam::\d{12}:user\//);
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    expect((await budgetCounter(e2e, 'cocalc')).holders[purchaseId]).toBeUndefined();
    const settled = await auditTrail(e2e, purchaseId);
    expect(settled.slice(-2)).toMatchObject([
      { type: 'RESOLVED', status: 'FAILED', actor, detail: { finding: 'not-bought', comment: 'cart item still there, not purchased', budget: 'released' } },
      // The requester, told at NEEDS_ATTENTION that it is being checked, hears how it ended.
      { type: 'REQUESTER_NOTIFIED', status: 'FAILED', detail: { kind: 'outcome', outcome: 'FAILED' } },
    ]);
    const ending = e2e.rt.mails.filter((m) => (m.text ?? '').includes(purchaseId) && /did not go through/.test(m.subject));
    expect(ending).toHaveLength(1);
    expect(ending[0]!.text).toContain('found it was not bought');
    expect(ending[0]!.text).not.toContain('cart item still there');

    // Once only: a different finding is refused, and `procure status` shows the outcome.
    const again = await runCli(['resolve', purchaseId, '--bought', 'lic-x', '--api', e2e.rt.apiUrl], { env: runtimeCredentialsEnv() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/answered 409: purchase .+ is FAILED \(resolved not-bought by .+\); only a purchase in NEEDS_ATTENTION can be resolved/);
    const status = await runCli(['status', purchaseId, '--api', e2e.rt.apiUrl], { env: runtimeCredentialsEnv() });
    expect(status.stdout).toMatch(/^status\s+FAILED$/m);
    expect(status.stdout).toMatch(/^resolved\s+not-bought by arn:aws:iam::/m);
  });
});
