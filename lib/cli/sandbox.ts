import { sandboxCommands } from '../local/procure/sandboxes';
import { UsageError, runCommand } from './args';

/**
 * `procure sandbox <vendor> [...]`: one vendor sandbox on loopback, for trying the vendor protocols
 * by hand (curl, a SOAP client). Loads only that sandbox, not the AWS runtime. The vendors are
 * those whose sandbox part (lambdas/vendors/<vendor>/sandbox.ts) has a command.
 */
export const summary = 'run a vendor sandbox on loopback';

const COMMANDS = sandboxCommands();
const NAMES = COMMANDS.map((c) => c.vendor).join('|');
const CHOICES = COMMANDS.map((c) => c.vendor).join(' or ');

const USAGE = `usage: procure sandbox ${NAMES} [options]    (procure sandbox <vendor> --help for its options)

Runs the ${COMMANDS.map((c) => c.label).join(' or the ')} sandbox on 127.0.0.1 until Ctrl+C; prints
"listening on <url>" once it serves.`;

export async function run(argv: string[]): Promise<number> {
  const [vendor, ...rest] = argv;
  const command = COMMANDS.find((c) => c.vendor === vendor);
  if (command) return command.run(rest);
  if (vendor === '--help' || vendor === '-h') {
    console.log(USAGE);
    return 0;
  }
  return runCommand(USAGE, async () => {
    throw new UsageError(vendor ? `unknown sandbox "${vendor}": choose ${CHOICES}` : `which sandbox? ${CHOICES}`);
  });
}
