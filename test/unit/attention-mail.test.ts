import { describe, expect, it } from 'vitest';
import { budgetRule, renderAttentionMail, resolveCommands, type AttentionView } from '../../lambdas/core/attention-mail';
import type { AttentionFacts } from '../../lambdas/core/attention-facts';
import { cocalcAttentionChecks } from '../../lambdas/vendors/cocalc/core/attention';
import { interserverAttentionChecks } from '../../lambdas/vendors/interserver/core/attention';
import { vendorChecksOrFallback } from '../../lambdas/core/outcome-attention';
import type { VendorProfile } from '../../lambdas/core/vendor-profile';
import { cocalcProfile } from '../../lambdas/vendors/cocalc/core/profile';

/** The facts the vendors' checks read, as outcome-attention.ts words them. */
const facts: AttentionFacts = {
  purchaseId: 'pur-0123456789abcdef0123456789abcdef',
  since: 'since 2030-01-02 03:04 UTC',
  cost: ' of $18.00',
  cartItemId: 42,
  cleanupPending: ['delete-cart-item', 'release-reservation'],
};

const cocalc: AttentionView = {
  purchaseId: 'pur-0123456789abcdef0123456789abcdef',
  requestId: 'req-77',
  vendor: 'cocalc',
  amountUsd: 18,
  item: 'CoCalc site license: academic, monthly, run limit 2',
  requester: { name: 'Ada <Lovelace>', email: 'ada@example.com' },
  reason: 'rejected by boss@example.com; then cleanup did not finish (delete-cart-item: VendorTransientError: HTTP 503)',
  cartItemId: 42,
  cleanupPending: ['delete-cart-item', 'release-reservation'],
  checks: cocalcAttentionChecks(facts),
  statusAfterCleanup: 'REJECTED',
  receivedAt: '2030-01-02T03:04:05.000Z',
  endedAt: '2030-01-02T03:09:00.000Z',
  apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
};
const from = { from: 'procure@example.com', to: ['boss@example.com', 'cfo@example.com'] };

describe('the NEEDS_ATTENTION mail', () => {
  it('goes to every approver and says what is known, the budget rule, what to check and the exact commands', () => {
    const mail = renderAttentionMail(cocalc, from);

    expect(mail).toMatchObject({ to: ['boss@example.com', 'cfo@example.com'], from: 'procure@example.com' });
    expect(mail.subject).toBe('Needs attention: CoCalc $18.00 purchase for Ada <Lovelace> (pur-0123456789abcdef0123456789abcdef)');
    for (const text of [
      'Purchase: pur-0123456789abcdef0123456789abcdef',
      'Request: req-77',
      'Amount: $18.00',
      'Requester: Ada <Lovelace> <ada@example.com>',
      `Reason: ${cocalc.reason}`,
      'Cart item: 42',
      'Cleanup not finished: delete-cart-item, release-reservation',
      'Requested: 2030-01-02 03:04 UTC',
      'Ended: 2030-01-02 03:09 UTC',
      'The budget reservation is KEPT ($18.00, counted against the CoCalc monthly cap) until the reconciler or a person establishes that nothing was bought.',
      'The reconciler retries the unfinished cleanup (delete-cart-item, release-reservation) on its schedule.',
      '- Shopping cart item 42 (its description ends with the line "procure purchase pur-0123456789abcdef0123456789abcdef")',
      '- procure could not delete cart item 42; the reconciler retries the delete.',
      "- The account's purchases and balance: was there a charge of $18.00 since 2030-01-02 03:04 UTC?",
      `bought:     npx procure resolve ${cocalc.purchaseId} --bought <licenseId> --comment "what you found" --api ${cocalc.apiUrl}`,
      `not bought: npx procure resolve ${cocalc.purchaseId} --not-bought --comment "what you found" --api ${cocalc.apiUrl}`,
    ]) {
      expect(mail.text).toContain(text);
    }
  });

  it("names the item a vendor's preparation left as that vendor calls it", () => {
    expect(renderAttentionMail({ ...cocalc, itemNoun: 'hold' }, from).text).toContain('Hold: 42');
    expect(renderAttentionMail({ ...cocalc, itemNoun: 'hold' }, from).text).not.toContain('Cart item: 42');
  });

  it('escapes every value in the HTML part', () => {
    const mail = renderAttentionMail(cocalc, from);
    expect(mail.html).toContain('Ada &lt;Lovelace&gt;');
    expect(mail.html).not.toContain('<Lovelace>');
    expect(mail.html).toContain('--comment &quot;what you found&quot;');
  });

  it('offers the license procure already knows in the bought command, and leaves out --api for the local runtime', () => {
    const { apiUrl: _none, ...local } = cocalc;
    expect(resolveCommands({ ...local, licenseId: 'lic-9' })).toEqual({
      bought: `npx procure resolve ${cocalc.purchaseId} --bought lic-9 --comment "what you found"`,
      notBought: `npx procure resolve ${cocalc.purchaseId} --not-bought --comment "what you found"`,
    });
  });

  it('tells InterServer approvers the IP, the license type and the invoice to look at', () => {
    const checks = interserverAttentionChecks({ ...facts, cartItemId: undefined, cleanupPending: [], invoice: 555 }, { ip: '203.0.113.9', licenseType: 5006 });
    expect(checks).toEqual([
      "The account's licenses (npx procure licenses --vendor interserver): is there one for IP 203.0.113.9 (license type 5006) ordered since 2030-01-02 03:04 UTC?",
      'Invoice 555: does it exist, and is it paid?',
    ]);
  });

  it('words an unknown outcome without cleanup as such', () => {
    const mail = renderAttentionMail(
      { ...cocalc, cleanupPending: [], checks: cocalcAttentionChecks({ ...facts, cleanupPending: [] }), reason: 'PurchaseOutcomeUnknownError: lost' },
      from,
    );
    expect(mail.text).toMatch(/^A CoCalc purchase ended as NEEDS_ATTENTION: procure cannot tell whether CoCalc charged for it\./);
    expect(mail.text).not.toContain('reconciler retries');
    expect(budgetRule({ vendor: 'interserver' })).toBe(
      'The budget reservation is KEPT (counted against the InterServer monthly cap) until the reconciler or a person establishes that nothing was bought.',
    );
  });
});

