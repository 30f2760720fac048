import { describe, expect, it } from 'vitest';
import { runInterserverSandboxCli } from '../../lib/local/sandboxes/interserver';

/** `procure sandbox interserver`: one output line, serves until stopped, usage errors exit 2. */
describe('runInterserverSandboxCli', () => {
  it('prints exactly one "listening on <wsdl url>" line and serves the options it was given', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    let announced!: () => void;
    const listening = new Promise<void>((r) => (announced = r));
    const exit = runInterserverSandboxCli(['--username', 'ops', '--password', 'pw-1', '--prepay', '42.5'], {
      signal: stop.signal,
      print: (line) => {
        lines.push(line);
        announced();
      },
    });
    await listening;
    const url = /^listening on (http:\/\/127\.0\.0\.1:\d+\/api\.php\?wsdl)$/.exec(lines[0] ?? '')?.[1];
    expect(url).toBeDefined();
    const wsdl = await (await fetch(url!)).text();
    const account = await (await fetch(new URL('/__admin/account', url!))).json();
    stop.abort();

    expect(await exit).toBe(0);
    expect(lines).toHaveLength(1);
    expect(wsdl).toContain(`<soap:address location="${url!.replace('?wsdl', '')}"/>`);
    expect(account).toMatchObject({ username: 'ops', prepay: 42.5 });
    await expect(fetch(url!)).rejects.toThrow(); // closed after the stop
  });

  it('prints usage for --help and exits 0', async () => {
    const lines: string[] = [];
    expect(await runInterserverSandboxCli(['--help'], { print: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).toContain('usage: procure sandbox interserver [--port N] [--username U] [--password P] [--prepay USD]');
  });

  it.each([[['--port', 'x']], [['--prepay', '-1']], [['--bogus']]])('exits 2 on a usage error: %j', async (argv) => {
    const original = console.error;
    console.error = () => undefined;
    try {
      expect(await runInterserverSandboxCli(argv, { print: () => undefined })).toBe(2);
    } finally {
      console.error = original;
    }
  });
});
