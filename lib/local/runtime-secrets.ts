import { defaultRef, localPhysicalName } from './cfn-intrinsics';
import type { LoadedApp, TemplatePlan } from './runtime-plan';
import { initialValueFromTemplate, SecretsVault, type SecretDeclaration } from './secrets-vault';

export interface OpenedSecrets {
  vault: SecretsVault;
  /** The parsed JSON value of the secret in this role, `{}` when none or not JSON. */
  secretJson(role: string): Record<string, string>;
}

/**
 * The template's secrets. A secret's role is the env variable that references it in some function's
 * environment; a fresh secret in one of the profile's roles gets that role's value, any other its
 * template's initial value.
 */
export function openSecrets(
  app: LoadedApp,
  plan: TemplatePlan,
  profile: { name: string; secretRoles?(): Record<string, () => string> },
  store: { file?: string; log: (line: string) => void },
): OpenedSecrets {
  const { template, resolveEnv } = app;
  const roles = profile.secretRoles?.() ?? {};
  const roleOf = new Map<string, string>();
  for (const f of plan.functions.all) {
    for (const [k, v] of Object.entries(f.rawEnvironment)) {
      if (!(k in roles)) continue;
      const ref = (v as { Ref?: unknown }).Ref;
      if (typeof ref === 'string') roleOf.set(ref, k);
    }
  }
  const declarations: SecretDeclaration[] = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
    .map(([logicalId, r]) => {
      const role = roleOf.get(logicalId);
      return {
        logicalId,
        name: localPhysicalName(logicalId, r, template, resolveEnv),
        arn: defaultRef(logicalId, r, resolveEnv, template),
        initialValue: role ? roles[role]! : () => initialValueFromTemplate(r),
      };
    });
  const vault = SecretsVault.open(declarations, { ...(store.file ? { file: store.file } : {}), log: store.log, app: profile.name });
  const secretJson = (role: string): Record<string, string> => {
    const id = [...roleOf].find(([, r]) => r === role)?.[0];
    const s = id ? vault.find(id) : undefined;
    try {
      return s ? (JSON.parse(s.value) as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  return { vault, secretJson };
}
