import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDoctorTarget } from '../../lib/cli/doctor/target';
import { REQUIRED_OUTPUTS, resourcesFromOutputs } from '../../lib/cli/stack-resources';

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/';

/** What `cdk deploy --outputs-file` writes for one stack. */
function outputs(api = API): Record<string, string> {
  return {
    ApiUrl: api,
    StateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Procure-Purchase',
    AuditTableName: 'Procure-AuditTable-1',
    StateTableName: 'Procure-StateTable-1',
    CocalcSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:c-AbCdEf',
    InterserverSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:i-AbCdEf',
    SigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCdEf',
    TriggerRuleName: 'Procure-PurchaseTriggerRequested-1',
    EventBusName: 'default',
    SenderEmail: 'procure@acme.test',
    ApproverEmails: 'a@acme.test, b@acme.test',
    CocalcBaseUrl: 'https://cocalc.com/api/v2',
    InterserverWsdlUrl: 'https://my.interserver.net/api.php?wsdl',
  };
}

describe('a deployment from its outputs file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procure-doctor-target-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (stacks: Record<string, unknown>) => {
    const f = join(dir, `outputs-${Object.keys(stacks).join('-')}.json`);
    writeFileSync(f, JSON.stringify(stacks));
    return f;
  };

  it('reads every resource, the approvers as a list, and the API and its region from ApiUrl', () => {
    const t = resolveDoctorTarget({ outputs: file({ Procure: outputs() }) });
    expect(t.kind).toBe('deployment');
    expect(t.api).toMatchObject({ apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod', region: 'eu-west-1', local: false });
    expect(t.endpoints).toBeUndefined();
    expect(t.resources).toEqual({
      stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Procure-Purchase',
      auditTable: 'Procure-AuditTable-1',
      stateTable: 'Procure-StateTable-1',
      secrets: { cocalc: outputs().CocalcSecretArn, interserver: outputs().InterserverSecretArn, signing: outputs().SigningSecretArn },
      triggerRule: { name: 'Procure-PurchaseTriggerRequested-1', bus: 'default' },
      senderEmail: 'procure@acme.test',
      approverEmails: ['a@acme.test', 'b@acme.test'],
      settings: { cocalcBaseUrl: 'https://cocalc.com/api/v2', interserverWsdlUrl: 'https://my.interserver.net/api.php?wsdl' },
    });
  });

  it('picks the stack whose ApiUrl is --api when the file holds several, and says so when none or several fit', () => {
    const other = 'https://zzz999.execute-api.us-west-2.amazonaws.com/prod';
    const f = file({ Procure: outputs(), ProcureStaging: outputs(other) });
    expect(resolveDoctorTarget({ outputs: f, api: other }).source).toBe(`${f} (stack ProcureStaging)`);
    expect(() => resolveDoctorTarget({ outputs: f })).toThrow(/holds 2 stacks \(Procure, ProcureStaging\): pass --api/);
    expect(() => resolveDoctorTarget({ outputs: f, api: 'https://nope.execute-api.us-east-1.amazonaws.com/prod' })).toThrow(
      /no stack in .* has the ApiUrl https:\/\/nope/,
    );
  });

  it('names every output an older deployment lacks, and how to get a missing file', () => {
    const { TriggerRuleName: _t, SenderEmail: _s, ...older } = outputs();
    expect(() => resourcesFromOutputs(older, 'x.json')).toThrow('x.json lacks the output(s) TriggerRuleName, SenderEmail: deploy this version of procure');
    expect(REQUIRED_OUTPUTS.every((k) => k in outputs())).toBe(true);
    expect(() => resolveDoctorTarget({ outputs: join(dir, 'missing.json') })).toThrow(
      /cannot read the stack outputs .*missing\.json \(ENOENT\): write them with 'npx cdk deploy --outputs-file/,
    );
  });

  it('refuses an --api that is not a URL as a usage error', () => {
    expect(() => resolveDoctorTarget({ api: 'execute-api/prod' })).toThrow(
      expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/--api must be a URL like https:/) }),
    );
  });

  it('checks the local runtime when given no deployment, and says how to start one when none runs', () => {
    expect(() => resolveDoctorTarget({ dataDir: join(dir, 'no-runtime') })).toThrow(/no local runtime found .*start one with 'npm start'/);
    expect(() => resolveDoctorTarget({ dataDir: join(dir, 'no-runtime'), api: 'http://127.0.0.1:3000' })).toThrow(/no local runtime found/);
  });
});
