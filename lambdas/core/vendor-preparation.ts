import type { InvocationClock } from './locks';
import type { Vendor } from './vendor-names';
import type { WorkflowState } from './workflow';

/** The state PreparePurchase hands on: the input with its quote, its reservation and what the vendor's preparation added (CoCalc: its cart item or when to add it). */
export type PreparedState = WorkflowState & Required<Pick<WorkflowState, 'quote' | 'reservation'>>;

/** What a vendor's preparation adds to the state: only its own slot (CoCalc: the cart item, or when to add it). */
export type Prepared = Pick<WorkflowState, 'cart'>;

/**
 * What a vendor does once a purchase is quoted and its budget reserved, before anyone approves it,
 * in PreparePurchase's own invocation (issue #10: each vendor implements it in its folder; CoCalc
 * parks the item in its cart, vendors/cocalc/core/first-add.ts). It must be safe to run again for
 * the same purchase (the whole state is retried), and it calls the vendor at most once. It adds to
 * the state and cannot change the quote or the reservation.
 */
export interface VendorPreparation<V extends Vendor = Vendor> {
  readonly vendor: V;
  prepare(state: PreparedState, context?: InvocationClock): Promise<Prepared>;
}

/** What each vendor prepares before approval: null for a vendor that goes straight on (a vendor left out is a type error). */
export type PreparationsByVendor = { readonly [V in Vendor]: VendorPreparation<V> | null };
