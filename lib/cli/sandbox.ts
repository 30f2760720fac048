/** `procure sandbox cocalc|interserver [...]`: placeholder until the sandboxes land (issue #2). */
export const summary = 'run a vendor sandbox on loopback';
export async function run(_argv: string[]): Promise<number> {
  console.error('procure sandbox: not available yet');
  return 1;
}
