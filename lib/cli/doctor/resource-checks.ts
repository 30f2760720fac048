import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException as TableNotFound } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { awsConfig } from './aws-config';
import { errorText, fail, pass, type CheckResult } from './check';
import type { DoctorTarget } from './target';

/** The workflow's own resources, read only: the trigger rule enabled, the state machine and both tables present. */
export async function checkResources(t: DoctorTarget): Promise<CheckResult[]> {
  return Promise.all([checkRule(t), checkStateMachine(t), checkTable(t, 'audit'), checkTable(t, 'state')]);
}

const deployFix = (t: DoctorTarget): string =>
  t.kind === 'local' ? 'restart the local runtime (npm start)' : 'deploy the stack (npx cdk deploy) and check the outputs file is its latest';

async function checkRule(t: DoctorTarget): Promise<CheckResult> {
  const name = 'trigger rule';
  const { name: ruleName, bus } = t.resources.triggerRule;
  const client = new EventBridgeClient(awsConfig(t, 'aws'));
  try {
    const rule = await client.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: bus }));
    if (rule.State !== 'ENABLED')
      return fail(
        name,
        `${ruleName} on bus ${bus} is ${rule.State ?? 'in no state'}: request events start no purchase`,
        `aws events enable-rule --name ${ruleName} --event-bus-name ${bus}`,
      );
    return pass(name, `${ruleName} on bus ${bus} is ENABLED`);
  } catch (err) {
    return fail(name, `cannot read ${ruleName} on bus ${bus}: ${errorText(err)}`, deployFix(t));
  } finally {
    client.destroy();
  }
}

async function checkStateMachine(t: DoctorTarget): Promise<CheckResult> {
  const name = 'state machine';
  const arn = t.resources.stateMachineArn;
  const client = new SFNClient(awsConfig(t, 'aws'));
  try {
    const sm = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    if (sm.status !== 'ACTIVE') return fail(name, `${arn} is ${sm.status}`, deployFix(t));
    return pass(name, `${sm.name} is ACTIVE`);
  } catch (err) {
    return fail(name, `cannot describe ${arn}: ${errorText(err)}`, deployFix(t));
  } finally {
    client.destroy();
  }
}

async function checkTable(t: DoctorTarget, which: 'audit' | 'state'): Promise<CheckResult> {
  const name = `${which} table`;
  const table = which === 'audit' ? t.resources.auditTable : t.resources.stateTable;
  const client = new DynamoDBClient(awsConfig(t, 'dynamodb'));
  try {
    const d = await client.send(new DescribeTableCommand({ TableName: table }));
    if (d.Table?.TableStatus !== 'ACTIVE') return fail(name, `${table} is ${d.Table?.TableStatus ?? 'in no status'}`, deployFix(t));
    return pass(name, `${table} is ACTIVE`);
  } catch (err) {
    return fail(name, err instanceof TableNotFound ? `${table} does not exist` : `cannot describe ${table}: ${errorText(err)}`, deployFix(t));
  } finally {
    client.destroy();
  }
}
