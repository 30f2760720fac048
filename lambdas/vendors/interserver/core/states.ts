/**
 * InterServer's own state of the purchase state machine (its stack part wires it: ../stack.ts):
 * BuyLicense once approved. procure's own states are core/workflow.ts STATE.
 */
export const INTERSERVER_STATES = {
  BuyLicense: 'BuyLicense',
} as const;
