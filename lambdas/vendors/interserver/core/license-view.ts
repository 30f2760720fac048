import type { NormalizedLicense } from '../../../core/workflow';
import type { InterserverLicense } from './ports';

/** InterServer's licenses in procure's one license shape (GET /licenses and `$.license`). Pure: the caller passes the catalog names. */

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

function vendorLocalToIso(text: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text.trim());
  if (!m || m[1] === '0000-00-00') return null;
  return `${m[1]}T${m[2]}`;
}
