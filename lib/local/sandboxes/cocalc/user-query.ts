import { isRecord, type EndpointContext } from './endpoint';
import type { SandboxAccount } from './state';

/**
 * POST user-query (cocalc-api-v2.md §3), the accounts *get* only: `null` leaves are filled in, an
 * object asks for one row and `[{...}]` for a list. Set queries and other tables are outside the
 * sandbox and say so (the projects `site_license` set is optional in §8 and its answer UNVERIFIED).
 */
const ACCOUNT_FIELDS: Record<string, (a: SandboxAccount) => unknown> = {
  account_id: (a) => a.accountId,
  email_address: (a) => a.email,
  first_name: (a) => a.firstName,
  last_name: (a) => a.lastName,
  created: (a) => a.created,
  groups: (a) => (a.partner ? ['partner'] : []),
  balance: (a) => a.balance,
  min_balance: (a) => a.minBalance,
};

/** POST user-query. */
export function userQuery(ctx: EndpointContext): unknown {
  const query = isRecord(ctx.params.query) ? ctx.params.query : {};
  const tables = Object.keys(query);
  if (tables.length !== 1) throw new Error('FATAL: must specify exactly one key in the query');
  const table = tables[0]!;
  const value = query[table];
  const isSet = hasNonNullLeaf(value);
  if (!ctx.account) {
    throw new Error(isSet ? 'FATAL: no anonymous set queries' : `FATAL: anonymous get queries not allowed for table '${table}'`);
  }
  if (isSet || table !== 'accounts') {
    throw new Error(`FATAL: the CoCalc sandbox does not emulate ${isSet ? 'set' : 'get'} queries on table '${table}'`);
  }
  const pattern = Array.isArray(value) ? value[0] : value;
  const row: Record<string, unknown> = {};
  for (const field of Object.keys(isRecord(pattern) ? pattern : {})) {
    const read = Object.hasOwn(ACCOUNT_FIELDS, field) ? ACCOUNT_FIELDS[field] : undefined;
    if (!read) throw new Error(`FATAL: user get query not allowed for accounts.${field}`);
    row[field] = read(ctx.account);
  }
  return { query: { accounts: Array.isArray(value) ? [row] : row } };
}

/** A query whose leaves are all null is a get; any other leaf makes it a set (§3). */
function hasNonNullLeaf(value: unknown): boolean {
  if (value === null) return false;
  if (Array.isArray(value)) return value.some(hasNonNullLeaf);
  if (isRecord(value)) return Object.values(value).some(hasNonNullLeaf);
  return true;
}
