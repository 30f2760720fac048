import { ALL_STATE_NAMES } from '../support/state-names';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalPolicyEnv } from '../../lib/approval-policy-config';
import { resolveProcureConfig } from '../../lib/resolve-config';
import type { InvocationRecord } from '../../lib/local/metering';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { cocalcAccountOf, purchaseIdFor, purchaseRecord, sendRequestEvent, startProcure, type E2e, E2E_TEST_TIMEOUT_MS } from '../support/e2e-runtime';

/**
 * Lambda's concurrency quota is the whole account's (per Region), and a new AWS account has far
 * fewer than the default 1,000: a burst meets throttled Invokes at any step, Checkout and
 * BuyLicense included. A throttled Invoke never ran, so every task runs it again, for minutes
 * (THROTTLED in lib/constructs/purchase-retries.ts), and the purchases queue instead of failing.
 * The local runtime holds every function to one shared quota (`lambdaAccountConcurrency`).
 */
const ACCOUNT_CONCURRENCY = 2;
const THROTTLE = 'Lambda.TooManyRequestsException';

describe('a burst on an account with a small Lambda concurrency quota', { timeout: 3 * E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  const invocations: InvocationRecord[] = [];

  beforeAll(async () => {
    // The throttle retrier (each task's first) and the busy-lock one (AddToCart's, Checkout's and
    // BuyLicense's second) keep the template's backoff and jitter (-1), as on AWS, so a loaded
    // machine cannot run their attempts out at once; the other retries stay fast.
    const keepThrottleWaits = [-1, -1, 50, 50, 50, 50, 50, 50];
    e2e = await startProcure({
      lambdaAccountConcurrency: ACCOUNT_CONCURRENCY,
      configOverrides: approvalPolicyEnv(resolveProcureConfig({ autoApproveMaxUsd: 100 })),
      stateMachineOverrides: { retryIntervalOverrides: Object.fromEntries(ALL_STATE_NAMES.map((s) => [s, keepThrottleWaits])) },
      onInvocation: (r) => invocations.push(r),
    });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('completes every purchase, each bought once at the vendor, with never more invocations at once than the quota', async () => {
    const cocalc = Array.from({ length: 4 }, (_, i) => `quota-cocalc-${i}`);
    const interserver = Array.from({ length: 4 }, (_, i) => `quota-is-${i}`);
    const licensesBefore = cocalcAccountOf(e2e).licenses.length;
    const balanceBefore = cocalcAccountOf(e2e).balance;
    await Promise.all([
      ...cocalc.map((requestId) => sendRequestEvent(e2e.rt, cocalcRequest({ requestId }))),
      ...interserver.map((requestId, i) =>
        sendRequestEvent(e2e.rt, interserverRequest({ requestId, item: { ip: `198.51.100.${20 + i}`, licenseType: 5006 } })),
      ),
    ]);
    const ids = [...cocalc, ...interserver].map(purchaseIdFor);
    const results = await Promise.all(ids.map((id) => e2e.rt.executions.wait(id, { timeoutMs: 3 * E2E_TEST_TIMEOUT_MS - 20_000 })));

    expect(results.map((r) => r.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    for (const id of ids) expect((await purchaseRecord(e2e, id))?.status, id).toBe('COMPLETED');
    // The quota was met: steps were throttled, and the machine ran them again.
    const throttled = ids.flatMap((id) => e2e.rt.executions.history(id)).filter((s) => s.error === THROTTLE);
    expect(throttled.length).toBeGreaterThan(0);
    // Never more than the quota in flight at once, over all functions.
    const edges = invocations.flatMap((r) => [
      { at: r.acceptedAt, d: 1 },
      { at: r.endedAt, d: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.d - b.d);
    let inFlight = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (inFlight += e.d));
    expect(most).toBeLessThanOrEqual(ACCOUNT_CONCURRENCY);
    // The vendors' truth: one license and one $18 charge per purchase, nothing left unbought in the cart.
    const account = cocalcAccountOf(e2e);
    expect(account.licenses.length - licensesBefore).toBe(cocalc.length);
    expect(Math.round((balanceBefore - account.balance) * 100)).toBe(cocalc.length * 1800);
    expect(account.cart.filter((i) => i.purchased === null && i.removed === null)).toEqual([]);
    const isLicenses = e2e.rt.sandboxes.interserver!.state.licenses.filter((l) => /^198\.51\.100\.2\d$/.test(l.license_ip));
    expect(isLicenses.map((l) => l.license_ip).sort()).toEqual(interserver.map((_, i) => `198.51.100.${20 + i}`).sort());
  });
});
