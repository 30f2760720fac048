/** The CLI's command table: name -> lazily required module, so `procure sandbox` never loads the AWS runtime. */
export interface CliCommand {
  summary: string;
  run(argv: string[]): Promise<number>;
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy CJS loading keeps start-up fast */
export const COMMANDS: Record<string, () => CliCommand> = {
  sandbox: () => require('./sandbox') as typeof import('./sandbox.js'),
};

export function printUsage(): void {
  console.log(`usage: procure <command> [options]    (procure <command> --help for details)

commands:
  sandbox cocalc|interserver   run a vendor sandbox on loopback`);
}
