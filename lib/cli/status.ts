import { TARGET_USAGE } from './args';
import { runPurchaseCommand } from './purchase-command';
import { emit } from './output';
import { printPurchase } from './views';

/** `procure status <purchaseId>`: GET /purchases/{id}, summarized. */
export const summary = "a purchase's status";

const USAGE = `usage: procure status <purchaseId> [--api URL] [--data-dir DIR] [--json]

Shows a purchase's status, amount, license and latest audit entry (GET /purchases/{id}).
${TARGET_USAGE}`;

export function run(argv: string[]): Promise<number> {
  return runPurchaseCommand(USAGE, argv, (purchase, json) => emit(json, purchase, () => printPurchase(purchase)));
}
