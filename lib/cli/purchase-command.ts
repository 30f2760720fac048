import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS } from './args';
import { ProcureApi, resolveApiTarget, type PurchaseView } from './api-client';

/** The body of a command that reads one purchase (`status`, `audit`): `<purchaseId>` plus the API target options. */
export function runPurchaseCommand(usage: string, argv: string[], show: (purchase: PurchaseView, json: boolean) => void): Promise<number> {
  return runCommand(usage, async () => {
    const { values, positionals } = parseCommandArgs(argv, TARGET_OPTIONS);
    if (values.help) {
      console.log(usage);
      return 0;
    }
    const [purchaseId] = expectPositionals(positionals, ['purchaseId']);
    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    show(await api.getPurchase(purchaseId!), values.json === true);
    return 0;
  });
}
