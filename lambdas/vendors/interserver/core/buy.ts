import type { InterserverPaymentPolicy } from './payment-policy';
import { AUDIT } from '../../../core/audit-kinds';
import { InvalidRequestError, LicenseNotFoundError, PurchaseOutcomeUnknownError, VendorTransientError } from '../../../core/errors';
import { BuyOutcomeUnknownError, InvalidLicenseTypeError } from './errors';
import { licenseOfInvoice } from './invoice-license';
import {
  BUY_STARTED,
  decideBuyEntry,
  decideUnfoundEarlierBuy,
  earlierBuysIn,
  invoicesOfLicense,
  withinApproved,
  meaningOfBuyError,
  newLicenseAmong,
  usePrepayFor,
  type EarlierBuys,
} from './buy-rules';
import { isLiveInterserverLicense } from './license-view';
import { lockLeaseMs, type InvocationClock } from '../../../core/locks';
import { BUY_RECHECK_HOLD_MS, interserverLicenseLock } from './license-lock';
import { formatUsd } from '../../../core/money';
import type { MoneyStepDeps } from '../../../core/money-step';
import type { InterserverBuyResult, InterserverGateway, InterserverInvoice, InterserverLicense } from './ports';
import { parsePurchaseRequest } from '../../../core/purchase-request';
import { recordStep } from '../../../core/purchase-journal';
import { quoteMismatchError } from '../../../core/quote-mismatch';
import type { PurchaseResult, PurchaseStatus, Quote, WorkflowState } from '../../../core/workflow';

/** What BuyLicense needs. */
export interface InterserverBuyDeps extends MoneyStepDeps {
  interserver: () => Promise<InterserverGateway>;
  paymentPolicy: InterserverPaymentPolicy;
}

const READ_ATTEMPTS = 3;

/** Before any buy of this purchase: nothing to settle. */
const NO_EARLIER_BUYS: EarlierBuys = { snapshot: undefined, buys: 0 };

/**
 * BuyLicense (InterServer): `api_buy_license*` per INTERSERVER_PAYMENT_POLICY — `leave-unpaid`
 * (prepay variant with use_prepay=false: the invoice stays unpaid), `prepay-only` (use_prepay=true:
 * paid from PrePay or refused), `pay-now` (plain buy, which uses PrePay when it covers the cost,
 * then api_make_payment for an invoice left open).
 *
 * The buy answers an invoice, not a license id, and may fail with an unknown outcome, so under a
 * lock per IP and type: before buying, the live licenses for that pair are written to the audit
 * trail; afterwards (or, after a timeout, when the state machine runs this step again: the buy
 * throws BuyOutcomeUnknownError and keeps the lock, so nothing sleeps in the Lambda; or after
 * "already licensed" following a timeout) the license is the live one for that pair that was not
 * there before. Found -> success; provably absent -> one more buy (the vendor's duplicate rule
 * would refuse a second live license anyway); unreadable -> PurchaseOutcomeUnknownError. Idempotent: a recorded license is returned (and, for
 * pay-now, its open invoice paid) instead of buying again. A buy that answered an invoice finds its
 * license through that invoice (invoice-license.ts), not the list. The snapshot
 * before buying still lists every license: the API has no per-IP lookup (interserver-soap.md §2),
 * and after an unknown outcome only the snapshot tells a license live before from one just bought.
 * The decisions are in buy-rules.ts.
 */
