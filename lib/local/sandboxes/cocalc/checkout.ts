import { listItems } from './cart';
import { ALLOWED_SLACK, getChargeAmount, insufficientCreditMessage } from './charge-amount';
import { ANONYMOUS, requireAccount, type EndpointContext } from './endpoint';
import type { LicenseCost } from './license-cost';
import { createLicense, purchaseInfo } from './licenses';
import { priceCashVoucher, priceSiteLicense, sanityCheckSiteLicense } from './purchase-checks';
import { toCents, type SandboxAccount, type SandboxCartItem, type SandboxLicense, type SandboxPurchase, type SandboxSubscription } from './state';

/** Checkout and balance endpoints (cocalc-api-v2.md §4.6, §4.7). */

interface CheckoutLine {
  item: SandboxCartItem;
  cost: LicenseCost;
}

/** POST purchases/get-shopping-cart-checkout-params. */
export function getCheckoutParams(ctx: EndpointContext): Record<string, unknown> {
  return checkoutParams(requireAccount(ctx, ANONYMOUS.purchases), ctx).params;
}

/** POST purchases/get-balance: a bare number. */
export function getBalance(ctx: EndpointContext): number {
  return requireAccount(ctx, ANONYMOUS.purchases).balance;
}

/** POST purchases/shopping-cart-checkout: paid from the balance; no body, captcha or partner check (§4.7). */
export function shoppingCartCheckout(ctx: EndpointContext): { success: true } {
  purchaseCart(ctx, requireAccount(ctx, ANONYMOUS.purchases));
  return { success: true };
}

/**
 * The old `shopping/cart/checkout` (deleted upstream 2024-11-08, §4.6), emulated for the 2023 doc.
 * The real one charged the stripe card on file. The sandbox has no card, so after the captcha /
 * partner gate it buys exactly like the current checkout, from the balance and with the same rule:
 * an "Insufficient credit" error stands in for a declined card.
 */
export function legacyCheckout(ctx: EndpointContext): { success: true } {
  const account = requireAccount(ctx, ANONYMOUS.legacyCheckout);
  const token = ctx.params.reCaptchaToken;
  // recaptcha.ts runs for non-partners whenever the server has a reCaptcha secret; the sandbox
  // accepts any non-empty token (it cannot score humans).
  if (!account.partner && ctx.captcha && !(typeof token === 'string' && token !== '')) {
    throw new Error('reCaptcha token must be provided');
  }
  const checked = listItems(account, { purchased: false, removed: false }, ctx.now).filter((i) => i.checked === true);
  if (checked.some((i) => i.product !== 'site-license')) {
    throw new Error("only the 'site-license' product is currently implemented");
  }
  purchaseCart(ctx, account);
  return { success: true };
}

function checkoutParams(
  account: SandboxAccount,
  { now, state }: Pick<EndpointContext, 'now' | 'state'>,
): { lines: CheckoutLine[]; params: Record<string, unknown> } {
  // Current, checked items of the two products the store sells; anything else is ignored.
  const lines = listItems(account, { purchased: false, removed: false }, now)
    .filter((item) => item.checked === true && (item.product === 'site-license' || item.product === 'cash-voucher'))
    .map((item) => ({
      item,
      cost:
        item.product === 'site-license' ? repriced(priceSiteLicense(item.description), state.siteLicensePriceChangeUsd) : priceCashVoucher(item.description),
    }));
  // Σ lineItemAmount, exactly in cents (§4.7).
  const total = lines.reduce((cents, line) => cents + toCents(line.cost.lineItemAmount), 0) / 100;
  const charge = getChargeAmount({ total, balance: account.balance, minBalance: account.minBalance, minPayment: account.minPayment });
  return {
    lines,
    params: {
      balance: account.balance,
      minPayment: account.minPayment,
      minBalance: account.minBalance,
      amountDue: charge.amountDue,
      chargeAmount: charge.chargeAmount,
      total,
      minimumPaymentCharge: charge.minimumPaymentCharge,
      cureAmount: charge.cureAmount,
      cart: lines.map(({ item, cost }) => ({ ...item, cost: costRecord(item, cost, account), lineItemAmount: cost.lineItemAmount })),
    },
  };
}

