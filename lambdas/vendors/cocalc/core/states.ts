/**
 * CoCalc's own states of the purchase state machine (its stack part wires them: ../stack.ts):
 * AddToCart after a wait for a cart slot, Checkout once approved. procure's own states are
 * core/workflow.ts STATE.
 */
export const COCALC_STATES = {
  AddToCart: 'AddToCart',
  Checkout: 'Checkout',
} as const;
