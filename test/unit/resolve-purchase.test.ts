import { FakeMailer } from '../support/fake-ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE } from '../../lambdas/shared/table-keys';
import { InvalidRequestError } from '../../lambdas/core/errors';
import type { PurchaseStatus } from '../../lambdas/core/workflow';
import { NotResolvableError, parseResolution, resolvePurchase, UnknownPurchaseError, type ResolvePurchaseDeps } from '../../lambdas/core/resolve-purchase';
import { cocalcRequest } from '../support/requests';
import { newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

const OPS = 'arn:aws:iam::123456789012:user/ops';
const AUDITOR = 'arn:aws:sts::123456789012:assumed-role/Auditor/bob';

describe('resolving a NEEDS_ATTENTION purchase', () => {
  let h: StepHarness;
  let deps: ResolvePurchaseDeps;

  beforeAll(async () => {
    h = await startStepHarness();
    deps = { purchases: h.purchases, audit: h.audit, spendGuard: h.spendGuard, clock: () => new Date('2030-05-06T07:08:09.000Z') };
  });
  afterAll(async () => h.close());

  /** A purchase as RecordNotCompleted leaves it when a cart-item delete failed: $18 reserved. */
  async function needingAttention(status: PurchaseStatus = 'NEEDS_ATTENTION'): Promise<string> {
    const state = await newPurchase(h, cocalcRequest());
    await h.spendGuard.reserve({ purchaseId: state.purchaseId, vendor: 'cocalc', amountUsd: 18, at: new Date() });
    await h.purchases.update(state.purchaseId, {
      status,
      reason: 'VendorRejectedError: refused; then cleanup did not finish',
      cartItemId: 7,
      cleanupPending: ['delete-cart-item', 'release-reservation'],
    });
    await h.audit.append(state.purchaseId, { type: 'NOT_COMPLETED', status, actor: 'system' });
    return state.purchaseId;
  }
  /** The spend guard's reservation record status (RESERVED, COMMITTED, RELEASED). */
  async function reservationStatus(purchaseId: string): Promise<unknown> {
    const key = { [STATE_TABLE.partitionKey]: `RESERVATION#${purchaseId}`, [STATE_TABLE.sortKey]: 'RESERVATION' };
    return (await h.doc.send(new GetCommand({ TableName: h.db.stateTable, Key: key, ConsistentRead: true }))).Item?.status;
  }
  const resolvedEntries = async (purchaseId: string) => (await h.audit.list(purchaseId)).filter((e) => e.type === 'RESOLVED');

  it('bought: completes the purchase with the license found, commits its budget and audits who said so', async () => {
    const id = await needingAttention();

    const out = await resolvePurchase(deps, id, { finding: 'bought', licenseId: 'lic-42', comment: 'found it in the license list' }, OPS);

    expect(out).toEqual({
      purchaseId: id,
      status: 'COMPLETED',
      resolution: { finding: 'bought', licenseId: 'lic-42', actor: OPS, comment: 'found it in the license list', at: '2030-05-06T07:08:09.000Z' },
      budget: 'committed',
      alreadyResolved: false,
    });
    expect(await h.purchases.get(id)).toMatchObject({
      status: 'COMPLETED',
      licenseId: 'lic-42',
      cleanupPending: [],
      reason: `resolved by ${OPS}: bought, license lic-42 (found it in the license list)`,
    });
    expect(await reservationStatus(id)).toBe('COMMITTED');
    expect(await resolvedEntries(id)).toMatchObject([
      {
        status: 'COMPLETED',
        actor: OPS,
        detail: {
          finding: 'bought',
          licenseId: 'lic-42',
          comment: 'found it in the license list',
          budget: 'committed',
          previousReason: 'VendorRejectedError: refused; then cleanup did not finish',
        },
      },
    ]);
  });

  it('not bought: fails the purchase, releases its budget, and leaves only the cart-item delete to the reconciler', async () => {
    const id = await needingAttention();
    const before = (await h.spendGuard.remaining('cocalc', new Date())).reservedUsd;

    const out = await resolvePurchase(deps, id, { finding: 'not-bought' }, AUDITOR);

    expect(out).toMatchObject({ status: 'FAILED', budget: 'released', alreadyResolved: false, resolution: { finding: 'not-bought', actor: AUDITOR } });
    expect((await h.spendGuard.remaining('cocalc', new Date())).reservedUsd).toBeCloseTo(before - 18, 2);
    expect(await reservationStatus(id)).toBe('RELEASED');
    expect(await h.purchases.get(id)).toMatchObject({
      status: 'FAILED',
      cleanupPending: ['delete-cart-item'],
      reason: `resolved by ${AUDITOR}: nothing was bought`,
    });
    expect(await resolvedEntries(id)).toMatchObject([{ status: 'FAILED', actor: AUDITOR, detail: { finding: 'not-bought', budget: 'released' } }]);
  });

  it('is idempotent: the same finding again changes nothing and reports alreadyResolved', async () => {
    const id = await needingAttention();
    const first = await resolvePurchase(deps, id, { finding: 'bought', licenseId: 'lic-7' }, OPS);
    const again = await resolvePurchase({ ...deps, clock: () => new Date('2031-01-01T00:00:00Z') }, id, { finding: 'bought', licenseId: 'lic-7' }, AUDITOR);
    expect(again).toEqual({ ...first, alreadyResolved: true });
    expect(await resolvedEntries(id)).toHaveLength(1);
  });

  it('finishes the audit entry a failed earlier call did not write', async () => {
    const id = await needingAttention();
    const audit = {
      list: (p: string) => h.audit.list(p),
      listByStatus: h.audit.listByStatus.bind(h.audit),
      append: () => Promise.reject(new Error('throttled')),
    };
    const failingAudit = { ...deps, audit };
    await expect(resolvePurchase(failingAudit, id, { finding: 'not-bought' }, OPS)).rejects.toThrow('throttled');
    expect((await h.purchases.get(id))?.status).toBe('FAILED');

    expect(await resolvePurchase(deps, id, { finding: 'not-bought' }, OPS)).toMatchObject({ alreadyResolved: true, budget: 'released' });
    expect(await resolvedEntries(id)).toHaveLength(1);
  });

  it('refuses a different finding once resolved, naming the earlier one (409)', async () => {
    const id = await needingAttention();
    await resolvePurchase(deps, id, { finding: 'not-bought' }, OPS);
    await expect(resolvePurchase(deps, id, { finding: 'bought', licenseId: 'lic-1' }, AUDITOR)).rejects.toThrow(
      new NotResolvableError(`purchase ${id} is FAILED (resolved not-bought by ${OPS}); only a purchase in NEEDS_ATTENTION can be resolved`),
    );
    await expect(resolvePurchase(deps, id, { finding: 'not-bought' }, AUDITOR)).resolves.toMatchObject({ alreadyResolved: true });
  });

  it('refuses a purchase that is not in NEEDS_ATTENTION and changes nothing', async () => {
    const id = await needingAttention('AWAITING_APPROVAL');
    await expect(resolvePurchase(deps, id, { finding: 'not-bought' }, OPS)).rejects.toBeInstanceOf(NotResolvableError);
    expect((await h.purchases.get(id))?.status).toBe('AWAITING_APPROVAL');
    expect(await reservationStatus(id)).toBe('RESERVED');
    expect(await resolvedEntries(id)).toEqual([]);
  });

  it('refuses an unknown purchase', async () => {
    await expect(resolvePurchase(deps, 'pur-00000000000000000000000000000000', { finding: 'not-bought' }, OPS)).rejects.toBeInstanceOf(UnknownPurchaseError);
  });

  it('lets exactly one of two racing, different findings apply, with the budget to match', async () => {
    for (let round = 0; round < 5; round += 1) {
      const id = await needingAttention();
      const results = await Promise.allSettled([
        resolvePurchase(deps, id, { finding: 'bought', licenseId: 'lic-race' }, OPS),
        resolvePurchase(deps, id, { finding: 'not-bought' }, AUDITOR),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(NotResolvableError);
      const status = (await h.purchases.get(id))?.status;
      expect(await resolvedEntries(id)).toMatchObject([{ status }]);
      expect(await reservationStatus(id)).toBe(status === 'COMPLETED' ? 'COMMITTED' : 'RELEASED');
    }
  });

  it('writes one audit entry when the same finding races itself', async () => {
    const id = await needingAttention();
    const results = await Promise.all([1, 2, 3].map(() => resolvePurchase(deps, id, { finding: 'not-bought' }, OPS)));
    expect(results.filter((r) => !r.alreadyResolved)).toHaveLength(1);
    expect(await resolvedEntries(id)).toHaveLength(1);
  });

  it('records a bought finding even when the reservation was already given back, and says so', async () => {
    const id = await needingAttention();
    await h.spendGuard.release(id);
    const out = await resolvePurchase(deps, id, { finding: 'bought', licenseId: 'lic-9' }, OPS);
    expect(out).toMatchObject({ status: 'COMPLETED', budget: 'unchanged' });
    expect((await resolvedEntries(id))[0]?.detail).toMatchObject({ budget: 'unchanged', budgetProblem: expect.stringContaining('RELEASED') });
  });
});

describe('the resolution body', () => {
  const issuesOf = (body: unknown): string[] => {
    try {
      parseResolution(body);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidRequestError);
      return (err as InvalidRequestError).issues;
    }
    throw new Error('accepted');
  };

  it('accepts the two findings', () => {
    expect(parseResolution({ finding: 'bought', licenseId: 'a1b2-c3', comment: ' seen in the cart ' })).toEqual({
      finding: 'bought',
      licenseId: 'a1b2-c3',
      comment: 'seen in the cart',
    });
    expect(parseResolution({ finding: 'not-bought' })).toEqual({ finding: 'not-bought' });
  });

  it.each([
    [{}, 'finding: finding must be "bought" or "not-bought"'],
    [{ finding: 'maybe' }, 'finding: finding must be "bought" or "not-bought"'],
    [{ finding: 'bought' }, 'licenseId: licenseId is required when the finding is bought'],
    [{ finding: 'bought', licenseId: 'a b' }, 'licenseId: licenseId may contain only letters, digits and . _ : -'],
    [{ finding: 'not-bought', comment: 3 }, 'comment: Invalid input: expected string, received number'],
    [{ finding: 'not-bought', licenseId: 'x' }, '(body): Unrecognized key: "licenseId"'],
    [[], '(body): a JSON object {"finding": ...} is required'],
  ])('refuses %j naming the field', (body, issue) => {
    expect(issuesOf(body)).toContain(issue);
  });
});

describe('the requester of a resolved purchase', () => {
  let h: StepHarness;
  const mailer = new FakeMailer();
  beforeAll(async () => {
    h = await startStepHarness();
  });
  afterAll(async () => h.close());
  const deps = (): ResolvePurchaseDeps => ({
    purchases: h.purchases,
    audit: h.audit,
    spendGuard: h.spendGuard,
    requesterNotice: { mailer, notices: h.notices, audit: h.audit, sender: 'procure@example.com', log: { error: () => undefined } },
  });
  /** A NEEDS_ATTENTION purchase whose requester was told it is being checked. */
  async function checked(over: Record<string, unknown> = {}): Promise<string> {
    const state = await newPurchase(h, cocalcRequest());
    await h.spendGuard.reserve({ purchaseId: state.purchaseId, vendor: 'cocalc', amountUsd: 18, at: new Date() });
    await h.purchases.update(state.purchaseId, { status: 'NEEDS_ATTENTION', amountUsd: 18, requester: { name: 'Ada', email: 'ada@example.com' }, ...over });
    return state.purchaseId;
  }
  const mailsTo = (purchaseId: string) => mailer.outbox.filter((m) => m.text.includes(purchaseId));

  it("hears once that it was bought, with the license a person found, and nothing of the resolver's comment", async () => {
    const id = await checked();
    await resolvePurchase(deps(), id, { finding: 'bought', licenseId: 'lic-77', comment: 'internal: ticket 123' }, OPS);
    await resolvePurchase(deps(), id, { finding: 'bought', licenseId: 'lic-77' }, OPS);
    const mails = mailsTo(id);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(['ada@example.com']);
    expect(mails[0]!.subject).toMatch(/^Your CoCalc purchase is complete/);
    expect(mails[0]!.text).toContain('License: lic-77');
    expect(mails[0]!.text).not.toContain('ticket 123');
    expect((await h.audit.list(id)).filter((e) => e.type === 'REQUESTER_NOTIFIED')).toHaveLength(1);
  });

  it('hears that a person checked and nothing was bought', async () => {
    const id = await checked();
    await resolvePurchase(deps(), id, { finding: 'not-bought' }, OPS);
    const [mail] = mailsTo(id);
    expect(mail!.subject).toMatch(/did not go through/);
    expect(mail!.text).toContain('a person checked the CoCalc account after its outcome was unclear and found it was not bought');
  });

  it('hears nothing after opting out', async () => {
    const id = await checked({ notifyRequester: false });
    await resolvePurchase(deps(), id, { finding: 'not-bought' }, OPS);
    expect(mailsTo(id)).toEqual([]);
  });
});
