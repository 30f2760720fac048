import type { CocalcGateway, CocalcManagedLicense } from './ports';

/**
 * CoCalc's managed licenses (get-managed, newest first, cocalc-api-v2.md §6), one page at a time:
 * pages of `pageSize` until a short page, and never more than `maxPages` (a safety stop for a
 * runaway listing). A caller that stops early (`break`, `return`) fetches no further page.
 */
export async function* cocalcManagedLicensePages(
  gateway: Pick<CocalcGateway, 'listManagedLicenses'>,
  paging: { pageSize: number; maxPages: number },
): AsyncGenerator<CocalcManagedLicense[], void, undefined> {
  for (let page = 0; page < paging.maxPages; page += 1) {
    const licenses = await gateway.listManagedLicenses({ limit: paging.pageSize, skip: page * paging.pageSize });
    yield licenses;
    if (licenses.length < paging.pageSize) return;
  }
}
