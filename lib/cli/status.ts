import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE } from './args';
import { ProcureApi, resolveApiTarget } from './api-client';
import { emit } from './output';
import { printPurchase } from './views';

/** `procure status <purchaseId>`: GET /purchases/{id}, summarized. */
export const summary = "a purchase's status";

const USAGE = `usage: procure status <purchaseId> [--api URL] [--data-dir DIR] [--json]

Shows a purchase's status, amount, license and latest audit entry (GET /purchases/{id}).
${TARGET_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, TARGET_OPTIONS);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [purchaseId] = expectPositionals(positionals, ['purchaseId']);
    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    const purchase = await api.getPurchase(purchaseId!);
    emit(values.json === true, purchase, () => printPurchase(purchase));
    return 0;
  });
}
