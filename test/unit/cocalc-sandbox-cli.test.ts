import { describe, expect, it } from 'vitest';
import { runCocalcSandboxCli } from '../../lib/local/sandboxes/cocalc';

describe('runCocalcSandboxCli', () => {
  it('prints exactly one "listening on <url>" line, serves with the given options, and stops', async () => {
    const lines: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const exit = runCocalcSandboxCli(['--port', '0', '--api-key', 'sk_cli_key', '--balance', '42.5', '--partner'], {
      out: (line) => {
        lines.push(line);
        listening();
      },
      stop: stopped,
    });
    await ready;
    expect(lines).toHaveLength(1);
    const url = /^listening on (http:\/\/127\.0\.0\.1:\d+\/api\/v2)$/.exec(lines[0]!)?.[1];
    expect(url).toBeDefined();
    const balance = await fetch(`${url}/purchases/get-balance`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_cli_key', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await balance.json()).toBe(42.5);
    const checkout = await fetch(`${url}/shopping/cart/checkout`, { headers: { authorization: 'Bearer sk_cli_key' } });
    expect(await checkout.json()).toEqual({ success: true }); // a partner needs no reCaptcha
    stop();
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/purchases/get-balance`)).rejects.toThrow();
    expect(lines).toHaveLength(1);
  });

  it('prints the usage for --help and exits 0 without serving', async () => {
    const lines: string[] = [];
    expect(await runCocalcSandboxCli(['--help'], { out: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).toMatch(/^usage: procure sandbox cocalc \[--port N\] \[--api-key KEY\] \[--balance USD\] \[--partner\]/);
  });

  it('exits 2 on a bad option or value', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), stop: Promise.resolve() };
    expect(await runCocalcSandboxCli(['--port', 'x'], io)).toBe(2);
    expect(await runCocalcSandboxCli(['--balance', 'lots'], io)).toBe(2);
    expect(await runCocalcSandboxCli(['--colour'], io)).toBe(2);
    expect(lines).toEqual([]);
  });
});
