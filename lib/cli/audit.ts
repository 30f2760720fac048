import { escapeControls } from '../../lambdas/core/safe-text';
import { TARGET_USAGE } from './args';
import { runPurchaseCommand } from './purchase-command';
import { emit } from './output';
import { printAuditTrail } from './views';

/** `procure audit <purchaseId>`: the purchase's append-only audit trail, oldest first. */
export const summary = "a purchase's audit trail";

const USAGE = `usage: procure audit <purchaseId> [--api URL] [--data-dir DIR] [--json]

Prints the purchase's audit trail, oldest first (GET /purchases/{id}); --json includes every
entry's structured detail.
${TARGET_USAGE}`;

export function run(argv: string[]): Promise<number> {
  return runPurchaseCommand(USAGE, argv, (purchase, json) =>
    emit(json, purchase.audit, () => {
      console.log(escapeControls(`Audit trail of ${purchase.purchaseId} (status ${purchase.status ?? 'unknown'}):`));
      printAuditTrail(purchase.audit);
    }),
  );
}
