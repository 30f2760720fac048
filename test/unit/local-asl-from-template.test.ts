import { describe, expect, it } from 'vitest';
import { aslFromTemplate } from '../../lib/local/asl-from-template';
import { DEFAULT_RESOLVE_ENV, IntrinsicResolutionError, type CfnTemplate } from '../../lib/local/cfn-template';
import { resolveIntrinsics } from '../../lib/local/cfn-intrinsics';
import { FunctionDirectory, type LambdaSpec } from '../../lib/local/lambda-functions';
import { bindTasks, MAX_TIMER_SECONDS, TaskMappingError, withExplicitTaskTimeouts } from '../../lib/local/task-bindings';

const template: CfnTemplate = {
  Parameters: { Stage: { Type: 'String', Default: 'prod' } },
  Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  Mappings: { Sizes: { prod: { memory: '512' } } },
  Resources: {
    Quote1A2B3C4D: { Type: 'AWS::Lambda::Function', Properties: {}, Metadata: { 'aws:cdk:path': 'Procure/Quote/Resource', 'aws:asset:path': 'asset.q' } },
    Named5E6F7A8B: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'named-fn' }, Metadata: { 'aws:cdk:path': 'Procure/Named/Resource' } },
    StateTable9728C7E5: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    SigningKeyD82FC369: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
    Flow193EF7C1: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'Purchase']] },
        DefinitionString: {
          'Fn::Join': [
            '',
            [
              '{"StartAt":"Quote","States":{"Quote":{"Type":"Task","Resource":"',
              { 'Fn::GetAtt': ['Quote1A2B3C4D', 'Arn'] },
              '","Next":"Approve"},"Approve":{"Type":"Task","Resource":"arn:',
              { Ref: 'AWS::Partition' },
              ':states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"',
              { 'Fn::GetAtt': ['Quote1A2B3C4D', 'Arn'] },
              '","Payload":{"taskToken.$":"$$.Task.Token"}},"TimeoutSeconds":600,"Next":"Par"},',
              '"Par":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"Inner","States":{"Inner":{"Type":"Task","Resource":"${InnerArn}","End":true}}}]}}}',
            ],
          ],
        },
        DefinitionSubstitutions: { InnerArn: { 'Fn::GetAtt': ['Quote1A2B3C4D', 'Arn'] } },
      },
    },
  },
};

const env = { ...DEFAULT_RESOLVE_ENV, stackName: 'Procure' };
const r = (node: unknown) => resolveIntrinsics(node, template, env);

