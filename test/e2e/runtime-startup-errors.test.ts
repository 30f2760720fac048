import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, TaskMappingError } from '../../lib/local';
import { fixtureAssembly } from '../support/fixture-runtime';

describe('start-up checks', () => {
  const project = mkdtempSync(join(tmpdir(), 'procure-broken-'));
  let templateFile: string;
  let original: string;

  beforeAll(async () => {
    cpSync(await fixtureAssembly(), join(project, 'cdk.out'), { recursive: true });
    templateFile = join(project, 'cdk.out', 'ProcureFixture.template.json');
    original = readFileSync(templateFile, 'utf8');
  });

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('refuses to start when a Task cannot be mapped to a Lambda of the template, before starting anything', async () => {
    const template = JSON.parse(original) as {
      Resources: Record<string, { Type: string; Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } } }>;
    };
    const sm = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    // Notify now points at a function that is not in the stack: locally that would be a call to AWS.
    sm.Properties.DefinitionString['Fn::Join'][1] = sm.Properties.DefinitionString['Fn::Join'][1].map((p) =>
      JSON.stringify(p) === JSON.stringify({ 'Fn::GetAtt': ['EchoBC7213C32', 'Arn'] }) ? 'arn:aws:lambda:us-east-1:999999999999:function:SomewhereElse' : p,
    );
    writeFileSync(templateFile, JSON.stringify(template));
    const err = await startLocalRuntime({ projectDir: project, synth: 'never', inMemory: true, dataDir: join(project, 'data'), sandboxes: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TaskMappingError);
    expect((err as TaskMappingError).problems).toEqual([
      "Notify: no Lambda function in the template matches 'arn:aws:lambda:us-east-1:999999999999:function:SomewhereElse'",
    ]);
    expect(existsSync(join(project, 'data'))).toBe(false);
  });

  it('refuses an event rule pattern it cannot evaluate', async () => {
    const template = JSON.parse(original) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule')!;
    rule.Properties.EventPattern = { source: ['procure.requests'], detail: { ip: [{ cidr: '10.0.0.0/8' }] } };
    writeFileSync(templateFile, JSON.stringify(template));
    await expect(startLocalRuntime({ projectDir: project, synth: 'never', inMemory: true, sandboxes: false })).rejects.toThrow(/unsupported matcher/);
  });
});
