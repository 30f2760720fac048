import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSpendGuard } from '../lambdas/adapters/aws/dynamo-spend-guard';
import { BudgetExceededError, DailyLimitExceededError } from '../lambdas/core/errors';
import { formatUsd, fromCents, toCents } from '../lambdas/core/money';
import { STATE_TABLE } from '../lambdas/shared/table-keys';
import { startDynamo, type LocalTable } from '../lib/local/dynamo';
import { fmtMs, fmtNumber, median, timed, type Row } from './measure';

/**
 * Many purchases reserving budget at once against dynalite (the DynamoDB-API server the local
 * runtime uses), through the real DynamoSpendGuard: how fast, and whether the cap and the daily
 * limit held under the race. The guard's conditional writes are the only thing stopping an
 * overspend, so "held" is printed as a fact of this run, next to the figures.
 */
export interface SpendGuardResults {
  attempts: number;
  inFlight: number;
  /** One reserve() at a time: the latency of a single reservation (4-5 DynamoDB calls). */
  sequentialReserveMedianMs: number;
  reservePerSec: number;
  capUsd: number;
  granted: number;
  refusedBudget: number;
  otherErrors: number;
  reservedUsd: number;
  grantedSumUsd: number;
  capHeld: boolean;
  releasePerSec: number;
  reservedAfterReleaseUsd: number;
  dailyLimit: number;
  dailyAttempts: number;
  dailyGranted: number;
  dailyBudgetUsd: number;
  dailyGrantedSumUsd: number;
  dailyLimitHeld: boolean;
}

function stateTable(name: string): LocalTable {
  const { partitionKey, sortKey } = STATE_TABLE;
  return {
    logicalId: name,
    name,
    input: {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
    },
  };
}

/** Deterministic amounts between $1.00 and $40.00, so runs are comparable. */
function amountsUsd(n: number): number[] {
  let x = 0x9e3779b9;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return fromCents(100 + ((x >>> 0) % 3901));
  });
}

type Outcome = { ok: true; amountUsd: number } | { ok: false; kind: 'budget' | 'daily' | 'other'; error: unknown };

/**
 * Calls in flight at once: as many Lambdas racing for one counter as a burst of purchases would
 * start, and within the SDK's default 50 sockets (beyond that, calls only queue in the client).
 */
const IN_FLIGHT = 32;

/** Runs `task` for every index, at most IN_FLIGHT at a time; results in index order. */
async function pool<T>(count: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
  return out;
}

async function reserveAll(guard: DynamoSpendGuard, prefix: string, amounts: number[], at: Date): Promise<Outcome[]> {
  return pool(amounts.length, async (i): Promise<Outcome> => {
    const amountUsd = amounts[i]!;
    try {
      await guard.reserve({ purchaseId: `${prefix}-${i}`, vendor: 'cocalc', amountUsd, at });
      return { ok: true, amountUsd };
    } catch (error) {
      const kind = error instanceof BudgetExceededError ? 'budget' : error instanceof DailyLimitExceededError ? 'daily' : 'other';
      return { ok: false, kind, error };
    }
  });
}

const sumCents = (outcomes: Outcome[]) => outcomes.reduce((s, o) => s + (o.ok ? toCents(o.amountUsd) : 0), 0);

