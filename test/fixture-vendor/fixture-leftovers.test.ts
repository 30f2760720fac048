import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendorRejectedError } from '../../lambdas/core/errors';
import { startFixtureVendorSandbox, type FixtureVendorSandbox } from '../fixtures/sandboxes/fixturevendor/server';
import { createFixtureGateway } from '../fixtures/vendors/fixturevendor/adapters/http-gateway';
import { fixtureLeftovers } from '../fixtures/vendors/fixturevendor/core/leftovers';
import type { FixtureGateway } from '../fixtures/vendors/fixturevendor/core/ports';

/**
 * The Fixture Vendor's leftovers (its holds) against its sandbox over loopback: what a take-back
 * finds, what the reconciler is shown, and that what was taken back can no longer be bought
 * (core/vendor-leftovers.ts's contract).
 */
const P = (n: number): string => `pur-${String(n).padStart(32, '0')}`;

describe("the Fixture Vendor's leftovers", () => {
  let sandbox: FixtureVendorSandbox;
  let gateway: FixtureGateway;
  beforeAll(async () => {
    sandbox = await startFixtureVendorSandbox({ token: 't' });
    gateway = createFixtureGateway({ baseUrl: sandbox.url, token: 't' });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  const leftovers = () => fixtureLeftovers(async () => gateway);

  it('releases an open hold, then finds it gone, and nothing can be held or ordered for its key any more', async () => {
    const holdId = await gateway.hold(P(1), 'team', 2);
    expect(await gateway.hold(P(1), 'team', 2)).toBe(holdId); // the same key, the same hold

    expect(await leftovers().takeBack(holdId)).toEqual({ outcome: 'deleted' });
    expect(await leftovers().takeBack(holdId)).toEqual({ outcome: 'gone' });
    await expect(gateway.order(P(1), 'team', 2, 100, holdId)).rejects.toThrow(VendorRejectedError);
    await expect(gateway.order(P(1), 'team', 2, 100)).rejects.toThrow('HTTP 409: the hold of this key was released');
    await expect(gateway.hold(P(1), 'team', 2)).rejects.toThrow(VendorRejectedError);
    expect(sandbox.orders.filter((o) => o.key === P(1))).toEqual([]);
  });

  it('reports an ordered hold bought, with its license, and does not release it', async () => {
    const holdId = await gateway.hold(P(2), 'team', 1);
    const { licenseId } = await gateway.order(P(2), 'team', 1, 100, holdId);

    expect(await leftovers().takeBack(holdId)).toMatchObject({ outcome: 'bought', item: { id: holdId, licenseId } });
    expect(sandbox.holds.filter((h) => h.key === P(2))).toMatchObject([{ licenseId }]);
  });

  it("lists each purchase's holds, the ordered ones only when ordered since the time given", async () => {
    const open = await gateway.hold(P(3), 'enterprise', 5);
    const ordered = await gateway.hold(P(4), 'team', 1);
    await gateway.order(P(4), 'team', 1, 100, ordered);

    const recent = await leftovers().list(Date.now() - 60_000);
    const later = await leftovers().list(Date.now() + 60_000);

    expect(recent.filter((i) => i.id === open || i.id === ordered)).toEqual([
      { vendor: 'fixturevendor', id: open, purchaseId: P(3), added: expect.any(String), checked: false, setAside: false },
      expect.objectContaining({ id: ordered, purchaseId: P(4), bought: expect.objectContaining({ id: ordered, licenseId: expect.any(String) }) }),
    ]);
    expect(later.map((i) => i.id)).toContain(open);
    expect(later.map((i) => i.id)).not.toContain(ordered);
  });

  it('refuses an order that names a hold of another purchase', async () => {
    const theirs = await gateway.hold(P(5), 'team', 1);
    await expect(gateway.order(P(6), 'team', 1, 100, theirs)).rejects.toThrow('HTTP 409: no open hold of this key has that id');
  });
});
