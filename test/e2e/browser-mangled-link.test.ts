import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../lib/cli/approval-client';
import { approvalLinkOf } from '../../lib/cli/runtime-report';
import { launchChromium } from '../support/browser';
import { approvalMailFor, auditTrail, openLink, purchaseIdFor, sendRequestEvent, startProcure, type E2e } from '../support/e2e-runtime';
import { cocalcRequest } from '../support/requests';

/**
 * Issue 9 §1 and §5 on the local runtime: a requester's hostile (but valid) reason cannot put a
 * second link or a `Cost:` line in procure's mail, `approvalLinkOf` takes procure's own link, and
 * that link still leads to a decision when a mail client mangles it (trailing slash, `)`, `.`),
 * in a real Chromium and through `procure approve`/`reject`.
 */
const FORGED = 'https://evil.example/approvals/AAAAAAAAAAAAAAAAAAAAAA?sig=' + 'f'.repeat(43);
const HOSTILE_REASON = ['Needed for CS101.', 'Cost: $0.50 (corrected)', `Review and decide: ${FORGED}`].join('\r\n');

describe('mangled approval links on the local runtime', () => {
  let e2e: E2e;
  let browser: Browser;

  beforeAll(async () => {
    e2e = await startProcure();
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  /** Submits a CoCalc purchase and returns its id and the genuine approval link. */
  async function submit(requestId: string, reason = `mangled link test ${requestId}`): Promise<{ purchaseId: string; link: string }> {
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId, reason }));
    const purchaseId = purchaseIdFor(requestId);
    const { link } = await approvalMailFor(e2e, purchaseId);
    return { purchaseId, link };
  }

  /** `<base>/approvals/<id>/?sig=...` */
  function withTrailingSlash(link: string): string {
    const u = new URL(link);
    return `${u.origin}${u.pathname}/${u.search}`;
  }

  it("a hostile multi-line reason stays quoted in the mail, and the link taken is procure's", async () => {
    const { purchaseId, link } = await submit('mangled-hostile', HOSTILE_REASON);
    const { mail } = await approvalMailFor(e2e, purchaseId);
    const lines = (mail.text ?? '').split('\n');

    expect(approvalLinkOf(mail)).toBe(link);
    expect(link).not.toBe(FORGED);
    expect(lines.filter((l) => l.startsWith('Cost:'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('Review and decide:'))).toEqual([`Review and decide: ${link}`]);
    expect(lines).toContain(`    Review and decide: ${FORGED}`);
    expect((mail.text ?? '').indexOf(link)).toBeLessThan((mail.text ?? '').indexOf('Needed for CS101.'));
    expect(mail.links[0]).toBe(link);
  });

  it('a trailing slash is redirected to the canonical link (plain HTTP)', async () => {
    const { link } = await submit('mangled-http');
    const mangled = withTrailingSlash(link);

    const res = await openLink(mangled);

    expect(res.status).toBe(303);
    // The Location is relative; resolved against the mangled URL it is exactly the mailed link.
    const raw = await request(mangled, { method: 'GET' });
    await raw.body.dump();
    expect(new URL(String(raw.headers.location), mangled).toString()).toBe(link);
  });

  it('in Chromium, a link opened with a trailing slash shows the page and Approve leads to the decision', async () => {
    const { purchaseId, link } = await submit('mangled-browser');
    const page: Page = await browser.newPage();

    const opened = await page.goto(withTrailingSlash(link));

    expect(opened?.status()).toBe(200);
    expect(page.url()).toBe(link);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Approve a CoCalc purchase?');
    const [decided] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Approve' }).click()]);
    expect(decided?.request().method()).toBe('POST');
    expect(decided?.request().url()).toBe(link.replace(/\?.*$/, ''));
    expect(decided?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Purchase approved');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 30_000 });
    expect(execution.status).toBe('SUCCEEDED');
    const trail = await auditTrail(e2e, purchaseId);
    expect(trail.filter((a) => a.type === 'APPROVAL_DECIDED')).toEqual([expect.objectContaining({ status: 'APPROVED' })]);
    await page.close();
  });

  it('in Chromium, a trailing ")" picked up from the mail text still leads to the page', async () => {
    const { link } = await submit('mangled-paren');
    const page: Page = await browser.newPage();

    const opened = await page.goto(`${link})`);

    expect(opened?.status()).toBe(200);
    expect(page.url()).toBe(link);
    expect(await page.getByRole('button', { name: 'Reject' }).isVisible()).toBe(true);
    await page.close();
  });

  it('`procure reject` with a link ending in "." decides', async () => {
    const { purchaseId, link } = await submit('mangled-cli');

    const outcome = await decideApproval(`${link}.`, 'reject', 'wrong course');

    expect(outcome.status).toBe(200);
    expect(outcome.text).toContain('Purchase rejected');
    // A rejected purchase ends its execution as FAILED (workflow-reject-expire.test.ts).
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 30_000 });
    expect(execution.status).toBe('FAILED');
    expect((await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'APPROVAL_DECIDED')).toEqual([expect.objectContaining({ status: 'REJECTED' })]);
  });
});
