import type { NormalizedLicense } from '../../../core/workflow';
import { withoutTag } from './cart-tag';
import type { CocalcManagedLicense } from './ports';

/** CoCalc's licenses in procure's one license shape (GET /licenses and `$.license`). Pure: the caller passes the time. */

/**
 * A CoCalc managed license (§6: epoch-ms timestamps). CoCalc has no status field, so it is
 * derived from the activation window: "pending" before `activates`, "expired" from `expires` on.
 */
export function normalizeCocalcLicense(license: CocalcManagedLicense, now: Date): NormalizedLicense {
  const t = now.getTime();
  let status = 'active';
  if (license.activates !== null && license.activates > t) status = 'pending';
  if (license.expires !== null && license.expires <= t) status = 'expired';
  return {
    vendor: 'cocalc',
    id: license.id,
    // The description ends with procure's tag line (./cart-tag.ts); it is no title.
    title: license.title?.trim() || withoutTag(license.description) || 'CoCalc site license',
    status,
    target: describeCocalcQuota(license),
    createdAt: epochToIso(license.created),
    expiresAt: epochToIso(license.expires),
  };
}

/** "run limit 2 · 16 GB RAM, 2 vCPU, 10 GB disk, member" from the license row's quota. */
function describeCocalcQuota(license: CocalcManagedLicense): string {
  const q = license.quota ?? {};
  const num = (k: string): number | undefined => (typeof q[k] === 'number' ? (q[k] as number) : undefined);
  const parts: string[] = [];
  const ram = num('ram');
  const cpu = num('cpu');
  const disk = num('disk');
  if (ram !== undefined) parts.push(`${ram} GB RAM`);
  if (cpu !== undefined) parts.push(`${cpu} vCPU`);
  if (disk !== undefined) parts.push(`${disk} GB disk`);
  if (q.member === true) parts.push('member');
  const runLimit = license.runLimit !== null ? `run limit ${license.runLimit}` : 'no run limit';
  return parts.length ? `${runLimit} · ${parts.join(', ')}` : runLimit;
}

function epochToIso(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