describe('the NEEDS_ATTENTION mail with requester text stored before the schema refused controls', () => {
  it('shows line breaks, escapes and bidi characters as visible escapes, so no line is forged', () => {
    const from = { from: 'procure@example.com', to: ['ops@example.com'] };
    const name = 'Eve\r\nLicense: lic-forged\x1b[2K\u202E';
    const mail = renderAttentionMail({ ...cocalc, requester: { name, email: 'eve@example.com' } }, from);

    expect(mail.text.split('\n').filter((l) => l.startsWith('License:'))).toEqual([]);
    expect(mail.text).toContain('Requester: Eve\\r\\nLicense: lic-forged\\x1b[2K\\u202e <eve@example.com>');
    expect(mail.subject).toContain('for Eve\\r\\nLicense: lic-forged\\x1b[2K\\u202e (');
    expect(mail.text + mail.subject).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe("a vendor's attention checks that throw", () => {
  it('give way to generic checks, so the purchase still ends NEEDS_ATTENTION with something to look at', () => {
    const throwing = {
      ...cocalcProfile,
      attentionChecks: () => {
        throw new Error('bug in the vendor folder');
      },
    } as unknown as VendorProfile;
    expect(vendorChecksOrFallback('cocalc', throwing, { ...facts, licenseId: 'lic-1' }, {})).toEqual([
      'License lic-1: procure recorded it as bought; does the account hold it?',
      "The account's licenses (npx procure licenses --vendor cocalc) and charges of $18.00 since 2030-01-02 03:04 UTC: is there one for this purchase?",
    ]);
    expect(vendorChecksOrFallback('cocalc', cocalcProfile as unknown as VendorProfile, facts, {})).toEqual(cocalcAttentionChecks(facts));
  });

  it('are the generic ones for a vendor no longer registered (an execution older than its removal)', () => {
    expect(vendorChecksOrFallback('gone', undefined, facts, {})).toEqual([
      "The account's licenses (npx procure licenses --vendor gone) and charges of $18.00 since 2030-01-02 03:04 UTC: is there one for this purchase?",
    ]);
  });
});
