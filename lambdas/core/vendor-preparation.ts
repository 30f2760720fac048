import type { InvocationClock } from './locks';
import type { Vendor } from './vendor-names';
import type { WorkflowState } from './workflow';

/** The state PreparePurchase hands on: the input with its quote, its reservation and what the vendor's preparation added (CoCalc: its cart item or when to add it). */
export type PreparedState = WorkflowState & Required<Pick<WorkflowState, 'quote' | 'reservation'>>;

/**
 * What a vendor does once a purchase is quoted and its budget reserved, before anyone approves it,
 * in PreparePurchase's own invocation (issue #10: each vendor implements it in its folder; CoCalc
 * parks the item in its cart, vendors/cocalc/core/first-add.ts). It must be safe to run again for
 * the same purchase (the whole state is retried), and it calls the vendor at most once.
 */
export interface VendorPreparation<V extends Vendor = Vendor> {
  readonly vendor: V;
  prepare(state: PreparedState, context?: InvocationClock): Promise<PreparedState>;
}

/** The vendors that prepare something before approval; one not listed goes straight on. */
export type PreparationsByVendor = { readonly [V in Vendor]?: VendorPreparation<V> };
