import { describe, expect, it } from 'vitest';
import { differencesFromApproved, purchaseIdOfItem, tagDescription } from '../../lambdas/vendors/cocalc/core/cart-tag';
import { siteLicenseDescriptionSchema, type SiteLicenseDescription } from '../../lambdas/vendors/cocalc/core/license';
import type { CocalcCartItem } from '../../lambdas/vendors/cocalc/core/ports';
import { cocalcRequest } from '../support/requests';

const PURCHASE = `pur-${'0123456789abcdef'.repeat(2)}`;
const OTHER = `pur-${'f'.repeat(32)}`;
const PROJECT = '7f0f5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const HOUR = 3_600_000;

/** The suite's standard CoCalc license (test/support/requests.ts), with the schema's defaults. */
const base: SiteLicenseDescription = siteLicenseDescriptionSchema.parse((cocalcRequest().item as { description: unknown }).description);

/** A cart item as the gateway returns it, holding `description` as the vendor stored it. */
function itemWith(description: unknown, over: Partial<CocalcCartItem> = {}): CocalcCartItem {
  return {
    id: 1001,
    added: '2030-01-01T00:00:00.000Z',
    checked: false,
    removed: null,
    purchased: null,
    product: 'site-license',
    description: JSON.parse(JSON.stringify(description)) as Record<string, unknown>,
    projectId: null,
    ...over,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('tagDescription / purchaseIdOfItem', () => {
  it('tags a description without text of its own with the tag line alone, and reads the purchase back', () => {
    const tagged = tagDescription(base, PURCHASE);
    expect(tagged.description).toBe(`procure purchase ${PURCHASE}`);
    expect(purchaseIdOfItem(itemWith(tagged))).toBe(PURCHASE);
  });

  it("keeps the requester's text above the tag line, trailing blanks trimmed", () => {
    const tagged = tagDescription({ ...base, description: 'For the CS101 lab\nroom 4 \n\n' }, PURCHASE);
    expect(tagged.description).toBe(`For the CS101 lab\nroom 4\nprocure purchase ${PURCHASE}`);
    expect(purchaseIdOfItem(itemWith(tagged))).toBe(PURCHASE);
  });

  it('treats a description of blanks only as no text', () => {
    expect(tagDescription({ ...base, description: '  \n ' }, PURCHASE).description).toBe(`procure purchase ${PURCHASE}`);
  });

  it('changes no other field and leaves its input alone', () => {
    const input = { ...base, title: 'Lab' };
    const tagged = tagDescription(input, PURCHASE);
    expect({ ...tagged, description: undefined }).toEqual({ ...input, description: undefined });
    expect(input.description).toBeUndefined();
  });

  it('names the last tag line when a tagged text is tagged again', () => {
    const twice = tagDescription(tagDescription(base, OTHER), PURCHASE);
    expect(purchaseIdOfItem(itemWith(twice))).toBe(PURCHASE);
  });

  it.each([
    ['no description text', { ...base }],
    ["the owner's own text", { ...base, description: 'Summer school' }],
    ['a non-string description', { ...base, description: 42 }],
    ['a tag that is not a purchase id', { ...base, description: 'procure purchase abc' }],
    ['an upper-case purchase id', { ...base, description: `procure purchase ${PURCHASE.toUpperCase()}` }],
    ['a purchase id one digit short', { ...base, description: `procure purchase ${PURCHASE.slice(0, -1)}` }],
    ['text after the tag line', { ...base, description: `procure purchase ${PURCHASE}\nmore` }],
    ['the tag inside a line', { ...base, description: `not a procure purchase ${PURCHASE}` }],
    ['a trailing newline after the tag', { ...base, description: `procure purchase ${PURCHASE}\n` }],
  ])('finds no purchase in an item with %s', (_, description) => {
    expect(purchaseIdOfItem(itemWith(description))).toBeUndefined();
  });

  it('finds no purchase in an item without a description', () => {
    expect(purchaseIdOfItem({ description: undefined as unknown as Record<string, unknown> })).toBeUndefined();
  });
});

describe('differencesFromApproved', () => {
  const approved = tagDescription(base, PURCHASE);
  const fields = (item: CocalcCartItem, projectId?: string) => differencesFromApproved(item, approved, projectId).map((d) => d.field);

  it('finds none when the vendor holds what was approved', () => {
    expect(differencesFromApproved(itemWith(approved), approved, undefined)).toEqual([]);
    expect(differencesFromApproved(itemWith(approved, { projectId: PROJECT }), approved, PROJECT)).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['type', 'vouchers'],
    ['user', 'business'],
    ['period', 'yearly'],
    ['run_limit', 1],
    ['ram', 6],
    ['cpu', 2],
    ['disk', 15],
    ['member', false],
    ['uptime', 'medium'],
    ['boost', true],
    ['description', `procure purchase ${OTHER}`],
  ])('names %s when the vendor holds another value', (field, value) => {
    const differences = differencesFromApproved(itemWith({ ...approved, [field]: value }), approved, undefined);
    expect(differences).toEqual([{ field, approved: (approved as Record<string, unknown>)[field], atVendor: value }]);
  });

  it.each([
    ['title', 'Owner lab'],
    ['always_running', true],
    ['source', 'course'],
    ['unknown_field', 'x'],
  ])('names %s when the vendor holds a field that was not approved', (field, value) => {
    expect(differencesFromApproved(itemWith({ ...approved, [field]: value }), approved, undefined)).toEqual([{ field, approved: undefined, atVendor: value }]);
  });

  it('names a field the vendor dropped', () => {
    const { uptime: _dropped, ...rest } = approved;
    expect(fields(itemWith(rest))).toEqual(['uptime']);
  });

  it('names every changed field at once', () => {
    expect(fields(itemWith({ ...approved, ram: 6, run_limit: 1, title: 'x' }))).toEqual(['run_limit', 'ram', 'title']);
  });

  it('names another product', () => {
    expect(fields(itemWith(approved, { product: 'cash-voucher' }))).toEqual(['product']);
  });

  it.each<[string, string | undefined, string | null, boolean]>([
    ['approved none, vendor none', undefined, null, false],
    ['same project', PROJECT, PROJECT, false],
    ['approved none, vendor one', undefined, PROJECT, true],
    ['approved one, vendor none', PROJECT, null, true],
    ['another project', PROJECT, '11111111-2222-4333-8444-555555555555', true],
  ])('project: %s', (_, approvedProject, vendorProject, differs) => {
    const differences = differencesFromApproved(itemWith(approved, { projectId: vendorProject }), approved, approvedProject);
    expect(differences).toEqual(differs ? [{ field: 'project_id', approved: approvedProject ?? null, atVendor: vendorProject }] : []);
  });

  describe('range', () => {
    const now = Date.UTC(2030, 5, 1, 12);
    const rangeApproved = (start: number, end: number) => tagDescription({ ...base, period: 'range', range: [iso(start), iso(end)] }, PURCHASE);
    const atVendor = (approvedDesc: SiteLicenseDescription, start: number, end: number) => itemWith({ ...approvedDesc, range: [iso(start), iso(end)] });
    const rangeDiff = (approvedDesc: SiteLicenseDescription, start: number, end: number) =>
      differencesFromApproved(atVendor(approvedDesc, start, end), approvedDesc, undefined, now).map((d) => d.field);

    it.each<[string, number, number, number, number, boolean]>([
      ['unchanged', now + HOUR, now + 5 * HOUR, now + HOUR, now + 5 * HOUR, false],
      // §4.3: an add with a past start is shifted to start now, keeping its duration.
      ['past start shifted to now on add, duration kept', now - 2 * HOUR, now + 3 * HOUR, now, now + 5 * HOUR, false],
      // §4.4: a cart read moves a past start to now and keeps the end ...
      ['past start moved to now on read, end kept', now - 2 * HOUR, now + 3 * HOUR, now, now + 3 * HOUR, false],
      // ... unless that leaves less than an hour.
      ['past start moved to now on read, end pushed to an hour later', now - 3 * HOUR, now - 2 * HOUR, now, now + HOUR, false],
      // Shifted on an add an hour ago (to now - 1 h, end now + 4 h), then moved again by a read 30 min ago.
      ['shifted on add, then moved again on a later read', now - 2 * HOUR, now + 3 * HOUR, now - 30 * 60_000, now + 4 * HOUR, false],
      ['a still-future start moved later at the vendor, same duration', now + HOUR, now + 5 * HOUR, now + 2 * HOUR, now + 6 * HOUR, true],
      ['end moved earlier', now + HOUR, now + 5 * HOUR, now + HOUR, now + 4 * HOUR, true],
      ['end moved later', now + HOUR, now + 5 * HOUR, now + HOUR, now + 6 * HOUR, true],
      ['start moved earlier', now + HOUR, now + 5 * HOUR, now, now + 5 * HOUR, true],
      ['whole range moved later, longer than approved', now + HOUR, now + 5 * HOUR, now + 2 * HOUR, now + 7 * HOUR, true],
      ['start moved later with the end earlier', now - HOUR, now + 5 * HOUR, now, now + 4 * HOUR, true],
    ])('%s', (_, a0, a1, s0, s1, differs) => {
      expect(rangeDiff(rangeApproved(a0, a1), s0, s1)).toEqual(differs ? ['range'] : []);
    });

    it('names a range the vendor dropped, added or made unreadable', () => {
      const approvedDesc = rangeApproved(now + HOUR, now + 5 * HOUR);
      const { range: _r, ...withoutRange } = approvedDesc;
      expect(fields(itemWith({ ...approved, range: [iso(now), iso(now + HOUR)] }))).toEqual(['range']);
      expect(differencesFromApproved(itemWith(withoutRange), approvedDesc, undefined).map((d) => d.field)).toEqual(['range']);
      expect(differencesFromApproved(itemWith({ ...approvedDesc, range: ['soon', 'later'] }), approvedDesc, undefined).map((d) => d.field)).toEqual(['range']);
      expect(differencesFromApproved(itemWith({ ...approvedDesc, range: [iso(now + HOUR)] }), approvedDesc, undefined).map((d) => d.field)).toEqual(['range']);
    });
  });
});
