import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from '../support/cli';

/** `procure sandbox <vendor>` through the real entry point (bin/procure.cjs), as a person starts it. */
describe('procure sandbox', () => {
  let running: RunningCli | undefined;

  afterEach(() => {
    running?.kill();
    running = undefined;
  });

  it('starts the CoCalc sandbox, prints "listening on <url>", serves the API v2, and stops on SIGINT with exit 0', async () => {
    running = startCli(['sandbox', 'cocalc', '--port', '0', '--api-key', 'sk_cli_test', '--balance', '12.5']);
    const url = (await running.waitFor(/^listening on (http:\/\/127\.0\.0\.1:\d+\/api\/v2)$/m, 30_000))[1]!;
    const balance = await fetch(`${url}/purchases/get-balance`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_cli_test', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await balance.json()).toBe(12.5);
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
    expect(running.stdout).toBe(`listening on ${url}\n`);
  });

  it('starts the InterServer sandbox and serves its WSDL', async () => {
    running = startCli(['sandbox', 'interserver', '--port', '0']);
    const url = (await running.waitFor(/^listening on (http:\/\/127\.0\.0\.1:\d+\/\S*\?wsdl)$/im, 30_000))[1]!;
    const wsdl = await fetch(url);
    expect(wsdl.status).toBe(200);
    expect(await wsdl.text()).toMatch(/api_buy_license/);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });

  it('exits 2 naming the choices when the vendor is missing or unknown', async () => {
    const none = await runCli(['sandbox']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: which sandbox\? cocalc or interserver/);
  });
});
