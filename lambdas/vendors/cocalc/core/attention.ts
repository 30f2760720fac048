import { recordedLicenseCheck, type AttentionFacts } from '../../../core/attention-facts';
import { CLEANUP_STEPS } from '../../../core/cleanup-steps';

/** What to check in a CoCalc account for a NEEDS_ATTENTION purchase, one sentence each: the cart item, the license its tag names, the charge. */
export function cocalcAttentionChecks(f: AttentionFacts): string[] {
  const tag = `"procure purchase ${f.purchaseId}"`;
  const checks: string[] = [];
  if (f.cartItemId !== undefined) {
    checks.push(
      `Shopping cart item ${f.cartItemId} (its description ends with the line ${tag}): is it still in the cart, ` +
        'and is it marked purchased? A purchased item names the license it created.',
    );
  }
  checks.push(...recordedLicenseCheck(f));
  checks.push(`The account's licenses (npx procure licenses --vendor cocalc): is there one created ${f.since} whose description ends with ${tag}?`);
  checks.push(`The account's purchases and balance: was there a charge${f.cost} ${f.since}?`);
  if (f.cleanupPending.includes(CLEANUP_STEPS.deleteCartItem) && f.cartItemId !== undefined) {
    checks.push(
      `procure could not delete cart item ${f.cartItemId}; the reconciler retries the delete. If the item is not purchased ` +
        'you may also delete it from the cart yourself.',
    );
  }
  return checks;
}
