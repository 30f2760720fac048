import { isDeepStrictEqual } from 'node:util';
import type { SiteLicenseDescription } from './license';
import type { CocalcCartItem } from './ports';

/**
 * Every CoCalc cart item procure adds names its purchase in `description.description` (stored by
 * the vendor verbatim, cocalc-api-v2.md §4.3, and shown on the license): the requester's own text,
 * if any, then the line `procure purchase <purchaseId>`. The tag is how the reconciler tells
 * procure's items (orphans included) from the account owner's, and part of what Checkout compares
 * with the approved description.
 */
const TAG_PREFIX = 'procure purchase ';
const TAG_LINE = /(?:^|\n)procure purchase (pur-[0-9a-f]{32})$/;

/** The description procure sends for `purchaseId`: the approved one plus the tag line. */
export function tagDescription(description: SiteLicenseDescription, purchaseId: string): SiteLicenseDescription {
  const own = description.description?.trimEnd();
  return { ...description, description: own ? `${own}\n${TAG_PREFIX}${purchaseId}` : `${TAG_PREFIX}${purchaseId}` };
}

/** The purchase a cart item was added for, when procure added it. */
export function purchaseIdOfItem(item: Pick<CocalcCartItem, 'description'>): string | undefined {
  const text = item.description?.description;
  return typeof text === 'string' ? TAG_LINE.exec(text)?.[1] : undefined;
}

/** A description text without procure's tag line: what the requester wrote, if anything. */
export function withoutTag(text: string | null | undefined): string | undefined {
  if (typeof text !== 'string') return undefined;
  const stripped = text.replace(TAG_LINE, '').trim();
  return stripped === '' ? undefined : stripped;
}

/** One field where the vendor's item differs from what was approved. */
export interface ItemDifference {
  field: string;
  approved: unknown;
  atVendor: unknown;
}

/**
 * Field-by-field comparison of the vendor's cart item with the approved (tagged) description and
 * project. A `range` whose approved start is past by `now` may have been moved by the vendor
 * (§4.3/§4.4 rewrite a start in the past to now, keeping the duration or at least one hour).
 */
export function differencesFromApproved(
  item: Pick<CocalcCartItem, 'description' | 'projectId' | 'product'>,
  approved: SiteLicenseDescription,
  projectId: string | undefined,
  now: number = Date.now(),
): ItemDifference[] {
  const expected = JSON.parse(JSON.stringify(approved)) as Record<string, unknown>;
  const stored = item.description ?? {};
  const out: ItemDifference[] = [];
  if (item.product !== 'site-license') out.push({ field: 'product', approved: 'site-license', atVendor: item.product });
  for (const field of new Set([...Object.keys(expected), ...Object.keys(stored)])) {
    if (field === 'range') continue;
    if (!isDeepStrictEqual(stored[field], expected[field])) out.push({ field, approved: expected[field], atVendor: stored[field] });
  }
  if (!sameRange(stored.range, expected.range, now)) out.push({ field: 'range', approved: expected.range, atVendor: stored.range });
  if ((item.projectId ?? null) !== (projectId ?? null)) out.push({ field: 'project_id', approved: projectId ?? null, atVendor: item.projectId });
  return out;
}

function sameRange(stored: unknown, approved: unknown, now: number): boolean {
  if (approved === undefined) return stored === undefined;
  if (!Array.isArray(stored) || stored.length !== 2 || !Array.isArray(approved)) return false;
  const [s0, s1] = stored.map((d) => Date.parse(String(d)));
  const [a0, a1] = approved.map((d) => Date.parse(String(d)));
  if (![s0, s1, a0, a1].every(Number.isFinite)) return false;
  if (s0 === a0 && s1 === a1) return true;
  // The vendor only ever moves a past start later, to "now": on add keeping the duration (the end
  // moves as far), on a cart read keeping the end unless that leaves less than an hour.
  // So a moved start is the vendor's only when the approved start was already past and the new
  // start is not in the future; a still-future start moved later is someone's edit.
  return s0! > a0! && a0! <= now && s0! <= now && s1! >= a1! && s1! - s0! <= Math.max(a1! - a0!, 3_600_000);
}