interface StagedPurchase {
  item: SandboxCartItem;
  purchased: NonNullable<SandboxCartItem['purchased']>;
  purchase: SandboxPurchase;
  license?: SandboxLicense;
  subscription?: SandboxSubscription;
}

/**
 * The balance rule, then every line in ONE transaction (§4.7): all lines are checked and prepared
 * before anything changes, so any error leaves the account exactly as it was.
 */
function purchaseCart(ctx: EndpointContext, account: SandboxAccount): void {
  const { lines, params } = checkoutParams(account, ctx);
  if ((params.amountDue as number) > ALLOWED_SLACK) throw new Error(insufficientCreditMessage(params.chargeAmount as number));
  const staged = lines.map((line) => stageLine(ctx, account, line));
  for (const s of staged) {
    if (s.license) account.licenses.push(s.license);
    if (s.subscription) account.subscriptions.push(s.subscription);
    account.purchases.push(s.purchase);
    s.item.purchased = s.purchased;
  }
  const spent = staged.reduce((cents, s) => cents + toCents(s.purchase.cost), 0);
  account.balance = (toCents(account.balance) - spent) / 100;
}

function stageLine(ctx: EndpointContext, account: SandboxAccount, { item, cost }: CheckoutLine): StagedPurchase {
  const time = ctx.now.toISOString();
  // Ids are taken even if the transaction fails, like the vendor's sequences.
  const purchaseId = ctx.state.takeRowId();
  if (item.product === 'cash-voucher') {
    return {
      item,
      purchased: { ...item.purchased, success: true, time, voucher_id: ctx.state.takeRowId() },
      purchase: { id: purchaseId, time, service: 'voucher', cost: cost.lineItemAmount, tag: 'cash-voucher' },
    };
  }
  const d = item.description as Record<string, unknown>;
  sanityCheckSiteLicense(d);
  const license = createLicense(account, d, ctx.now);
  // A project_id would get the license attached (best effort, §4.7); the sandbox has no projects.
  const staged: StagedPurchase = {
    item,
    license,
    purchased: { ...item.purchased, success: true, time, license_id: license.id },
    purchase: {
      id: purchaseId,
      time,
      service: 'license',
      cost: cost.lineItemAmount,
      tag: 'license-purchase',
      license_id: license.id,
      period_start: new Date(license.activates ?? ctx.now.getTime()).toISOString(),
      period_end: new Date(license.expires ?? ctx.now.getTime()).toISOString(),
    },
  };
  if (d.period === 'monthly' || d.period === 'yearly') {
    const perUnit = d.period === 'monthly' ? cost.costSubMonth : cost.costSubYear;
    staged.subscription = {
      id: ctx.state.takeRowId(),
      interval: d.period === 'monthly' ? 'month' : 'year',
      cost: (toCents(perUnit) * cost.quantity) / 100,
      status: 'active',
      license_id: license.id,
      created: time,
    };
    license.subscription_id = staged.subscription.id;
  }
  return staged;
}

/** The `cost` object of a checkout-params line (§4.7): the vendor's snake_case names plus `input`. */
function costRecord(item: SandboxCartItem, cost: LicenseCost, account: SandboxAccount): Record<string, unknown> {
  const d = item.description as Record<string, unknown>;
  const range = item.product === 'site-license' && d.period === 'range' ? (d.range as [string, string]) : undefined;
  return {
    cost: cost.cost,
    cost_per_unit: cost.costPerUnit,
    cost_per_project_per_month: cost.costPerProjectPerMonth,
    cost_sub_month: cost.costSubMonth,
    cost_sub_year: cost.costSubYear,
    quantity: cost.quantity,
    period: cost.period,
    input: item.product === 'site-license' ? purchaseInfo(d, account.accountId, range?.[0] ?? null, range?.[1] ?? null) : { ...d, subscription: 'no' },
  };
}

/** A site-license line after the vendor changed its price by `changeUsd` (SandboxState.siteLicensePriceChangeUsd). */
function repriced(cost: LicenseCost, changeUsd: number): LicenseCost {
  if (changeUsd === 0) return cost;
  const lineItemAmount = (toCents(cost.lineItemAmount) + toCents(changeUsd)) / 100;
  return { ...cost, cost: lineItemAmount, costPerUnit: lineItemAmount / cost.quantity, lineItemAmount };
}