describe('the intrinsic resolver', () => {
  it('resolves Ref, Fn::GetAtt and pseudo parameters to local names that keep the logical id', () => {
    expect(r({ Ref: 'StateTable9728C7E5' })).toBe('StateTable9728C7E5');
    expect(r({ 'Fn::GetAtt': ['Quote1A2B3C4D', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:123456789012:function:Quote1A2B3C4D');
    expect(r({ 'Fn::GetAtt': 'StateTable9728C7E5.Arn' })).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/StateTable9728C7E5');
    expect(r({ Ref: 'Named5E6F7A8B' })).toBe('named-fn');
    expect(r({ Ref: 'SigningKeyD82FC369' })).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:SigningKeyD82FC369-[A-Za-z]{6}$/);
    expect(r({ Ref: 'Flow193EF7C1' })).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Procure-Purchase');
    expect(r([{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::URLSuffix' }, { Ref: 'AWS::StackName' }])).toEqual([
      'aws',
      'us-east-1',
      '123456789012',
      'amazonaws.com',
      'Procure',
    ]);
  });

  it('resolves Fn::Join, Fn::Sub (both forms), Fn::Select, Fn::Split, Fn::If, Fn::FindInMap and parameters', () => {
    expect(r({ 'Fn::Join': ['/', ['a', { Ref: 'Stage' }, 'c']] })).toBe('a/prod/c');
    expect(r({ 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-Purchase' })).toBe(
      'arn:aws:states:us-east-1:123456789012:stateMachine:Procure-Purchase',
    );
    expect(r({ 'Fn::Sub': ['${Fn}/${StateTable9728C7E5.Arn}/${X}/${!Literal}', { X: { Ref: 'Stage' }, Fn: 'f' }] })).toBe(
      'f/arn:aws:dynamodb:us-east-1:123456789012:table/StateTable9728C7E5/prod/${Literal}',
    );
    expect(r({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(r({ 'Fn::If': ['IsProd', 'yes', 'no'] })).toBe('yes');
    expect(r({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] })).toBe('512');
  });

  it('drops AWS::NoValue properties and array items', () => {
    expect(r({ a: { Ref: 'AWS::NoValue' }, b: [1, { Ref: 'AWS::NoValue' }, 2] })).toEqual({ b: [1, 2] });
  });

  it('refuses what cannot be resolved offline', () => {
    expect(() => r({ 'Fn::ImportValue': 'OtherStack-Thing' })).toThrow(IntrinsicResolutionError);
    expect(() => r({ Ref: 'NoSuchResource' })).toThrow(/unknown resource or parameter 'NoSuchResource'/);
  });
});

describe('aslFromTemplate', () => {
  it('returns the resolved definition with substitutions applied', () => {
    const asl = aslFromTemplate(template, { env });
    expect(asl.StartAt).toBe('Quote');
    expect(asl.States.Quote!.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:Quote1A2B3C4D');
    expect(asl.States.Approve!.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    const inner = (asl.States.Par!.Branches as Array<{ States: Record<string, { Resource: string }> }>)[0]!.States.Inner!;
    expect(inner.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:Quote1A2B3C4D');
  });

  it('rejects a JSONata machine, which the local engine cannot run', () => {
    const jsonata: CfnTemplate = {
      Resources: {
        M: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: '{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Succeed"}}}' },
        },
      },
    };
    expect(() => aslFromTemplate(jsonata)).toThrow(/JSONata/);
  });
});

function spec(logicalId: string, constructId: string, assetDir: string | undefined, name = logicalId): LambdaSpec {
  return {
    logicalId,
    constructId,
    name,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    ...(assetDir ? { assetDir } : {}),
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    timeoutSeconds: 30,
    memoryMb: 128,
    rawEnvironment: {},
  };
}

describe('Task bindings', () => {
  const functions = new FunctionDirectory([spec('Quote1A2B3C4D', 'Quote', '/x/asset.q'), spec('Inline9F8E7D6C', 'Inline', undefined)]);

  it('maps every Task, nested ones included, to the function of the same logical id', () => {
    const bindings = bindTasks(aslFromTemplate(template, { env }), functions);
    expect(bindings.map((b) => [b.stateName, b.integration, b.fn.constructId])).toEqual([
      ['Quote', 'lambda-arn', 'Quote'],
      ['Approve', 'lambda-callback', 'Quote'],
      ['Inner', 'lambda-arn', 'Quote'],
    ]);
    expect(functions.find('Quote')?.logicalId).toBe('Quote1A2B3C4D');
    expect(functions.find('arn:aws:lambda:us-east-1:123456789012:function:Quote1A2B3C4D:live')?.logicalId).toBe('Quote1A2B3C4D');
  });

  it('fails with every unmappable Task listed, never leaving one to call AWS', () => {
    const asl = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Next: 'B' },
        B: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Gone', Next: 'C' },
        C: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName.$': '$.fn' }, Next: 'D' },
        D: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Inline9F8E7D6C', End: true },
      },
    };
    let error: unknown;
    try {
      bindTasks(asl, functions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TaskMappingError);
    const problems = (error as TaskMappingError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^A: resource 'arn:aws:states:::dynamodb:putItem' is not a Lambda integration/);
    expect(problems[1]).toMatch(/^B: no Lambda function in the template matches/);
    expect(problems[2]).toMatch(/^C: FunctionName must be a static ARN/);
    expect(problems[3]).toMatch(/^D: function Inline9F8E7D6C has no bundled asset/);
  });

  it('makes Task timeouts explicit, since the engine would otherwise stop every Task after 60 s', () => {
    const asl = aslFromTemplate(template, { env });
    const bindings = bindTasks(asl, functions);
    const patched = withExplicitTaskTimeouts(asl, bindings, { Approve: 3 }).definition;
    expect(patched.States.Quote!.TimeoutSeconds).toBe(35); // the function's 30 s + margin
    expect(patched.States.Approve!.TimeoutSeconds).toBe(3);
    const inner = (patched.States.Par!.Branches as Array<{ States: Record<string, { TimeoutSeconds: number }> }>)[0]!.States.Inner!;
    expect(inner.TimeoutSeconds).toBe(35);
    const untouched = withExplicitTaskTimeouts(asl, bindings).definition;
    expect(untouched.States.Approve!.TimeoutSeconds).toBe(600);
    const long = withExplicitTaskTimeouts(asl, bindings, { Approve: 31_536_000 }).definition;
    expect(long.States.Approve!.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(asl.States.Quote!.TimeoutSeconds).toBeUndefined(); // the input is not modified
  });
});
