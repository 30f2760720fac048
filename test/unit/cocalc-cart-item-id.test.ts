import { describe, expect, it } from 'vitest';
import { cocalcItemId } from '../../lambdas/vendors/cocalc/core/cart-item-id';
import { cocalcLeftovers } from '../../lambdas/vendors/cocalc/core/leftovers';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';

/**
 * procure carries a held item id as number or string (core/held-item.ts); CoCalc takes only its own,
 * a whole number (cocalc-api-v2.md §4.1), and calls nothing with another vendor's kind of id.
 */
describe("CoCalc's cart item ids among the held item ids procure carries", () => {
  it.each([0, 7, 1000, 2 ** 31])('takes %s', (id) => {
    expect(cocalcItemId(id)).toBe(id);
  });

  it.each(['h-1', '1000', '', 1.5, -1, Number.NaN, 2 ** 53])('refuses %s', (id) => {
    expect(() => cocalcItemId(id)).toThrow(/is not a CoCalc cart item id/);
  });

  it('makes no cart call to take back an item whose id is not CoCalc’s', async () => {
    const calls: string[] = [];
    // Every gateway method records its call ('then' left out: the gateway is awaited).
    const gateway = new Proxy({} as CocalcGateway, { get: (_t, name) => (name === 'then' ? undefined : async () => void calls.push(String(name))) });
    await expect(cocalcLeftovers(async () => gateway).takeBack('h-5')).rejects.toThrow('"h-5" is not a CoCalc cart item id');
    expect(calls).toEqual([]);
  });
});
