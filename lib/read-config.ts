import type { ProcureConfig } from './config';
import { procureConfigSchema } from './config-schema';
import { json } from './context-coercion';
import { ProcureConfigError, resolveProcureConfig } from './resolve-config';

/** Context key of the configuration object (cdk.json `context.procure`). */
const PROCURE_CONTEXT_KEY = 'procure';

/** Anything with CDK's `tryGetContext` (an App's or a construct's `node`). */
export interface ContextReader {
  tryGetContext(key: string): unknown;
}

/** The config keys, for reading individual `procure:<key>` context values. */
const CONFIG_KEYS = Object.keys(procureConfigSchema.shape) as Array<keyof ProcureConfig>;

/**
 * Reads the configuration from CDK context: the `procure` object (cdk.json or cdk.context.json),
 * then individual `procure:<key>` values, which win (`cdk synth -c procure:dailyPurchaseLimit=3`,
 * `-c procure:approverEmails=a@x.com,b@x.com`, `-c 'procure:monthlyCapUsd={"cocalc":100}'`).
 * @throws ProcureConfigError naming every invalid value
 */
export function readProcureConfig(node: ContextReader): ProcureConfig {
  const fromObject = json(node.tryGetContext(PROCURE_CONTEXT_KEY) ?? {});
  if (fromObject === null || typeof fromObject !== 'object' || Array.isArray(fromObject)) {
    throw new ProcureConfigError([`context "${PROCURE_CONTEXT_KEY}" must be an object`]);
  }
  const individual: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const v = node.tryGetContext(`${PROCURE_CONTEXT_KEY}:${key}`);
    if (v !== undefined) individual[key] = v;
  }
  return resolveProcureConfig({ ...(fromObject as Record<string, unknown>), ...individual });
}
