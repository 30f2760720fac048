import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Vendor } from '../../core/purchase-request';
import type { CountedReservation, ReservationState } from '../../core/reconcile';
import type { ReservationLedger } from '../../core/reconcile-deps';
import { budgetKey, MEMBER_ATTRIBUTE_PREFIX, reservationKey } from './spend-guard-items';

/**
 * {@link ReservationLedger} on the spend guard's own items (dynamo-spend-guard.ts): the monthly
 * budget counter `BUDGET#<vendor>#<month>` names every purchase it still counts as an attribute
 * `p_<purchaseId>`, so one GetItem per vendor and month lists them; no Scan, no index.
 */
export class DynamoReservationLedger implements ReservationLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async counted(vendor: Vendor, month: string): Promise<CountedReservation[]> {
    const counter = await this.get(budgetKey(vendor, month));
    const ids = Object.keys(counter ?? {})
      .filter((k) => k.startsWith(MEMBER_ATTRIBUTE_PREFIX))
      .map((k) => k.slice(MEMBER_ATTRIBUTE_PREFIX.length));
    const out: CountedReservation[] = [];
    for (const purchaseId of ids) {
      const record = await this.get(reservationKey(purchaseId));
      out.push({
        purchaseId,
        vendor,
        month,
        ...(typeof record?.status === 'string' ? { status: record.status as ReservationState } : {}),
        ...(typeof record?.updatedAt === 'string' ? { updatedAt: record.updatedAt } : {}),
      });
    }
    return out;
  }

  private async get(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    return (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
  }
}
