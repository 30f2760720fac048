import { withoutTag } from '../vendors/cocalc/core/cart-tag';
import type { CocalcManagedLicense, InterserverLicense } from './ports';
import type { NormalizedLicense } from './workflow';

/**
 * One license shape for both vendors (GET /licenses and `$.license`). Pure: the caller passes the
 * time and the catalog names, so the same input always gives the same view.
 */

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
    // The description ends with procure's tag line (vendors/cocalc/core/cart-tag.ts); it is no title.
    title: license.title?.trim() || withoutTag(license.description) || 'CoCalc site license',
    status,
    target: describeCocalcQuota(license),
    createdAt: epochToIso(license.created),
    expiresAt: epochToIso(license.expires),
  };
}

/**
 * An InterServer license. `typeName` comes from the catalog (`getLicenseTypes`); the order date is
 * in InterServer's own (unstated) time zone, so it is given as ISO local time without an offset.
 */
export function normalizeInterserverLicense(license: InterserverLicense, typeName?: string): NormalizedLicense {
  return {
    vendor: 'interserver',
    id: String(license.id),
    title: typeName ?? `InterServer license type ${license.type}`,
    status: license.status || 'unknown',
    target: license.hostname ? `${license.ip} (${license.hostname})` : license.ip,
    createdAt: vendorLocalToIso(license.orderDate),
    expiresAt: null,
  };
}

/** InterServer statuses that no longer hold a license (§2): anything else still counts as live. */
export function isLiveInterserverLicense(license: InterserverLicense): boolean {
  return license.status !== 'canceled' && license.status !== 'expired';
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

function vendorLocalToIso(text: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text.trim());
  if (!m || m[1] === '0000-00-00') return null;
  return `${m[1]}T${m[2]}`;
}
