import { SFNClient } from '@aws-sdk/client-sfn';

/** Created once per cold start; see ./dynamodb.ts for why each client has its own module. */
let sfn: SFNClient | undefined;

/** Step Functions client (StartExecution, DescribeExecution, SendTaskSuccess/Failure). */
export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}