export async function buyInterserverLicense(deps: InterserverBuyDeps, state: WorkflowState, context?: InvocationClock): Promise<PurchaseResult> {
  const request = parsePurchaseRequest(state.request);
  if (request.vendor !== 'interserver') throw new InvalidRequestError(`BuyLicense is for InterServer purchases, not ${request.vendor}`);
  const quote = state.quote;
  if (quote?.interserverTypeId === undefined) throw new Error('BuyLicense needs $.quote with an InterServer type');
  // Defence in depth: the machine routes only approved purchases here.
  if (state.approval?.decision !== 'APPROVED') throw new Error(`BuyLicense of ${state.purchaseId} without an approval`);
  // ...and never trusts it: the approval record (or the auto-approve policy) must prove it.
  await deps.verifyApproval(state);

  const gateway = await deps.interserver();
  const lock = interserverLicenseLock(request.item.ip, quote.interserverTypeId);
  // After a buy of unknown outcome the lock is kept for the run that comes back to settle it.
  const holdLock = () => deps.locks.hold(lock, state.purchaseId, lockLeaseMs(context) + BUY_RECHECK_HOLD_MS);
  const run = new BuyRun(deps, gateway, state.purchaseId, quote, quote.interserverTypeId, request.item.ip, request.item.coupon, holdLock);
  return deps.locks.withLock(lock, state.purchaseId, lockLeaseMs(context), () => run.run());
}

/** One invocation's purchase of one license, under the IP+type lock. */
class BuyRun {
  constructor(
    private readonly deps: InterserverBuyDeps,
    private readonly gateway: InterserverGateway,
    private readonly purchaseId: string,
    private readonly quote: Quote,
    private readonly typeId: number,
    private readonly ip: string,
    private readonly coupon: string | undefined,
    private readonly holdLock: () => Promise<void>,
  ) {}

  async run(): Promise<PurchaseResult> {
    const record = await this.deps.purchases.get(this.purchaseId);
    const earlier = record?.licenseId ? NO_EARLIER_BUYS : earlierBuysIn(await this.deps.audit.list(this.purchaseId));
    const entry = decideBuyEntry(record, earlier);
    if (entry.kind === 'recorded') return this.conclude(entry.licenseId, { invoice: record?.invoice, reconciled: false, recorded: true });
    if (entry.kind === 'settle-earlier') {
      const found = await this.settleEarlier(entry.snapshot, undefined, entry.lastBuy);
      if (found) return this.conclude(found.id, { invoice: record?.invoice, reconciled: true });
      const next = decideUnfoundEarlierBuy(record, earlier);
      if (next.kind === 'invoice-unlisted') throw new LicenseNotFoundError(`InterServer invoice ${next.invoice} was created but its license is not listed yet`);
      if (next.kind === 'may-still-land')
        throw this.unknown(`${next.buys} buys had unknown outcomes and no license is listed yet; the last one may still land`);
    }
    await this.checkPrice();
    return this.buy(earlier.snapshot, earlier.buys + 1);
  }

