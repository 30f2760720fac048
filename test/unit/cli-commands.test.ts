import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, printUsage } from '../../lib/cli/commands';
import { runCli } from '../support/cli';

/** Every command answers --help and rejects unknown options the same way (run in this process). */
describe('the procure command table', () => {
  let out: string[];
  let err: string[];

  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const names = [
    'local',
    'demo',
    'submit',
    'quote',
    'list',
    'status',
    'audit',
    'licenses',
    'graph',
    'approve',
    'reject',
    'resolve',
    'resend',
    'sandbox',
    'doctor',
  ];

  it('has the operator commands, each with a one-line summary, all listed in the usage', async () => {
    expect(Object.keys(COMMANDS).sort()).toEqual([...names].sort());
    printUsage();
    const usage = out.join('\n');
    for (const name of names) {
      expect((await COMMANDS[name]!()).summary).toMatch(/^[a-z].{10,}$/);
      expect(usage).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  it.each(names)('`%s --help` prints its usage and exits 0', async (name) => {
    expect(await (await COMMANDS[name]!()).run(['--help'])).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`^usage: procure ${name}\\b`));
    expect(err).toEqual([]);
  });

  it.each(names.filter((n) => n !== 'sandbox'))('`%s --bogus` is a usage error: exit 2, the reason and the usage on stderr', async (name) => {
    expect(await (await COMMANDS[name]!()).run(['--bogus'])).toBe(2);
    expect(err.join('\n')).toMatch(new RegExp(`^error: Unknown option '--bogus'[\\s\\S]*usage: procure ${name}\\b`));
  });

  it('checks option values before doing anything', async () => {
    expect(await (await COMMANDS.local!()).run(['--port', 'x'])).toBe(2);
    expect(err.join('\n')).toMatch(/--port must be 0\.\.65535/);
    expect(await (await COMMANDS.licenses!()).run(['--vendor', 'acme', '--api', 'http://127.0.0.1:9'])).toBe(2);
    expect(err.join('\n')).toMatch(/--vendor must be one of cocalc, interserver, got "acme"/);
    expect(await (await COMMANDS.submit!()).run(['req.json', '--source', 'x'])).toBe(2);
    expect(err.join('\n')).toMatch(/--source and --bus go with --event/);
    expect(await (await COMMANDS.list!()).run(['--status', 'pending', '--api', 'http://127.0.0.1:9'])).toBe(2);
    expect(err.join('\n')).toMatch(/--status must be one of RECEIVED, .*, got "pending"/);
    expect(await (await COMMANDS.list!()).run(['--limit', '500', '--api', 'http://127.0.0.1:9'])).toBe(2);
    expect(err.join('\n')).toMatch(/--limit must be a whole number from 1 to 100, got "500"/);
    expect(await (await COMMANDS.list!()).run(['--all', '--next-token', 'x', '--api', 'http://127.0.0.1:9'])).toBe(2);
    expect(err.join('\n')).toMatch(/--all starts at the first page: drop --next-token/);
    expect(await (await COMMANDS.quote!()).run(['a.json', 'b.json'])).toBe(2);
    expect(err.join('\n')).toMatch(/unexpected argument: b\.json/);
    expect(await (await COMMANDS.graph!()).run(['--out', 'workflow.png'])).toBe(2);
    expect(err.join('\n')).toMatch(/--out must name a \.svg or \.html file, got "workflow\.png"/);
    expect(await (await COMMANDS.graph!()).run(['--purchase', 'pur-1\u001b[2J'])).toBe(2);
    expect(err.join('\n')).toMatch(/--purchase must be a purchase id like pur-<32 hex digits>, got "pur-1\\x1b\[2J"/);
    expect(await (await COMMANDS.sandbox!()).run(['acme'])).toBe(2);
    expect(err.join('\n')).toMatch(/unknown sandbox "acme": choose cocalc or interserver/);
  });

  it('approve refuses something that is not an approval link with exit 1', async () => {
    expect(await (await COMMANDS.approve!()).run(['http://127.0.0.1:9/approvals/x'])).toBe(1);
    expect(err.join('\n')).toMatch(/not an approval link: expected <base>\/approvals\/<id>\?sig=<signature>/);
  });
});

describe('bin/procure.cjs', () => {
  it('prints the usage for --help (exit 0) and refuses an unknown command (exit 2)', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: procure <command>/);
    expect(help.stdout).toMatch(/^ {2}demo\b/m);
    const unknown = await runCli(['buy-everything']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("procure: unknown command 'buy-everything'\n");
  });
});
