import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import { tagDescription } from '../../lambdas/vendors/cocalc/core/cart-tag';
import { cocalcLeftovers } from '../../lambdas/vendors/cocalc/core/leftovers';
import { siteLicenseDescriptionSchema, type SiteLicenseDescription } from '../../lambdas/vendors/cocalc/core/license';
import { cocalcRequest } from '../support/requests';
import { cocalcGatewayFor } from '../support/workflow-harness';

/**
 * CoCalc's leftovers (vendors/cocalc/core/leftovers.ts) against the CoCalc sandbox over loopback:
 * what the reconciler is shown of the account's cart, and what a take-back finds. The account
 * owner's items are the ones that must never reach procure.
 */
const P = (n: number): string => `pur-${String(n).padStart(32, '0')}`;
const license: SiteLicenseDescription = siteLicenseDescriptionSchema.parse((cocalcRequest().item as { description: unknown }).description);

describe("CoCalc's leftovers", () => {
  let sandbox: CocalcSandbox;
  let gateway: CocalcGateway;
  beforeAll(async () => {
    sandbox = await startCocalcSandbox({ throttle: false });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    const { apiKey } = sandbox.addAccount({ balance: 1000 });
    gateway = cocalcGatewayFor(sandbox.url, apiKey);
  });
  const leftovers = () => cocalcLeftovers(async () => gateway);

  /** Buys exactly the item `id` (every other item unchecked first). */
  async function buy(id: number): Promise<void> {
    await gateway.setChecked(false);
    await gateway.setChecked(true, id);
    await gateway.checkout();
  }

  it("lists procure's tagged items only: never the owner's, nor an item whose tag is only part of a line", async () => {
    await gateway.addToCart(license);
    await gateway.addToCart({ ...license, description: 'my own license' });
    await gateway.addToCart({ ...license, description: `procure purchase ${P(1)} please` });
    const ours = await gateway.addToCart(tagDescription({ ...license, description: 'For the lab' }, P(2)));

    const items = await leftovers().list(0);

    expect(items).toEqual([{ vendor: 'cocalc', id: ours, purchaseId: P(2), added: expect.any(String), checked: expect.any(Boolean), setAside: false }]);
  });

  it('lists a tagged item bought since the given time as bought, once, and leaves out one bought before it', async () => {
    const bought = await gateway.addToCart(tagDescription(license, P(1)));
    await buy(bought);
    const open = await gateway.addToCart(tagDescription(license, P(2)));

    const recent = await leftovers().list(Date.now() - 60_000);
    const later = await leftovers().list(Date.now() + 60_000);

    const licenseId = (await gateway.getPurchasedItems()).find((i) => i.id === bought)?.purchased?.licenseId;
    expect(licenseId).toEqual(expect.any(String));
    expect(recent.map((i) => [i.id, i.purchaseId, i.bought?.licenseId]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [bought, P(1), licenseId],
      [open, P(2), undefined],
    ]);
    expect(later.map((i) => i.id)).toEqual([open]);
  });

  it('takes back an unbought item (deleted), then finds it gone; a bought one is reported bought, not deleted', async () => {
    const open = await gateway.addToCart(tagDescription(license, P(1)));
    const bought = await gateway.addToCart(tagDescription(license, P(2)));
    await buy(bought);

    expect(await leftovers().takeBack(open)).toEqual({ outcome: 'deleted' });
    expect(await leftovers().takeBack(open)).toEqual({ outcome: 'gone' });
    const fate = await leftovers().takeBack(bought);

    expect(fate).toMatchObject({ outcome: 'bought', item: { id: bought, licenseId: expect.any(String), time: expect.any(String) } });
    expect((await gateway.getPurchasedItems()).map((i) => i.id)).toContain(bought);
  });
});
