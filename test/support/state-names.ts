import { STATE } from '../../lambdas/core/workflow';
import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';

/** Every state of procure's machine: procure's own (core/workflow.ts STATE) and each vendor's (its core/states.ts). */
export const ALL_STATE_NAMES: readonly string[] = [...Object.values(STATE), ...Object.values(COCALC_STATES), ...Object.values(INTERSERVER_STATES)];
