import { UsageError, runCommand } from './args';

/**
 * `procure sandbox cocalc|interserver [...]`: one vendor sandbox on loopback, for trying the
 * vendor protocols by hand (curl, a SOAP client). Loads only that sandbox, not the AWS runtime.
 */
export const summary = 'run a vendor sandbox on loopback';

const USAGE = `usage: procure sandbox cocalc|interserver [options]    (procure sandbox <vendor> --help for its options)

Runs the CoCalc API v2 or the InterServer SOAP sandbox on 127.0.0.1 until Ctrl+C; prints
"listening on <url>" once it serves.`;

export async function run(argv: string[]): Promise<number> {
  const [vendor, ...rest] = argv;
  if (vendor === 'cocalc') {
    const { runCocalcSandboxCli } = await import('../local/sandboxes/cocalc/cli.js');
    return runCocalcSandboxCli(rest);
  }
  if (vendor === 'interserver') {
    const { runInterserverSandboxCli } = await import('../local/sandboxes/interserver/cli.js');
    return runInterserverSandboxCli(rest);
  }
  if (vendor === '--help' || vendor === '-h') {
    console.log(USAGE);
    return 0;
  }
  return runCommand(USAGE, async () => {
    throw new UsageError(vendor ? `unknown sandbox "${vendor}": choose cocalc or interserver` : 'which sandbox? cocalc or interserver');
  });
}
