import { randomUUID } from 'node:crypto';
import type { EndpointContext } from './endpoint';
import type { SandboxAccount, SandboxLicense } from './state';

/** Licenses: created at checkout (`create-license.ts`), listed by `licenses/get-managed` (cocalc-api-v2.md §6). */

const MINUTE_MS = 60_000;

/** The vendor's PurchaseInfo for a description: the cost `input` and the license's `info.purchased`. */
export function purchaseInfo(d: Record<string, unknown>, accountId: string, start: string | null, end: string | null): Record<string, unknown> {
  return {
    account_id: accountId,
    version: '3',
    type: 'quota',
    user: d.user,
    upgrade: 'custom',
    quantity: d.run_limit,
    subscription: d.period === 'range' ? 'no' : d.period,
    start,
    end,
    custom_ram: d.ram,
    custom_dedicated_ram: 0,
    custom_cpu: d.cpu,
    custom_dedicated_cpu: 0,
    custom_disk: d.disk,
    custom_member: d.member,
    custom_uptime: d.uptime,
    boost: d.boost ?? false,
    title: d.title,
    description: d.description,
  };
}

/**
 * A license for a bought (already sanity-checked) site-license description, managed by the buyer.
 * Subscriptions: active from one minute ago to the end of the day one month/year from now
 * (the sandbox's "server time zone" is UTC). Ranges: start..end, the end pushed back by as much
 * as the start is already past.
 */
export function createLicense(account: SandboxAccount, d: Record<string, unknown>, now: Date): SandboxLicense {
  let activates: number;
  let expires: number;
  if (d.period === 'range') {
    const [start, end] = (d.range as [string, string]).map((t) => new Date(t).getTime()) as [number, number];
    activates = start;
    expires = start < now.getTime() ? end + (now.getTime() - start) : end;
  } else {
    activates = now.getTime() - MINUTE_MS;
    expires = endOfUtcDay(addMonths(now, d.period === 'yearly' ? 12 : 1));
  }
  const uptime = d.uptime as string;
  return {
    id: randomUUID(),
    title: typeof d.title === 'string' ? d.title : null,
    description: typeof d.description === 'string' ? d.description : null,
    expires,
    activates,
    last_used: null,
    created: now.getTime(),
    managers: [account.accountId],
    upgrades: null,
    quota: {
      user: d.user,
      ram: d.ram,
      cpu: d.cpu,
      dedicated_ram: 0,
      dedicated_cpu: 0,
      disk: d.disk,
      always_running: uptime === 'always_running',
      // Can be the literal "always_running" (§6).
      idle_timeout: uptime,
      member: d.member,
      boost: d.boost ?? false,
    },
    run_limit: d.run_limit as number,
    info: {
      purchased: purchaseInfo(d, account.accountId, new Date(activates).toISOString(), new Date(expires).toISOString()),
    },
    subscription_id: null,
  };
}

/** §6: `[]` when anonymous; `created DESC`; `limit`/`skip` ignored when 0 or absent; epoch-ms dates. */
export function getManagedLicenses(ctx: EndpointContext): unknown[] {
  const account = ctx.account;
  if (!account) return [];
  const { limit, skip } = ctx.params;
  // Newest first; among equal `created`, the later-created first.
  let rows = account.licenses
    .map((license, order) => ({ license, order }))
    .filter(({ license }) => license.managers.includes(account.accountId))
    .sort((a, b) => b.license.created - a.license.created || b.order - a.order)
    .map(({ license }) => license);
  const offset = sqlCount(skip, 'OFFSET');
  const max = sqlCount(limit, 'LIMIT');
  if (offset) rows = rows.slice(offset);
  if (max) rows = rows.slice(0, max);
  return rows.map(({ subscription_id: _internal, ...row }) => ({ ...row, is_manager: true }));
}

function sqlCount(value: unknown, clause: 'LIMIT' | 'OFFSET'): number {
  if (value == null || value === 0) return 0;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`invalid input syntax for type bigint: "${String(value)}"`);
  if (n < 0) throw new Error(`${clause} must not be negative`);
  return n;
}

/** Calendar months, clamped to the target month's last day (Jan 31 + 1 month = Feb 28/29). */
function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

function endOfUtcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 23, 59, 59, 999);
}
