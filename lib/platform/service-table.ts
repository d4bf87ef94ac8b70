import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import type { Stage } from './stage';
// The generic single-table keys every context uses, defined once with the stores that read them.
import { TABLE_KEYS } from '../../functions/shared/dynamo/keys';

export { TABLE_KEYS };
/** GSIs are sparse and named by number. */
export type IndexName = 'gsi1' | 'gsi2';

export interface ServiceTableProps {
  readonly stage: Stage;
  /**
   * Global secondary indexes to create (keys `<name>pk` / `<name>sk`).
   * @default - none
   */
  readonly indexes?: readonly IndexName[];
  /**
   * Publishes a NEW_IMAGE stream: needed when the table holds an outbox.
   * @default false
   */
  readonly stream?: boolean;
}

/**
 * A context's DynamoDB table: on demand, encrypted, TTL on `ttl`; prod keeps it on delete,
 * protects it from deletion and enables point-in-time recovery.
 */
export class ServiceTable extends Table {
  readonly indexNames: readonly IndexName[];

  constructor(scope: Construct, id: string, props: ServiceTableProps) {
    const { stage } = props;
    super(scope, id, {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TABLE_KEYS.ttl,
      stream: props.stream ? StreamViewType.NEW_IMAGE : undefined,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: stage.prod },
      deletionProtection: stage.prod,
      removalPolicy: stage.removalPolicy,
    });
    this.indexNames = props.indexes ?? [];
    for (const indexName of this.indexNames) {
      this.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: `${indexName}pk`, type: AttributeType.STRING },
        sortKey: { name: `${indexName}sk`, type: AttributeType.STRING },
      });
    }
    if (!stage.prod) {
      acknowledgeNagFinding(this, 'AwsSolutions-DDB3', 'dev tables are disposable test data; the prod stage enables point-in-time recovery');
    }
  }
}
