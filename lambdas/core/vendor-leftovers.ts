import type { HeldItemId } from './held-item';
import { type Vendor, vendorLabel } from './vendor-names';

/**
 * What a vendor's preparation (./vendor-preparation.ts) leaves at the vendor before a purchase is
 * approved, and how procure takes it back (issue #10: each vendor implements it in its folder;
 * CoCalc's is its tagged cart item, vendors/cocalc/core/leftovers.ts). RecordNotCompleted takes
 * back the item of a purchase that did not complete (core/outcome-compensation.ts); the reconciler
 * lists the vendor's items to take back those no running purchase owns (core/reconcile*.ts).
 */
export interface VendorLeftovers<V extends Vendor = Vendor> {
  readonly vendor: V;
  /** How people read one item in audit messages: "cart item". */
  readonly noun: string;
  /**
   * Takes the item back unless it was bought. The vendor must refuse to take back a bought item,
   * so a take-back that succeeds proves nothing was bought and nothing can be: take back first,
   * look only when nothing was taken back. Throws when the item is neither taken back nor bought.
   */
  takeBack(itemId: HeldItemId): Promise<ItemFate>;
  /**
   * procure's items at the vendor: every one not bought, and those bought at or after `boughtSince`
   * (epoch ms). Items procure did not place (the account owner's) are never listed.
   */
  list(boughtSince: number): Promise<VendorItem[]>;
}

/** What each vendor leaves before approval: null for a vendor whose preparation leaves nothing (a vendor left out is a type error). */
export type LeftoversByVendor = { readonly [V in Vendor]: VendorLeftovers<V> | null };

/** One of procure's items at a vendor, as the reconciler judges it. */
export interface VendorItem {
  vendor: Vendor;
  /** The id its preparation returned for it, as it was: same value, same type (./held-item.ts). */
  id: HeldItemId;
  /** The purchase it was placed for (its tag at the vendor). */
  purchaseId: string;
  /** When it was placed (ISO). */
  added: string;
  /** Whether the vendor's next checkout would buy it. */
  checked: boolean;
  /** Set aside at the vendor: no checkout can buy it as it stands (CoCalc: saved for later). */
  setAside: boolean;
  /** Present when the vendor shows it bought. */
  bought?: BoughtItem;
}

/** An item the vendor shows as bought. */
export interface BoughtItem {
  id: HeldItemId;
  licenseId?: string;
  time?: string;
}

/** What a take-back found: taken back, unknown to the vendor, or bought. */
export type ItemFate = { outcome: 'deleted' | 'gone' } | { outcome: 'bought'; item: BoughtItem };

/** The vendor's leftovers, or null for a vendor that leaves nothing; a port wired under another vendor's name is refused. */
export function leftoversOf(all: LeftoversByVendor, vendor: Vendor): VendorLeftovers | null {
  const leftovers: VendorLeftovers | null = all[vendor];
  if (leftovers && leftovers.vendor !== vendor) throw new Error(`no leftovers of ${vendor} are wired (found ${leftovers.vendor})`);
  return leftovers;
}

/** How messages name one of a vendor's items: "cart item" ("item" for a vendor that leaves none). */
export function leftoverNoun(all: LeftoversByVendor, vendor: Vendor): string {
  return all[vendor]?.noun ?? 'item';
}

/** The same with its vendor: "CoCalc cart item". */
export function leftoverName(all: LeftoversByVendor, vendor: Vendor): string {
  return `${vendorLabel(vendor)} ${leftoverNoun(all, vendor)}`;
}
