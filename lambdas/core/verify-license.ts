import { cocalcManagedLicensePages } from '../vendors/cocalc/core/managed-licenses';
import { InvalidLicenseIdError, LicenseNotFoundError } from './errors';
import { normalizeCocalcLicense, normalizeInterserverLicense } from './license-view';
import type { AuditLog, CocalcGateway, InterserverGateway, InterserverLicense, PurchaseStore } from './ports';
import { recordStep } from './purchase-journal';
import type { NormalizedLicense, WorkflowState } from './workflow';

/** What VerifyLicense needs. */
export interface VerifyLicenseDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  cocalc: () => Promise<CocalcGateway>;
  interserver: () => Promise<InterserverGateway>;
  clock?: () => Date;
}

/** get-managed is newest first (§6): a new license is on the first pages. */
const COCALC_PAGING = { pageSize: 50, maxPages: 20 };

/**
 * VerifyLicense: the purchase is only done when the vendor's own listing shows the new license.
 * Missing -> LicenseNotFoundError, which the machine retries (listings can lag a purchase).
 */
export async function verifyLicense(deps: VerifyLicenseDeps, state: WorkflowState): Promise<NormalizedLicense> {
  const clock = deps.clock ?? (() => new Date());
  const licenseId = state.purchase?.licenseId;
  if (!licenseId) throw new LicenseNotFoundError(`purchase ${state.purchaseId} has no license id to verify`);

  const license =
    state.request.vendor === 'cocalc'
      ? await findCocalcLicense(await deps.cocalc(), licenseId, clock())
      : await findInterserverLicense(await deps.interserver(), licenseId, state);

  await recordStep(deps, state.purchaseId, {
    type: 'LICENSE_VERIFIED',
    status: 'PURCHASED',
    message: `The vendor lists license ${license.id} (${license.status})`,
    detail: { ...license },
  });
  return license;
}

/** Why a listed InterServer license is not the one this purchase asked for (IP and type), if it is not. */
export function interserverLicenseMismatch(
  licenseId: string,
  license: Pick<InterserverLicense, 'ip' | 'type'>,
  state: Pick<WorkflowState, 'request' | 'quote'>,
): string | undefined {
  const { request } = state;
  if (request.vendor !== 'interserver' || (license.ip === request.item.ip && license.type === state.quote?.interserverTypeId)) return undefined;
  return `InterServer license ${licenseId} is for ${license.ip} type ${license.type}, not ${request.item.ip} type ${state.quote?.interserverTypeId}`;
}

async function findCocalcLicense(gateway: CocalcGateway, licenseId: string, now: Date): Promise<NormalizedLicense> {
  for await (const licenses of cocalcManagedLicensePages(gateway, COCALC_PAGING)) {
    const found = licenses.find((l) => l.id === licenseId);
    if (found) return normalizeCocalcLicense(found, now);
  }
  throw new LicenseNotFoundError(`CoCalc does not list license ${licenseId} among the account's managed licenses`);
}

async function findInterserverLicense(gateway: InterserverGateway, licenseId: string, state: WorkflowState): Promise<NormalizedLicense> {
  const id = Number(licenseId);
  let license: InterserverLicense;
  try {
    license = await gateway.getLicense(id);
  } catch (err) {
    if (err instanceof InvalidLicenseIdError) throw new LicenseNotFoundError(`InterServer does not list license ${licenseId}: ${err.message}`);
    throw err;
  }
  // The license must be the one this purchase asked for, not merely some license with that id.
  const mismatch = interserverLicenseMismatch(licenseId, license, state);
  if (mismatch) throw new LicenseNotFoundError(mismatch);
  return normalizeInterserverLicense(license, state.quote?.interserverTypeName);
}
