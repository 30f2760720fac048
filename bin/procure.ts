/**
 * procure operator CLI. Each command lives in lib/cli/<command>.ts and exports
 * `run(argv): Promise<number>` (the exit code) plus a one-line `summary`.
 */
import { COMMANDS, printUsage } from '../lib/cli/commands';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printUsage();
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`procure: unknown command '${name}'`);
    printUsage();
    return 2;
  }
  const cmd = await load();
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`procure: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
