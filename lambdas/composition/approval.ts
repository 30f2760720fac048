/**
 * Composition root (README.md): the approval verifier the money steps (Checkout, BuyLicense) call
 * before any vendor call. Built in lambdas/shared/approval-verification.ts (approval records on the
 * state table, the auto-approve policy from the environment); named here so a handler takes all of
 * its wiring from this folder.
 */
export { approvalVerifier } from '../shared/approval-verification';
