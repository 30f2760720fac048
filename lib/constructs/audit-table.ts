import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, Grant, PolicyDocument, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { AUDIT_TABLE } from '../../lambdas/shared/table-keys';

/** The only write procure ever makes to the audit table (a conditional put of a new entry). */
const AUDIT_APPEND_ACTIONS = ['dynamodb:PutItem'] as const;
/** Reads of the audit trail: one purchase's entries (Query/GetItem) and the byStatus index. */
const AUDIT_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
/**
 * Writes that would change or remove an entry. Denied to every principal by the table's resource
 * policy, so no later grant (e.g. a careless `grantReadWriteData`) can make the trail mutable.
 * BatchWriteItem is in the list because a batch can carry DeleteRequests.
 */
const AUDIT_FORBIDDEN_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/**
 * The append-only audit trail: `purchaseId` / `seq`, GSI `byStatus` (`status`, `at`).
 * Point-in-time recovery, AWS-managed KMS encryption, deletion protection and RETAIN: the trail
 * outlives the stack and survives an accidental `cdk destroy`.
 *
 * Grant access only through {@link grantAppend} / {@link grantReadTrail}; the inherited
 * `grant*Data` helpers would add UpdateItem/DeleteItem (the resource policy denies them anyway).
 */
export class AuditTable extends Table {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      partitionKey: { name: AUDIT_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: AUDIT_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      resourcePolicy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AuditTrailIsAppendOnly',
            effect: Effect.DENY,
            principals: [new AnyPrincipal()],
            actions: [...AUDIT_FORBIDDEN_ACTIONS],
            // In a table's own resource policy `*` means "this table" (a GetAtt would be circular).
            resources: ['*'],
          }),
        ],
      }),
    });
    this.addGlobalSecondaryIndex({
      indexName: AUDIT_TABLE.statusIndex,
      partitionKey: { name: AUDIT_TABLE.statusIndexPartitionKey, type: AttributeType.STRING },
      sortKey: { name: AUDIT_TABLE.statusIndexSortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }

  /** PutItem on the table: enough to append entries, not to change them. */
  grantAppend(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: [...AUDIT_APPEND_ACTIONS], resourceArns: [this.tableArn] });
  }

  /** Reads of the trail: the table and the byStatus index (named, not `index/*`). */
  grantReadTrail(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [...AUDIT_READ_ACTIONS],
      resourceArns: [this.tableArn, `${this.tableArn}/index/${AUDIT_TABLE.statusIndex}`],
    });
  }
}
