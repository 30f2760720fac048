import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd } from '../../lambdas/core/money';
import { EVENTS, purchaseIdFor, STATE } from '../../lambdas/core/workflow';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local';
import { TEST_KEPT_IN_MEMORY } from '../support/kept-in-memory';
import { COCALC_SANDBOX_DEFAULTS } from '../../lib/local/sandboxes/cocalc';
import { BROWSER_WAIT_MS, emailedApproval, launchChromium, runtimeStores, type RuntimeStores } from '../support/browser';
import { PROJECT_DIR } from '../support/project-dir';
import { waitFor } from '../support/wait';
import { cocalcRequest } from '../support/requests';

// Run inside the page (serialized by Playwright); the tests' tsconfig has no DOM lib.
const backgroundColorOf = (el: unknown): string =>
  (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;
const setValue = (el: unknown, value: string): void => {
  (el as { value: string }).value = value;
};

/**
 * The approver's side of a purchase, end to end: a purchase event goes into the local runtime, the
 * approval mail lands in the outbox, and its link is opened and decided in a real headless
 * Chromium. PROCURE_SCREENSHOT_DIR=<dir> saves what the browser showed.
 */
describe('the approval page in a real browser', () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let context: BrowserContext;
  let stores: RuntimeStores;
  /** Console errors and page errors of every page (a CSP violation shows up here). */
  const browserErrors: string[] = [];

  beforeAll(async () => {
    rt = await startLocalRuntime({ projectDir: PROJECT_DIR, inMemory: true, synth: 'auto', keptInMemory: TEST_KEPT_IN_MEMORY });
    stores = runtimeStores(rt);
    browser = await launchChromium();
    context = await browser.newContext();
    context.on('page', (page) => {
      page.on('console', (m) => {
        // The already-decided and error pages are answered with 4xx on purpose.
        if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) browserErrors.push(m.text());
      });
      page.on('pageerror', (e) => browserErrors.push(e.message));
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    stores?.close();
    await rt?.close();
  });

  function submit(requestId: string, reason: string): string {
    rt.putEvents([{ Source: EVENTS.defaultRequestSource, DetailType: 'License Purchase Requested', Detail: cocalcRequest({ requestId, reason }) }]);
    return purchaseIdFor(requestId);
  }

  function cocalcAccount() {
    return rt.sandboxes.cocalc!.account(COCALC_SANDBOX_DEFAULTS.accountId);
  }

  /** Everything a decision could change, for "changed nothing" comparisons. */
  async function snapshot(purchaseId: string, approvalId: string) {
    await rt.eventsIdle();
    const account = cocalcAccount();
    return {
      execution: rt.executions.describe(purchaseId),
      steps: rt.executions.history(purchaseId).length,
      approval: await stores.approvals.get(approvalId),
      purchase: await stores.purchases.get(purchaseId),
      audit: await stores.audit.list(purchaseId),
      licenses: account.licenses.map((l) => l.id),
      cart: account.cart.map((c) => ({ id: c.id, removed: c.removed, purchased: c.purchased })),
      balance: account.balance,
      mails: rt.mails.length,
      events: rt.emittedEvents.length,
    };
  }

  /** Waits until the workflow sits in RequestApproval with its mail sent and its status written. */
  async function awaitingApproval(purchaseId: string): Promise<void> {
    await waitFor(
      `${purchaseId} to await approval`,
      async () => {
        const last = rt.executions.history(purchaseId).at(-1);
        const purchase = await stores.purchases.get(purchaseId);
        return last?.type === 'StateEntered' && last.state === STATE.RequestApproval && purchase?.status === 'AWAITING_APPROVAL' ? true : undefined;
      },
      BROWSER_WAIT_MS,
    );
  }

  function approvalIdOf(link: string): string {
    return decodeURIComponent(new URL(link).pathname.split('/').pop()!);
  }

  async function heading(page: Page): Promise<string> {
    return page.getByRole('heading', { level: 1 }).innerText();
  }

  /** The page's definition list as { term: definition }. */
  async function details(page: Page): Promise<Record<string, string>> {
    const terms = await page.locator('dt').allInnerTexts();
    const defs = await page.locator('dd').allInnerTexts();
    return Object.fromEntries(terms.map((t, i) => [t, defs[i] ?? '']));
  }

  /** Clicks a submit button and returns the response of the navigation it causes. */
  async function press(page: Page, button: 'Approve' | 'Reject'): Promise<Response | null> {
    const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()]);
    return response;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const dir = process.env.PROCURE_SCREENSHOT_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  }

  describe('approving a CoCalc purchase', () => {
    const reason = 'Course project for CS101 (browser approve)';
    let purchaseId: string;
    let link: string;
    let approvalId: string;
    let page: Page;
    /** A second tab the approver opened before deciding: its form is stale afterwards. */
    let staleTab: Page;

    beforeAll(async () => {
      purchaseId = submit('browser-1', reason);
      ({ link } = await emailedApproval(rt, reason));
      approvalId = approvalIdOf(link);
      await awaitingApproval(purchaseId);
    });

    it('opening the emailed link shows the purchase with Approve, Reject and a comment box, and changes nothing', async () => {
      const before = await snapshot(purchaseId, approvalId);
      const { text: mailText } = await emailedApproval(rt, reason);

      page = await context.newPage();
      const response = await page.goto(link);

      expect(response?.status()).toBe(200);
      expect(response?.headers()['cache-control']).toBe('no-store');
      expect(await heading(page)).toBe('Approve a CoCalc purchase?');
      const shown = await details(page);
      expect(shown).toMatchObject({
        Vendor: 'CoCalc',
        Cost: formatUsd(before.purchase!.amountUsd!),
        Requester: 'Ada Lovelace <ada@example.com>',
        Reason: reason,
        Approver: 'approver@example.com',
      });
      expect(shown.Cost).toMatch(/^\$\d+\.\d\d$/);
      expect(shown.Item).toContain('CoCalc site license: academic, monthly');
      // Requester-influenced text (the item holds the title) is indented under its label in the mail.
      expect(mailText).toContain(`Item:\n    ${shown.Item}`);
      await expect.poll(() => page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Reject' }).isVisible()).toBe(true);
      expect(await page.getByLabel('Comment (optional)').isEditable()).toBe(true);
      // The inline style is allowed by its CSP hash: the buttons are styled, and nothing was blocked.
      expect(await page.locator('button.approve').evaluate(backgroundColorOf)).toBe('rgb(26, 127, 55)');
      expect(browserErrors).toEqual([]);
      await screenshot(page, 'confirm');

      staleTab = await context.newPage();
      await staleTab.goto(link);

      const after = await snapshot(purchaseId, approvalId);
      expect(after).toEqual(before);
      expect(after.approval?.status).toBe('PENDING');
      expect(after.execution?.status).toBe('RUNNING');
      expect(rt.executions.history(purchaseId).at(-1)).toMatchObject({ type: 'StateEntered', state: STATE.RequestApproval });
    });

    it('pressing Approve shows the confirmation, and the workflow buys the CoCalc license', async () => {
      const licensesBefore = cocalcAccount().licenses.length;

      const response = await press(page, 'Approve');

      expect(response?.status()).toBe(200);
      expect(response?.request().method()).toBe('POST');
      expect(await heading(page)).toBe('Purchase approved');
      expect(await page.locator('body').innerText()).toContain('approver@example.com approved this purchase');
      await screenshot(page, 'approved');
      const execution = await rt.executions.wait(purchaseId, { timeoutMs: 20_000 });
      expect(execution.status).toBe('SUCCEEDED');
      const purchase = await stores.purchases.get(purchaseId);
      expect(purchase).toMatchObject({ status: 'COMPLETED', licenseId: expect.any(String) });
      const licenses = cocalcAccount().licenses;
      expect(licenses).toHaveLength(licensesBefore + 1);
      expect(licenses.map((l) => l.id)).toContain(purchase!.licenseId);
      await rt.eventsIdle();
      expect(rt.emittedEvents.filter((e) => e['detail-type'] === EVENTS.completed)).toHaveLength(1);
      expect(browserErrors).toEqual([]);
    });

    it('a second press (back button, a stale tab, a reload, the link reopened) says "already decided" and changes nothing', async () => {
      const before = await snapshot(purchaseId, approvalId);

      // Reloading the confirmation re-sends the form.
      const resent = await page.reload();
      expect(resent?.request().method()).toBe('POST');
      expect(resent?.status()).toBe(409);
      expect(await heading(page)).toBe('This purchase was already decided');
      // Back: the confirm page is not cached (no-store), so the browser asks again and gets no buttons.
      await page.goBack();
      expect(await heading(page)).toBe('This purchase was already decided');
      expect(await page.getByRole('button').count()).toBe(0);
      // A tab opened before the decision still shows the buttons; pressing one is refused.
      const stale = await press(staleTab, 'Approve');
      expect(stale?.status()).toBe(409);
      expect(await heading(staleTab)).toBe('This purchase was already decided');
      expect(await staleTab.locator('body').innerText()).toMatch(/approver@example\.com approved it at .* UTC/);
      await screenshot(staleTab, 'already-decided');
      // Opening the mail's link again.
      const reopened = await context.newPage();
      const again = await reopened.goto(link);
      expect(again?.status()).toBe(409);
      expect(await heading(reopened)).toBe('This purchase was already decided');

      const after = await snapshot(purchaseId, approvalId);
      expect(after).toEqual(before);
      expect(after.audit.filter((e) => e.type === 'APPROVAL_DECIDED')).toHaveLength(1);
      expect(rt.emittedEvents.filter((e) => e['detail-type'] === EVENTS.completed)).toHaveLength(1);
      await Promise.all([page.close(), staleTab.close(), reopened.close()]);
    });
  });

  it('rejecting in the browser with a comment stops the purchase, records the comment and buys nothing', async () => {
    const reason = 'A second seat for the TA (browser reject)';
    const comment = 'Too dear — use the free tier <b>first</b> & ask again in May';
    const purchaseId = submit('browser-2', reason);
    const { link } = await emailedApproval(rt, reason);
    await awaitingApproval(purchaseId);
    const licensesBefore = cocalcAccount().licenses.length;
    const page = await context.newPage();
    await page.goto(link);

    await page.getByLabel('Comment (optional)').fill(comment);
    const response = await press(page, 'Reject');

    expect(response?.status()).toBe(200);
    expect(await heading(page)).toBe('Purchase rejected');
    expect(await page.locator('body').innerText()).toContain('Nothing will be bought.');
    const execution = await rt.executions.wait(purchaseId, { timeoutMs: 20_000 });
    expect(execution.status).toBe('FAILED');
    expect(await stores.purchases.get(purchaseId)).toMatchObject({ status: 'REJECTED' });
    expect(await stores.approvals.get(approvalIdOf(link))).toMatchObject({ status: 'REJECTED', comment });
    const decisions = (await stores.audit.list(purchaseId)).filter((e) => e.type === 'APPROVAL_DECIDED');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.detail).toMatchObject({ decision: 'REJECTED', comment });
    expect(cocalcAccount().licenses).toHaveLength(licensesBefore);
    // The item parked in the vendor's cart for this purchase was taken out again.
    expect(cocalcAccount().cart.filter((c) => c.removed === null && c.purchased === null)).toEqual([]);
    await rt.eventsIdle();
    expect(rt.emittedEvents.filter((e) => e['detail-type'] === EVENTS.rejected)).toHaveLength(1);
    expect(browserErrors).toEqual([]);
    await page.close();
  });

  it('a forged link shows a clear error page, and a form posted with a forged signature changes nothing', async () => {
    const reason = 'A licence for the lab (forged link)';
    const purchaseId = submit('browser-3', reason);
    const { link } = await emailedApproval(rt, reason);
    const approvalId = approvalIdOf(link);
    await awaitingApproval(purchaseId);
    const before = await snapshot(purchaseId, approvalId);
    const url = new URL(link);
    const sig = url.searchParams.get('sig')!;
    const forgedSig = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    url.searchParams.set('sig', forgedSig);
    const page = await context.newPage();

    const forged = await page.goto(url.toString());

    expect(forged?.status()).toBe(403);
    expect(await heading(page)).toBe('This approval link is not valid');
    expect(await page.locator('body').innerText()).toContain('Open the link exactly as it appears in the approval e-mail.');
    expect(await page.getByRole('button').count()).toBe(0);
    await screenshot(page, 'forged');

    // Another id with this link's signature: not found, nothing revealed.
    const otherId = new URL(link);
    otherId.pathname = otherId.pathname.replace(approvalId, 'A'.repeat(22));
    expect((await page.goto(otherId.toString()))?.status()).toBe(404);
    expect(await heading(page)).toBe('Approval not found');

    // The genuine page, with its hidden signature altered before pressing Approve.
    await page.goto(link);
    await page.locator('input[name="sig"]').evaluate(setValue, forgedSig);
    const posted = await press(page, 'Approve');
    expect(posted?.status()).toBe(403);
    expect(await heading(page)).toBe('This approval link is not valid');

    const after = await snapshot(purchaseId, approvalId);
    expect(after).toEqual(before);
    expect(after.approval?.status).toBe('PENDING');
    expect(rt.executions.history(purchaseId).at(-1)).toMatchObject({ type: 'StateEntered', state: STATE.RequestApproval });
    await page.close();
  });
});
