import { describe, expect, it } from 'vitest';
import { choiceRuleText, choiceRuleTexts } from '../../lib/graph/choice-rule-text';
import { workflowGraph } from '../../lib/graph/workflow-graph';
import { EVERY_KIND, EVERY_KIND_STATES } from '../fixtures/graph-definitions';

describe('workflowGraph', () => {
  const graph = workflowGraph(EVERY_KIND);

  it('has one node per state, nested branch and iterator states included, with what each does', () => {
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([...EVERY_KIND_STATES].sort());
    const node = (id: string) => graph.nodes.find((n) => n.id === id)!;
    expect(node('Quote')).toMatchObject({
      type: 'Task',
      detail: 'Task · Lambda',
      retries: ['VendorTransientError', 'Lambda.TooManyRequestsException'],
      start: true,
      end: false,
    });
    expect(node('Approve').detail).toBe('Task · Lambda, waits for a callback');
    expect(node('Hold').detail).toBe('Wait · 5 s');
    expect(node('Failed')).toMatchObject({ detail: 'Fail · PurchaseFailed', end: true });
    expect(node('Notify')).toMatchObject({ parent: 'Fanout', end: true });
    expect(node('Verify')).toMatchObject({ parent: 'EachItem', type: 'Task' });
    expect(graph.startAt).toBe('Quote');
  });

  it('has an edge for every Next, Choice rule, Default, Catch and branch, labelled', () => {
    const edges = graph.edges.map((e) => `${e.from}>${e.to}:${e.kind}:${e.label ?? ''}`);
    expect(edges.sort()).toEqual(
      [
        'Quote>IsBig:next:',
        'Quote>Cleanup:catch:States.ALL',
        'IsBig>Approve:choice:$.amount > 100',
        'IsBig>Hold:choice:$.vendor == "cocalc" and $.slot is present',
        'IsBig>Fanout:default:default',
        'Hold>Quote:next:',
        'Approve>Fanout:next:',
        'Approve>Approve:catch:Busy',
        'Approve>Cleanup:catch:Rejected, States.Timeout',
        'Fanout>EachItem:next:',
        'Fanout>Notify:branch:',
        'Fanout>Audit:branch:',
        'EachItem>Done:next:',
        'EachItem>Verify:branch:',
        'Cleanup>Failed:next:',
      ].sort(),
    );
  });

  it('refuses a transition to a state the definition does not have, and a name used twice', () => {
    expect(() => workflowGraph({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } })).toThrow(
      /A goes to Nowhere, which the definition does not have/,
    );
    const twice = { StartAt: 'A', States: { A: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }], End: true } } };
    expect(() => workflowGraph(twice)).toThrow(/state name A is used twice/);
    expect(() => workflowGraph({ States: {} })).toThrow(/needs StartAt and States/);
  });
});

describe('choiceRuleText', () => {
  it.each([
    [{ Variable: '$.v', StringEquals: 'cocalc' }, '$.v == "cocalc"'],
    [{ Variable: '$.ok', BooleanEquals: true }, '$.ok == true'],
    [{ Variable: '$.n', NumericLessThanEqualsPath: '$.max' }, '$.n <= $.max'],
    [{ Variable: '$.s', StringMatches: 'log-*' }, '$.s matches "log-*"'],
    [{ Variable: '$.t', IsNull: false }, '$.t is not null'],
    [{ Not: { Variable: '$.n', NumericGreaterThan: 3 } }, 'not($.n > 3)'],
    [
      {
        Or: [
          { Variable: '$.a', NumericEquals: 1 },
          { Variable: '$.b', IsString: true },
        ],
      },
      '$.a == 1 or $.b is a string',
    ],
  ])('%j reads %s', (rule, text) => {
    expect(choiceRuleText(rule)).toBe(text);
  });
});

describe('choiceRuleTexts', () => {
  const approved = { Variable: '$.approval.decision', StringEquals: 'APPROVED' };
  it('writes the conjunct every rule shares last, so the part that tells the edges apart survives a short label', () => {
    const rules = [
      { And: [approved, { Variable: '$.quote.vendor', StringEquals: 'cocalc' }], Next: 'Checkout' },
      { And: [approved, { Variable: '$.quote.vendor', StringEquals: 'interserver' }], Next: 'BuyLicense' },
    ];
    expect(choiceRuleTexts(rules)).toEqual([
      '$.quote.vendor == "cocalc" and $.approval.decision == "APPROVED"',
      '$.quote.vendor == "interserver" and $.approval.decision == "APPROVED"',
    ]);
  });

  it('leaves rules without a shared conjunct, and a lone rule, as written', () => {
    const a = {
      And: [
        { Variable: '$.a', NumericEquals: 1 },
        { Variable: '$.b', NumericEquals: 2 },
      ],
      Next: 'X',
    };
    const b = { Variable: '$.c', IsPresent: true, Next: 'Y' };
    expect(choiceRuleTexts([a, b])).toEqual(['$.a == 1 and $.b == 2', '$.c is present']);
    expect(choiceRuleTexts([a])).toEqual(['$.a == 1 and $.b == 2']);
  });
});