  /**
   * One buy (attempt `attempt` of this purchase). `earlier`: the snapshot of an earlier
   * invocation's buy, which may still land late, so then "already licensed" is reconciled against
   * it rather than taken as a refusal. A buy of unknown outcome is not looked into here: the lock
   * is kept and BuyOutcomeUnknownError hands the wait to the state machine, after which this step
   * runs again and settles it first (`run`).
   */
  private async buy(earlier: number[] | undefined, attempt: number): Promise<PurchaseResult> {
    const liveBefore = (await this.listLive()).map((l) => l.id);
    // The first attempt's snapshot: a late-landing first buy is found by a later reconciliation too.
    const baseline = earlier ?? liveBefore;
    await this.step('PURCHASING', `Buying InterServer license type ${this.typeId} for ${this.ip} (attempt ${attempt})`, {
      ...BUY_STARTED,
      attempt,
      policy: this.deps.paymentPolicy,
      liveBefore,
    });
    let bought: InterserverBuyResult;
    try {
      bought = await this.gateway.buyLicense({ ip: this.ip, type: this.typeId, coupon: this.coupon, usePrepay: usePrepayFor(this.deps.paymentPolicy) });
    } catch (err) {
      const meaning = meaningOfBuyError(err, earlier !== undefined);
      if (meaning === 'reconcile') {
        const found = await this.reconcile(err as Error, baseline);
        if (found) return this.conclude(found.id, { reconciled: true });
        throw this.unknown(`the vendor says ${this.ip} is already licensed, but no new live license of type ${this.typeId} is listed`);
      }
      if (meaning === 'refused') {
        await this.step('APPROVED', `Buy refused: ${(err as Error).message}`, { operation: 'buy', outcome: 'refused', error: (err as Error).name });
        throw err;
      }
      const e = err as VendorTransientError;
      await this.step('PURCHASING', `Buy outcome unknown (${e.message}); the workflow looks again shortly`, {
        operation: 'buy',
        outcome: 'unknown',
        error: e.name,
      });
      await this.holdLock();
      throw new BuyOutcomeUnknownError(`InterServer buy of type ${this.typeId} for ${this.ip} has an unknown outcome: ${e.message}`);
    }
    // Record the invoice first: from here on, a retry must find this license, never buy again.
    await recordStep(
      this.deps,
      this.purchaseId,
      {
        type: 'VENDOR_CALL',
        status: 'PURCHASING',
        message: `Bought: invoice ${bought.invoice}, ${formatUsd(bought.cost)}${bought.paidWithPrepay ? ', paid with PrePay' : ''}`,
        detail: { operation: 'buy', outcome: 'ok', invoice: bought.invoice, costUsd: bought.cost, paidWithPrepay: bought.paidWithPrepay },
      },
      { invoice: bought.invoice },
    );
    // The invoice names the license (no listing); only a PrePay-paid buy (invoice 0) needs the list.
    const byInvoice = await licenseOfInvoice(this.gateway, bought.invoice, { ip: this.ip, type: this.typeId });
    const license = byInvoice.license ?? (await this.findNew(baseline));
    if (!license) throw new LicenseNotFoundError(`InterServer invoice ${bought.invoice} was created but its license is not listed yet`);
    return this.conclude(license.id, { invoice: bought.invoice, bought, reconciled: false, unpaid: byInvoice.unpaid });
  }

  /** The catalog price must not have risen above the approved quote since quoting. */
  private async checkPrice(): Promise<void> {
    const type = (await this.gateway.getLicenseTypes()).find((t) => t.id === this.typeId);
    if (!type) throw new InvalidLicenseTypeError(`InterServer license type ${this.typeId} is no longer in the catalog`);
    if (withinApproved(type.cost, this.quote.amountUsd)) return;
    await this.step('APPROVED', `Not buying: the catalog price ${formatUsd(type.cost)} is above the approved ${formatUsd(this.quote.amountUsd)}`, {
      operation: 'price-check',
      vendorTotalUsd: type.cost,
      approvedUsd: this.quote.amountUsd,
    });
    throw quoteMismatchError(type.cost, this.quote.amountUsd, 'the InterServer catalog price rose after the quote');
  }

  /** "Already licensed" after an earlier buy of unknown outcome: is the live license that buy's? */
  private async reconcile(err: Error, liveBefore: number[]): Promise<InterserverLicense | undefined> {
    await this.step('PURCHASING', `Buy outcome unknown (${err.message}); reconciling`, { operation: 'buy', outcome: 'unknown', error: err.name });
    return this.settleEarlier(liveBefore, err);
  }

  /**
   * Settles an earlier buy of unknown outcome by listing: the new live license for this IP and type,
   * or proof that none was bought (status back to APPROVED). A listing that fails leaves it unknown.
   */
  private async settleEarlier(liveBefore: number[], cause?: Error, lastBuy = false): Promise<InterserverLicense | undefined> {
    let found: InterserverLicense | undefined;
    try {
      found = await this.findNew(liveBefore);
    } catch (readErr) {
      const what = cause ? `the buy failed (${cause.message})` : 'an earlier buy has an unknown outcome';
      throw this.unknown(`${what} and the licenses could not be listed (${(readErr as Error).message})`);
    }
    if (!found && lastBuy) {
      // No buy follows this one, so nothing proves it will not land later: the status stays PURCHASING.
      await this.step('PURCHASING', 'No license listed yet after the last buy of unknown outcome', { operation: 'reconcile', outcome: 'unknown' });
      return undefined;
    }
    // Proven not bought: back to APPROVED, so a failure from here on is not taken for a possible purchase.
    await this.step(found ? 'PURCHASING' : 'APPROVED', found ? `Reconciled: license ${found.id} was bought` : 'Reconciled: nothing was bought', {
      operation: 'reconcile',
      outcome: found ? 'bought' : 'not-bought',
      ...(found ? { licenseId: found.id } : {}),
    });
    return found;
  }

