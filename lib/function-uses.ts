import type { FunctionId } from '../lambdas/core/workflow';
import { PROCURE_SIZING, PROCURE_USES, type NeedGroup, type Sizing } from './function-needs';
import { ownFunctions } from './vendor-stack';
import { VENDOR_STACKS } from './vendor-stacks';

// Every function's sizing and need groups: procure's own (./function-needs.ts) with each vendor's
// own functions added from its stack.ts. Apart from ./function-needs.ts, which the vendors' parts
// import for its group names.

/** Timeout and memory per function: procure's own, then each vendor's. */
export const SIZING = {
  ...PROCURE_SIZING,
  ...Object.fromEntries(VENDOR_STACKS.flatMap((v) => ownFunctions(v).map(([id, own]) => [id, own.sizing]))),
} as Record<FunctionId, Sizing>;

/** Each group's functions: procure's own, then each vendor's that names the group in its stack.ts. */
export const USES = {} as Record<NeedGroup, readonly FunctionId[]>;
for (const group of Object.keys(PROCURE_USES) as NeedGroup[]) {
  const vendorFunctions = VENDOR_STACKS.flatMap((v) => ownFunctions(v).flatMap(([id, own]) => (own.uses.includes(group) ? [id] : [])));
  USES[group] = [...PROCURE_USES[group], ...vendorFunctions];
}
