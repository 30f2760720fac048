import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMail } from '../../lib/local';
import { approvalLinkOf } from '../../lib/cli/runtime-report';
import { ENV } from '../../lambdas/shared/env-names';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  approvalMailFor,
  auditTrail,
  callApi,
  decide,
  inOrder,
  openLink,
  postDecision,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  sendRequestEvent,
  startProcure,
  waitFor,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * Issue #13, part 1, on the local runtime under shortened times: the approval waits 60 s (links
 * live 54 s), the escalation approver is asked 2 s after the request, a reminder goes out 44 s
 * before the links expire (10 s after the request: far enough after the escalation that a slow
 * first run cannot make both due at once, when the reminder would reach only the approvers known
 * then). The schedule is run by hand (rt.runSchedules), as Scheduler runs it every 5 minutes on AWS.
 */
const ESCALATION = 'escalation@example.com';
const APPROVER = 'approver@example.com';

describe('approval reminders, escalation and resend', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startProcure({
      stateMachineOverrides: { callbackTimeoutSeconds: 60 },
      configOverrides: {
        [ENV.APPROVAL_REMINDER_OFFSETS_SECONDS]: '44',
        [ENV.APPROVAL_ESCALATION_EMAILS]: ESCALATION,
        [ENV.APPROVAL_ESCALATION_DELAY_SECONDS]: '2',
      },
    });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  /** The mails whose links the purchase's audit entries of `type` name, with their links. */
  async function mailsAudited(purchaseId: string, type: string): Promise<Array<{ mail: OutboxMail; link: string }>> {
    const ids = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === type).flatMap((a) => (a.detail?.approvalIds as string[] | undefined) ?? []);
    return e2e.rt.mails.map((mail) => ({ mail, link: approvalLinkOf(mail) ?? '' })).filter(({ link }) => ids.some((id) => link.includes(`/approvals/${id}?`)));
  }

  async function awaitingApproval(purchaseId: string): Promise<void> {
    await waitFor(`${purchaseId} awaiting approval`, async () => (await purchaseRecord(e2e, purchaseId))?.status === 'AWAITING_APPROVAL');
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('escalates, reminds with fresh links, lets the escalation approver decide, and then no other link decides', async () => {
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'follow-up-event' }));
    const purchaseId = purchaseIdFor('follow-up-event');
    const original = await approvalMailFor(e2e, purchaseId);
    await awaitingApproval(purchaseId);
    const sentAt = Date.parse((await auditTrail(e2e, purchaseId)).find((a) => a.type === 'APPROVAL_SENT')!.at);

    await sleep(Math.max(0, sentAt + 2_500 - Date.now()));
    await e2e.rt.runSchedules();
    const escalated = await waitFor('the escalation mail', async () => {
      const found = await mailsAudited(purchaseId, 'APPROVAL_ESCALATED');
      return found.length ? found : undefined;
    });
    expect(escalated.map((m) => m.mail.to)).toEqual([[ESCALATION]]);
    expect(escalated[0]!.mail.subject).toMatch(/^Escalated, approve purchase: CoCalc \$18\.00/);

    await sleep(Math.max(0, sentAt + 10_500 - Date.now()));
    await e2e.rt.runSchedules();
    const reminders = await mailsAudited(purchaseId, 'APPROVAL_REMINDED');
    expect(reminders.map((m) => m.mail.to[0]).sort()).toEqual([APPROVER, ESCALATION].sort());
    const reminderLinks = reminders.map((m) => m.link);
    expect(reminderLinks).not.toContain(original.link);
    expect(reminderLinks).not.toContain(escalated[0]!.link);
    // A fresh reminder link works: its confirm page offers the decision.
    expect((await openLink(reminderLinks[0]!)).status).toBe(200);
    // A second run sends nothing more.
    const mailsBefore = e2e.rt.mails.length;
    await e2e.rt.runSchedules();
    expect(e2e.rt.mails.length).toBe(mailsBefore);

    const page = await decide(escalated[0]!.link, 'approve');
    expect(page.status).toBe(200);
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('SUCCEEDED');

    // Every other link of the purchase - the original and both reminders - now decides nothing.
    for (const link of [original.link, ...reminderLinks]) {
      expect((await openLink(link)).status).toBe(409);
      const sig = new URL(link).searchParams.get('sig')!;
      const late = await postDecision(link, { sig, decision: 'reject' });
      expect(late.status).toBe(409);
      expect(late.text).toContain('already decided');
    }
    const trail = await auditTrail(e2e, purchaseId);
    const types = trail.map((a) => a.type);
    const want = ['APPROVAL_SENT', 'APPROVAL_ESCALATED', 'APPROVAL_REMINDED', 'APPROVAL_DECIDED', 'PURCHASED', 'COMPLETED'];
    expect(inOrder(types, want)).toEqual(want);
    expect(types.filter((t) => t === 'APPROVAL_DECIDED')).toHaveLength(1);
    expect(trail.find((a) => a.type === 'APPROVAL_DECIDED')).toMatchObject({ actor: ESCALATION, status: 'APPROVED' });
    expect((await purchaseRecord(e2e, purchaseId))?.status).toBe('COMPLETED');
  });

  it('resends fresh links through the API, at most once per five minutes, and a resent link decides the purchase', async () => {
    const submitted = await postPurchase(e2e.rt, interserverRequest({ requestId: 'follow-up-api', item: { ip: '203.0.113.31', licenseType: 5006 } }));
    expect(submitted.status).toBe(202);
    const purchaseId = purchaseIdFor('follow-up-api');
    const original = await approvalMailFor(e2e, purchaseId);
    await awaitingApproval(purchaseId);

    const resent = await callApi(e2e.rt, 'POST', `/purchases/${purchaseId}/approvals/resend`);
    expect(resent.status).toBe(200);
    expect(resent.json).toMatchObject({ purchaseId, resentTo: [APPROVER] });
    const again = await callApi(e2e.rt, 'POST', `/purchases/${purchaseId}/approvals/resend`);
    expect(again.status).toBe(429);
    expect(again.json).toMatchObject({ error: 'ResendTooSoonError' });
    // Unsigned, the route is refused before the function runs.
    expect((await callApi(e2e.rt, 'POST', `/purchases/${purchaseId}/approvals/resend`, undefined, { signed: false })).status).toBe(403);

    const mails = await mailsAudited(purchaseId, 'APPROVAL_RESENT');
    expect(mails.map((m) => m.mail.to)).toEqual([[APPROVER]]);
    expect(mails[0]!.link).not.toBe(original.link);
    expect((await decide(mails[0]!.link, 'approve')).status).toBe(200);
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
    expect((await openLink(original.link)).status).toBe(409);

    const trail = await auditTrail(e2e, purchaseId);
    expect(trail.filter((a) => a.type === 'APPROVAL_RESENT')).toHaveLength(1);
    expect(trail.find((a) => a.type === 'APPROVAL_RESENT')!.actor).toBeTruthy();
    const decided = await callApi(e2e.rt, 'POST', `/purchases/${purchaseId}/approvals/resend`);
    expect(decided.status).toBe(409);
  });
});
