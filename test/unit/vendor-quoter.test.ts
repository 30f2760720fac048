import { describe, expect, it } from 'vitest';
import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { InvalidRequestError } from '../../lambdas/core/errors';
import { PriceSourceUnavailableError, quoteRequest } from '../../lambdas/core/quote-purchase';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import { priceRequest, type QuotersByVendor } from '../../lambdas/core/vendor-quoter';
import type { Vendor } from '../../lambdas/core/vendor-names';
import { cocalcRequest, interserverRequest } from '../support/requests';

/** Quoters that record who was asked and answer (or throw) what each test says. Pure: no vendor. */
function quoters(answer: (vendor: Vendor) => Promise<{ amountUsd: number; summary: string }>) {
  const asked: Vendor[] = [];
  const quoter = <V extends Vendor>(vendor: V) => ({
    vendor,
    price: async () => {
      asked.push(vendor);
      return answer(vendor);
    },
  });
  const all: QuotersByVendor = { cocalc: quoter('cocalc'), interserver: quoter('interserver') };
  return { all, asked };
}

const spendGuard = { remaining: async () => ({ capUsd: 100, reservedUsd: 0, remainingUsd: 100 }) };
const policy = autoApprovePolicy(10, ['boss@example.com']);

describe('vendor quoters (core/vendor-quoter.ts)', () => {
  it("prices a request with its own vendor's quoter only", async () => {
    const { all, asked } = quoters(async (v) => ({ amountUsd: v === 'cocalc' ? 1 : 2, summary: v }));
    expect(await priceRequest(all, parsePurchaseRequest(interserverRequest()))).toEqual({ amountUsd: 2, summary: 'interserver' });
    expect(await priceRequest(all, parsePurchaseRequest(cocalcRequest()))).toEqual({ amountUsd: 1, summary: 'cocalc' });
    expect(asked).toEqual(['interserver', 'cocalc']);
  });

  it("refuses a quoter wired under another vendor's name instead of pricing with it", async () => {
    const { all, asked } = quoters(async () => ({ amountUsd: 1, summary: 'x' }));
    const miswired = { ...all, cocalc: all.interserver } as unknown as QuotersByVendor;
    await expect(priceRequest(miswired, parsePurchaseRequest(cocalcRequest()))).rejects.toThrow('no quoter of cocalc is wired (found interserver)');
    expect(asked).toEqual([]);
  });

  it("POST /quotes: a quoter's failure to read prices becomes PriceSourceUnavailableError naming the source, logged, not the vendor's error", async () => {
    const logged: string[] = [];
    const log = { error: (message: string) => void logged.push(message) };
    const { all } = quoters(async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.1:443');
    });
    const err = await quoteRequest({ quoters: all, spendGuard, policy, log }, interserverRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PriceSourceUnavailableError);
    expect((err as Error).message).toBe("could not read InterServer's catalog price; try again later");
    expect(logged).toEqual(["reading InterServer's catalog price failed"]);
  });

  it('POST /quotes: a request the quoter refuses stays an InvalidRequestError with its issues', async () => {
    const { all } = quoters(async () => {
      throw new InvalidRequestError('invalid purchase request: item.x: no', ['item.x: no']);
    });
    const log = { error: () => undefined };
    const err = await quoteRequest({ quoters: all, spendGuard, policy, log }, cocalcRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).issues).toEqual(['item.x: no']);
  });
});
