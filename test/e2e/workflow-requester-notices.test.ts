import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMail } from '../../lib/local';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  approvalMailFor,
  auditTrail,
  decide,
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
 * Issue #13, requester notices: the person who asked hears when the purchase is decided and when it
 * ends, through either entry point, on the local runtime running the synthesized app; and hears
 * nothing when the request says `notifyRequester: false`.
 */
describe('requester notices, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startProcure();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const mailsTo = (address: string): OutboxMail[] => e2e.rt.mails.filter((m) => m.to.includes(address));

  /** Nothing in a requester's mail can act for anyone: no approval link or header, no signature. */
  function expectNothingToAct(mail: OutboxMail): void {
    expect(mail.headers['x-procure-approval-link']).toBeUndefined();
    expect(mail.links).toEqual([]);
    for (const part of [mail.text ?? '', mail.html ?? '']) expect(part).not.toMatch(/\/approvals\/|sig=|taskToken/);
  }

  it('tells the requester of an approved CoCalc purchase (an event) who approved it, then the license it bought', async () => {
    const requestId = 'notice-approve-cocalc';
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId, requester: { email: 'ada.notice@example.com', name: 'Ada Lovelace' } }));
    const purchaseId = purchaseIdFor(requestId);
    const { link } = await approvalMailFor(e2e, purchaseId);

    expect((await decide(link, 'approve')).status).toBe(200);
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');

    const licenseId = String((await purchaseRecord(e2e, purchaseId))?.licenseId);
    const mails = await waitFor('two requester notices', () => (mailsTo('ada.notice@example.com').length >= 2 ? mailsTo('ada.notice@example.com') : undefined));
    expect(mails.map((m) => m.subject)).toEqual([`Your CoCalc purchase was approved (${requestId})`, `Your CoCalc purchase is complete (${requestId})`]);
    expect(mails[0]!.text).toContain('approver@example.com approved it. procure is buying it from CoCalc now');
    for (const text of [
      `License: ${licenseId}`,
      'Cost: $18.00',
      'What it is for:\n    CoCalc site license: academic, monthly',
      'Your reason:\n    Course project for CS101',
    ]) {
      expect(mails[1]!.text).toContain(text);
    }
    for (const mail of mails) expectNothingToAct(mail);

    const notices = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'REQUESTER_NOTIFIED');
    expect(notices.map((a) => [a.status, a.detail?.kind])).toEqual([
      ['APPROVED', 'decision'],
      ['COMPLETED', 'outcome'],
    ]);
  });

  it('tells the requester of a rejected InterServer purchase (signed POST /purchases) who rejected it, quoting the comment', async () => {
    const requestId = 'notice-reject-is';
    const res = await postPurchase(
      e2e.rt,
      interserverRequest({
        requestId,
        requester: { email: 'grace.notice@example.com', name: 'Grace Hopper' },
        item: { ip: '203.0.113.77', licenseType: 5006 },
      }),
    );
    expect(res.status).toBe(202);
    const purchaseId = res.json.purchaseId as string;
    const { link } = await approvalMailFor(e2e, purchaseId);

    expect((await decide(link, 'reject', 'Use the shared cPanel server\nCost: $0.00')).status).toBe(200);
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');

    const [mail, ...more] = await waitFor('the rejection notice', () =>
      mailsTo('grace.notice@example.com').length ? mailsTo('grace.notice@example.com') : undefined,
    );
    expect(more).toEqual([]);
    expect(mail!.subject).toBe(`Your InterServer purchase was rejected (${requestId})`);
    expect(mail!.text).toContain('approver@example.com rejected it. Nothing was bought.');
    // The comment is quoted under its label, its fake "Cost:" line indented with it.
    expect(mail!.text).toContain("The approver's comment, as they wrote it:\n    Use the shared cPanel server\n    Cost: $0.00");
    expect(mail!.text!.split('\n').filter((l) => /^(Quoted )?[Cc]ost:/.test(l))).toEqual(['Quoted cost: $3.00']);
    expectNothingToAct(mail!);
    expect((await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'REQUESTER_NOTIFIED')).toMatchObject([
      { status: 'REJECTED', detail: { kind: 'outcome', outcome: 'REJECTED' } },
    ]);
  });

  it('mails the requester nothing when the request opted out, through either entry point', async () => {
    const quiet = 'quiet.notice@example.com';
    await sendRequestEvent(
      e2e.rt,
      cocalcRequest({ requestId: 'notice-quiet-event', notifyRequester: false, requester: { email: quiet, name: 'Quiet Event' } }),
    );
    const posted = await postPurchase(
      e2e.rt,
      interserverRequest({
        requestId: 'notice-quiet-post',
        notifyRequester: false,
        requester: { email: quiet, name: 'Quiet Post' },
        item: { ip: '203.0.113.78', licenseType: 5006 },
      }),
    );
    expect(posted.status).toBe(202);

    for (const purchaseId of [purchaseIdFor('notice-quiet-event'), posted.json.purchaseId as string]) {
      const { link } = await approvalMailFor(e2e, purchaseId);
      expect((await decide(link, 'approve')).status).toBe(200);
      expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
      expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'COMPLETED', notifyRequester: false });
      expect((await auditTrail(e2e, purchaseId)).map((a) => a.type)).not.toContain('REQUESTER_NOTIFIED');
    }
    expect(mailsTo(quiet)).toEqual([]);
  });
});
