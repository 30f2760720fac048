import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { PURCHASE_INDEX, STATE_TABLE } from '../../lambdas/shared/table-keys';

/**
 * The item operations procure's state adapters use (lambdas/adapters/aws: conditional puts and
 * updates, gets, deletes of locks and released reservations). No Scan, no batch, no PartiQL.
 */
const STATE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/**
 * Working state (lambdas/shared/table-keys.ts): approvals with their task tokens, budget and daily
 * counters, reservations, locks, idempotency records and each purchase's current status.
 * `pk` / `sk` strings, on-demand, point-in-time recovery, AWS-managed KMS encryption, and TTL on
 * `ttl` so expired approvals and locks are tidied away (code never relies on TTL for expiry).
 *
 * One index, purchasesByStatus (`status`, `createdSeq`), for GET /purchases: sparse, because only
 * purchase records carry createdSeq, so approvals (task tokens), counters and locks never reach
 * it. It projects whole purchase records (they hold no secrets) so a page is one read per status.
 */
export class StateTable extends Table {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      partitionKey: { name: STATE_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: STATE_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: STATE_TABLE.ttlAttribute,
      // It holds the month's budget counters and pending approvals: kept when it leaves the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.addGlobalSecondaryIndex({
      indexName: PURCHASE_INDEX.name,
      partitionKey: { name: PURCHASE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: PURCHASE_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }

  /** The item reads and writes of {@link STATE_TABLE_ACTIONS}, on the table only (not its index). */
  grantStateAccess(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: [...STATE_TABLE_ACTIONS], resourceArns: [this.tableArn] });
  }

  /** GetItem on the table only: reading budget counters (POST /quotes), nothing that writes. */
  grantReadItems(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem'], resourceArns: [this.tableArn] });
  }

  /** Query on the purchasesByStatus index, named (not `index/*`): GET /purchases. */
  grantListPurchases(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [`${this.tableArn}/index/${PURCHASE_INDEX.name}`] });
  }
}
