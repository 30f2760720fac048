import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { STATE_TABLE } from '../../lambdas/shared/table-keys';

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
  }

  /** The item reads and writes of {@link STATE_TABLE_ACTIONS}, on this table only (it has no index). */
  grantStateAccess(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: [...STATE_TABLE_ACTIONS], resourceArns: [this.tableArn] });
  }
}
