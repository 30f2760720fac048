import { parseCommandArgs, parsePort, runCommand, untilStopped, UsageError } from '../../../cli/args';
import { startCocalcSandbox } from './server';

/** The CLI's port when none is given. */
export const COCALC_SANDBOX_DEFAULT_PORT = 4100;

const USAGE = `usage: procure sandbox cocalc [--port N] [--api-key KEY] [--balance USD] [--partner] [--help]

Runs the CoCalc API v2 sandbox on 127.0.0.1 until SIGINT/SIGTERM.
  --port N         port to listen on (default ${COCALC_SANDBOX_DEFAULT_PORT}; 0 = any free port)
  --api-key KEY    the account's API key (default sk_TT9hr4nnotsiUXx0, as in the CoCalc doc)
  --balance USD    the account's starting balance (default 1000)
  --partner        make the account a partner (the legacy checkout then needs no reCaptcha)
Faults: POST /__admin/faults; balance/partner: POST /__admin/accounts.`;

/** Lets tests capture the output and stop the server without signals. */
export interface CocalcSandboxCliIo {
  /** Where the "listening on <url>" line goes. @default stdout */
  out?: (line: string) => void;
  /** Stops serving when it settles. @default the first SIGINT or SIGTERM */
  stop?: Promise<unknown>;
}

/**
 * `procure sandbox cocalc [...]`: starts the sandbox, prints exactly one line
 * `listening on <url>`, serves until stopped, and returns the exit code.
 */
export async function runCocalcSandboxCli(argv: string[], io: CocalcSandboxCliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  return runCommand(USAGE, async () => {
    const { values } = parseCommandArgs(
      argv,
      { port: { type: 'string' }, 'api-key': { type: 'string' }, balance: { type: 'string' }, partner: { type: 'boolean' } },
      false,
    );
    if (values.help) {
      out(USAGE);
      return 0;
    }
    const port = parsePort(values.port, COCALC_SANDBOX_DEFAULT_PORT);
    const balance = values.balance === undefined ? undefined : Number(values.balance);
    if (balance !== undefined && !Number.isFinite(balance)) throw new UsageError(`--balance must be a number, got "${values.balance}"`);
    if (values['api-key'] === '') throw new UsageError('--api-key must not be empty');

    const sandbox = await startCocalcSandbox({ port, apiKey: values['api-key'], balance, partner: values.partner });
    out(`listening on ${sandbox.url}`);
    await (io.stop ?? untilStopped());
    await sandbox.close();
    return 0;
  });
}
