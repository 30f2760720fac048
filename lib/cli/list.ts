import { PURCHASE_LIST_LIMIT, type PurchaseListItem } from '../../lambdas/core/purchase-list';
import { PURCHASE_STATUSES } from '../../lambdas/core/workflow';
import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE, UsageError } from './args';
import { ProcureApi, resolveApiTarget } from './api-client';
import { emit } from './output';
import { printPurchaseList } from './views';

/**
 * `procure list`: GET /purchases, newest first, with who still has to decide. One page by default
 * (the next page's command is printed), every page with --all.
 */
export const summary = 'purchases, newest first, with who still has to decide';

const USAGE = `usage: procure list [--status S] [--since D] [--limit N] [--next-token T | --all] [--api URL] [--data-dir DIR] [--json]

Lists purchases newest first (GET /purchases): status, vendor, amount, requester, age, and who
still has to decide (the approvers whose links are open, or an operator for NEEDS_ATTENTION).
  --status S       only purchases in this status, e.g. AWAITING_APPROVAL (waiting for a person)
                   one of ${PURCHASE_STATUSES.join(', ')}
  --since D        only purchases created since D: a date (2026-07-01), an ISO date-time with a
                   zone (2026-07-01T09:30:00Z), or an age: 30m, 24h, 7d
  --limit N        purchases per page, 1 to ${PURCHASE_LIST_LIMIT.max} (default ${PURCHASE_LIST_LIMIT.default})
  --next-token T   the page after the one that printed T
  --all            every page
${TARGET_USAGE}`;

/** `7d` / `24h` / `30m` -> that long before `now` (ISO); anything else is passed to the API as is. */
export function sinceValue(value: string, now: Date): string {
  const m = /^(\d{1,5})([mhd])$/.exec(value.trim());
  if (!m) return value.trim();
  const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  return new Date(now.getTime() - Number(m[1]) * unitMs).toISOString();
}

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      ...TARGET_OPTIONS,
      status: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      'next-token': { type: 'string' },
      all: { type: 'boolean' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    expectPositionals(positionals, []);
    const status = values.status?.trim().toUpperCase();
    if (status !== undefined && !(PURCHASE_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${PURCHASE_STATUSES.join(', ')}, got "${values.status}"`);
    }
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= PURCHASE_LIST_LIMIT.max)) {
      throw new UsageError(`--limit must be a whole number from 1 to ${PURCHASE_LIST_LIMIT.max}, got "${values.limit}"`);
    }
    if (values.all && values['next-token'] !== undefined) throw new UsageError('--all starts at the first page: drop --next-token');
    const since = values.since === undefined ? undefined : sinceValue(values.since, new Date());
    const json = values.json === true;

    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    const query = { status, since, limit };
    const purchases: PurchaseListItem[] = [];
    let nextToken = values['next-token'];
    do {
      const page = await api.listPurchases({ ...query, nextToken });
      purchases.push(...page.purchases);
      nextToken = page.nextToken;
    } while (values.all && nextToken);

    emit(json, { purchases, ...(nextToken ? { nextToken } : {}) }, () => {
      printPurchaseList(purchases);
      if (nextToken) console.log(`\nmore: npx procure list${rerunArgs(argv)} --next-token ${nextToken}`);
    });
    return 0;
  });
}

/** The options of this run that select purchases, to repeat for the next page (not --next-token). */
function rerunArgs(argv: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--next-token' || a.startsWith('--next-token=')) {
      if (a === '--next-token') i++;
      continue;
    }
    // Shell-quoted, so the printed command can be pasted back (and shows nothing raw).
    out.push(/^[A-Za-z0-9_./:=@+-]+$/.test(a) ? a : `'${a.replace(/[^\x20-\x7e]/g, '?').replace(/'/g, `'\\''`)}'`);
  }
  return out.length ? ` ${out.join(' ')}` : '';
}
