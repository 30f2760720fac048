import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import { runCli, startCli, type RunningCli } from '../support/cli';
import { cocalcRequest } from '../support/requests';
import { waitFor } from '../support/wait';

/**
 * `procure local` stopped by a signal while a vendor call is in flight. The CoCalc sandbox's fault
 * makes the cart add (and the uncheck after it) take effect at once but answer only 3 s later, so
 * the test sees the call land at the vendor while PreparePurchase's add still waits for the answer: a Lambda
 * provably in flight, without guessing at timings. Then the signal; the stop must refuse new work,
 * let PreparePurchase finish (it goes on to park the item unchecked, at the vendor), and only then close,
 * exit 0 and free the port.
 */
const ANSWER_DELAY_MS = 3000;

interface CartItem {
  id: number;
  checked: boolean | null;
}

describe('procure local stops gracefully', () => {
  let local: RunningCli | undefined;
  let dataDir: string | undefined;

  afterEach(() => {
    local?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    local = undefined;
    dataDir = undefined;
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s: refuses new work, lets the in-flight vendor call complete, then exits 0 with its port freed',
    async (signal) => {
      dataDir = mkdtempSync(join(tmpdir(), 'procure-graceful-stop-'));
      const dir = dataDir;
      local = startCli(['local', '--no-sample', '--port', '0', '--data-dir', dir]);
      const running = local;
      await running.waitFor(/Serving until Ctrl\+C/, 240_000);
      const info = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as { apiUrl: string; eventsEndpoint: string };
      const cocalc = (await running.waitFor(/CoCalc\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v2/, 1000))[1]!;
      const cart = cartReader(cocalc, cocalcApiKey(dir));

      const faults = await fetch(`${cocalc}/__admin/faults`, {
        method: 'POST',
        body: JSON.stringify({ applyThenDropNext: 2, applyThenDelayMs: ANSWER_DELAY_MS, operations: ['shopping/cart/add', 'shopping/cart/checked'] }),
      });
      expect(faults.status).toBe(200);
      const requestId = `graceful-${signal.toLowerCase()}`;
      const file = join(dir, 'request.json');
      writeFileSync(file, JSON.stringify(cocalcRequest({ requestId })));
      const submitted = await runCli(['submit', file, '--data-dir', dir]);
      expect(submitted.code).toBe(0);

      // The add has landed at the vendor; its answer is still on the way: PreparePurchase is in flight.
      const added = await waitFor('the cart add to land at the vendor', async () => (await cart()).find((i) => i.checked === true), 60_000);
      running.child.kill(signal);
      await running.waitFor(/new work is refused; waiting up to 30 s for 1 Lambda invocation\(s\) in flight to finish/, 10_000);
      expect(running.stdout).toContain(`${signal}: stopping the local runtime ...`);

      // No new work meanwhile: the API and PutEvents from outside answer 503.
      const api = await fetch(`${info.apiUrl}/purchases`, { method: 'POST', body: '{}' });
      expect(api.status).toBe(503);
      expect(((await api.json()) as { message: string }).message).toMatch(/shutting down/);
      const event = await fetch(info.eventsEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
        body: JSON.stringify({ Entries: [{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: '{}' }] }),
      });
      expect(event.status).toBe(503);
      expect(((await event.json()) as { __type: string }).__type).toBe('ServiceUnavailable');

      // The add's answer reached PreparePurchase, which went on with its next vendor call: the item is parked.
      await waitFor(
        'PreparePurchase to uncheck the item at the vendor',
        async () => (await cart()).find((i) => i.id === added.id && i.checked === false),
        20_000,
      );

      const { code } = await running.exited;
      expect(code, `stdout:\n${running.stdout}\nstderr:\n${running.stderr}`).toBe(0);
      expect(running.stdout).toMatch(/\] PreparePurchase\s+succeeded/);
      expect(running.stdout).toMatch(
        / {2}1 Lambda invocation\(s\) finished in [\d.]+ s\.\nStopped\. 1 purchase\(s\) still running will go on from where they stood at the next start\./,
      );
      expect(running.stdout).toContain(purchaseIdFor(requestId));
      expect(existsSync(join(dir, 'runtime.json'))).toBe(false);
      expect(existsSync(join(dir, 'runtime.lock'))).toBe(false);
      await expect(bindable(Number(new URL(info.apiUrl).port))).resolves.toBe(true);
    },
    300_000,
  );
});

/** The CoCalc API key the runtime generated into its secrets file (what the handlers use). */
function cocalcApiKey(dataDir: string): string {
  const file = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { secrets: Record<string, { value: string }> };
  for (const { value } of Object.values(file.secrets)) {
    try {
      const key = (JSON.parse(value) as { apiKey?: unknown }).apiKey;
      if (typeof key === 'string') return key;
    } catch {
      // not a JSON secret
    }
  }
  throw new Error('no CoCalc API key in secrets.json');
}

/** The account's current cart, read from the vendor sandbox itself (CoCalc API v2 shopping/cart/get). */
function cartReader(base: string, apiKey: string): () => Promise<CartItem[]> {
  return async () => {
    const res = await fetch(`${base}/api/v2/shopping/cart/get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as CartItem[] | { error: string };
    if (!Array.isArray(body)) throw new Error(`shopping/cart/get: ${body.error}`);
    return body;
  };
}

/** Whether a server can listen on the port now (nothing holds it). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