export async function runSpendGuard(attempts: number): Promise<{ results: SpendGuardResults; rows: Row[] }> {
  const dynamo = await startDynamo({ tables: [stateTable('bench-cap'), stateTable('bench-daily')], region: 'us-east-1' });
  try {
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const at = new Date();

    const alone = new DynamoSpendGuard(doc, 'bench-cap', { capsUsd: { cocalc: 1_000_000, interserver: 0 }, dailyLimit: 1_000_000 });
    const sequential: number[] = [];
    for (let i = 0; i < 20; i++) {
      sequential.push((await timed(() => alone.reserve({ purchaseId: `alone-${i}`, vendor: 'interserver', amountUsd: 0, at }))).ms);
    }

    // Cap: about a third of what all attempts ask for, so the race is real; no daily limit in the way.
    const amounts = amountsUsd(attempts);
    const capUsd = Math.round(amounts.reduce((s, a) => s + a, 0) / 3);
    const guard = new DynamoSpendGuard(doc, 'bench-cap', { capsUsd: { cocalc: capUsd, interserver: 0 }, dailyLimit: attempts * 10 });
    const reserve = await timed(() => reserveAll(guard, 'cap', amounts, at));
    const outcomes = reserve.value;
    const granted = outcomes.filter((o) => o.ok).length;
    const refusedBudget = outcomes.filter((o) => !o.ok && o.kind === 'budget').length;
    const other = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok && o.kind !== 'budget');
    const reservedUsd = (await guard.remaining('cocalc', at)).reservedUsd;
    const grantedSumUsd = fromCents(sumCents(outcomes));
    const capHeld = reservedUsd <= capUsd && toCents(reservedUsd) === toCents(grantedSumUsd) && other.length === 0;

    const grantedIds = outcomes.flatMap((o, i) => (o.ok ? [`cap-${i}`] : []));
    const release = await timed(() => pool(grantedIds.length, (i) => guard.release(grantedIds[i]!)));
    const reservedAfterReleaseUsd = (await guard.remaining('cocalc', at)).reservedUsd;

    // Daily limit: plenty of budget, a count limit of a quarter of the attempts.
    const dailyAttempts = Math.max(20, Math.round(attempts / 4));
    const dailyLimit = Math.round(dailyAttempts / 4);
    const dailyAmounts = amountsUsd(dailyAttempts);
    const daily = new DynamoSpendGuard(doc, 'bench-daily', { capsUsd: { cocalc: 1_000_000, interserver: 0 }, dailyLimit });
    const dailyOutcomes = await reserveAll(daily, 'daily', dailyAmounts, at);
    const dailyGranted = dailyOutcomes.filter((o) => o.ok).length;
    const dailyOther = dailyOutcomes.filter((o) => !o.ok && o.kind !== 'daily').length;
    const dailyBudgetUsd = (await daily.remaining('cocalc', at)).reservedUsd;
    const dailyGrantedSumUsd = fromCents(sumCents(dailyOutcomes));
    // Refused purchases must give back the budget they claimed before the daily check refused them.
    const dailyLimitHeld = dailyGranted === dailyLimit && dailyOther === 0 && toCents(dailyBudgetUsd) === toCents(dailyGrantedSumUsd);

    const results: SpendGuardResults = {
      attempts,
      inFlight: IN_FLIGHT,
      sequentialReserveMedianMs: median(sequential),
      reservePerSec: (attempts / reserve.ms) * 1000,
      capUsd,
      granted,
      refusedBudget,
      otherErrors: other.length,
      reservedUsd,
      grantedSumUsd,
      capHeld,
      releasePerSec: (grantedIds.length / release.ms) * 1000,
      reservedAfterReleaseUsd,
      dailyLimit,
      dailyAttempts,
      dailyGranted,
      dailyBudgetUsd,
      dailyGrantedSumUsd,
      dailyLimitHeld,
    };
    const firstOther = other[0]?.error;
    const rows: Row[] = [
      { section: '6 spend guard', metric: 'reserve(), one at a time', value: fmtMs(results.sequentialReserveMedianMs), note: 'median of 20' },
      {
        section: '6 spend guard',
        metric: 'concurrent reserve()',
        value: `${fmtNumber(results.reservePerSec)} /s`,
        note: `${attempts} purchases, ${IN_FLIGHT} in flight, on dynalite; ${fmtNumber(reserve.ms)} ms in all`,
      },
      {
        section: '6 spend guard',
        metric: 'monthly cap held',
        value: capHeld ? 'yes' : 'NO',
        note:
          `${formatUsd(reservedUsd)} reserved of ${formatUsd(capUsd)} cap; ${granted} granted (sum ${formatUsd(grantedSumUsd)}), ` +
          `${refusedBudget} refused` +
          (other.length ? `, ${other.length} other errors (${String((firstOther as Error)?.message ?? firstOther)})` : ''),
      },
      {
        section: '6 spend guard',
        metric: 'concurrent release()',
        value: `${fmtNumber(results.releasePerSec)} /s`,
        note: `${grantedIds.length} granted ones, ${IN_FLIGHT} in flight; ${formatUsd(reservedAfterReleaseUsd)} reserved afterwards`,
      },
      {
        section: '6 spend guard',
        metric: 'daily limit held',
        value: dailyLimitHeld ? 'yes' : 'NO',
        note: `${dailyGranted} of ${dailyAttempts} granted, ${IN_FLIGHT} in flight, limit ${dailyLimit}; budget counter ${formatUsd(dailyBudgetUsd)} = granted ${formatUsd(dailyGrantedSumUsd)}`,
      },
    ];
    return { results, rows };
  } finally {
    await dynamo.close();
  }
}
