import { parseCommandArgs, parsePort, runCommand, untilStopped, UsageError } from '../../../cli/args';
import { SANDBOX_DEFAULTS, startInterserverSandbox } from './sandbox';

const USAGE = `usage: procure sandbox interserver [--port N] [--username U] [--password P] [--prepay USD]

Runs the InterServer SOAP sandbox on ${SANDBOX_DEFAULTS.host} until SIGINT/SIGTERM.
  --port N        port to listen on (default: a free port)
  --username U    account username (default: ${SANDBOX_DEFAULTS.username})
  --password P    account password (default: ${SANDBOX_DEFAULTS.password}; the API key ${SANDBOX_DEFAULTS.apiKey} also works)
  --prepay USD    PrePay balance of the licenses module (default: ${SANDBOX_DEFAULTS.prepay})`;

/** Test seams: stop without a signal, capture the output line. */
export interface SandboxCliIo {
  signal?: AbortSignal;
  print?: (line: string) => void;
}

/**
 * `procure sandbox interserver`: prints exactly one line, `listening on <wsdl url>`, then serves
 * until SIGINT/SIGTERM (or `io.signal`). Returns the exit code (2 on a usage error).
 */
export async function runInterserverSandboxCli(argv: string[], io: SandboxCliIo = {}): Promise<number> {
  const print = io.print ?? ((line: string) => console.log(line));
  return runCommand(USAGE, async () => {
    const { values } = parseCommandArgs(
      argv,
      { port: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' }, prepay: { type: 'string' } },
      false,
    );
    if (values.help) {
      print(USAGE);
      return 0;
    }
    const port = parsePort(values.port, 0, 'an integer 0-65535');
    const prepay = values.prepay === undefined ? undefined : Number(values.prepay);
    if (prepay !== undefined && !(prepay >= 0)) throw new UsageError(`--prepay must be a number >= 0, got "${values.prepay}"`);

    const sandbox = await startInterserverSandbox({ port, username: values.username, password: values.password, prepay });
    print(`listening on ${sandbox.url}`);
    await untilStopped(io.signal);
    await sandbox.close();
    return 0;
  });
}