  /**
   * Records the license, pays it when the policy says so, and builds the result. The license id is
   * recorded BEFORE paying: a failed payment then leaves a purchase that is known to exist.
   */
  private async conclude(
    licenseId: number,
    opts: { invoice?: number; bought?: InterserverBuyResult; reconciled: boolean; recorded?: boolean; unpaid?: InterserverInvoice[] },
  ): Promise<PurchaseResult> {
    if (!opts.recorded) {
      await recordStep(
        this.deps,
        this.purchaseId,
        {
          type: 'PURCHASED',
          status: 'PURCHASED',
          message: `InterServer license ${licenseId} for ${this.ip}${opts.reconciled ? ' (established by reconciliation)' : ''}`,
          detail: {
            licenseId,
            invoice: opts.invoice ?? null,
            costUsd: opts.bought?.cost ?? null,
            reconciled: opts.reconciled,
            policy: this.deps.paymentPolicy,
          },
        },
        { licenseId: String(licenseId), ...(opts.invoice !== undefined ? { invoice: opts.invoice } : {}) },
      );
    }
    const { open, toPay, paid } = invoicesOfLicense(this.deps.paymentPolicy, licenseId, opts.unpaid ?? (await this.gateway.getUnpaidInvoices()));
    for (const inv of toPay) await this.pay(inv.id, inv.amount);
    const invoice = opts.invoice ?? open[0]?.id;
    return {
      vendor: 'interserver',
      amountUsd: opts.bought?.cost ?? this.quote.amountUsd,
      licenseId: String(licenseId),
      ...(invoice !== undefined ? { invoice } : {}),
      paid,
      reconciled: opts.reconciled,
    };
  }

  /** Pays one invoice, never above the approved amount; a payment of unknown outcome is checked. */
  private async pay(invoice: number, amountUsd: number): Promise<void> {
    if (!withinApproved(amountUsd, this.quote.amountUsd)) {
      throw quoteMismatchError(amountUsd, this.quote.amountUsd, `InterServer invoice ${invoice} is above the approved amount; not paying it`);
    }
    try {
      await this.gateway.makePayment(invoice);
    } catch (err) {
      if (!(err instanceof VendorTransientError)) throw err;
      const stillOpen = (await this.gateway.getUnpaidInvoices()).some((i) => i.id === invoice && !i.paid);
      if (stillOpen) throw err; // provably unpaid: the machine's retry pays it (it checks first)
    }
    await this.step('PURCHASED', `Paid InterServer invoice ${invoice} (${formatUsd(amountUsd)})`, { operation: 'makePayment', invoice, outcome: 'ok' });
  }

  /** The newest live license for this IP and type that was not live before the buy. */
  private async findNew(liveBefore: readonly number[] | undefined): Promise<InterserverLicense | undefined> {
    return newLicenseAmong(await this.listLive(), liveBefore);
  }

  private async listLive(): Promise<InterserverLicense[]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const all = await this.gateway.listLicenses();
        return all.filter((l) => l.ip === this.ip && l.type === this.typeId && isLiveInterserverLicense(l));
      } catch (err) {
        if (!(err instanceof VendorTransientError) || attempt >= READ_ATTEMPTS) throw err;
      }
    }
  }

  private unknown(message: string): PurchaseOutcomeUnknownError {
    return new PurchaseOutcomeUnknownError(`InterServer purchase of type ${this.typeId} for ${this.ip} may have happened: ${message}`);
  }

  private step(status: PurchaseStatus, message: string, detail: Record<string, unknown>): Promise<void> {
    return recordStep(this.deps, this.purchaseId, { type: AUDIT.vendorCall, status, message, detail: { ip: this.ip, type: this.typeId, ...detail } });
  }
}
