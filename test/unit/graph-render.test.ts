import { describe, expect, it } from 'vitest';
import { executionPath } from '../../lib/graph/execution-path';
import { htmlPage } from '../../lib/graph/html-page';
import { renderSvg } from '../../lib/graph/render-svg';
import { workflowGraph } from '../../lib/graph/workflow-graph';
import { EVERY_KIND, EVERY_KIND_STATES, HOSTILE, HOSTILE_NAME } from '../fixtures/graph-definitions';

/** The tags renderSvg writes; anything else in the output would be injected markup. */
const OWN_TAGS = /^<\/?(svg|title|style|defs|marker|path|text|g|rect|circle)[\s>/]/;

const stateGroups = (svg: string) =>
  [...svg.matchAll(/<g class="(state[^"]*)" data-state="([^"]*)"/g)].map((m) => ({ classes: m[1]!.split(' '), name: m[2]! }));
const edgeGroups = (svg: string) =>
  [...svg.matchAll(/<g class="(edge[^"]*)" data-from="([^"]*)" data-to="([^"]*)"/g)].map((m) => ({ classes: m[1]!.split(' '), from: m[2]!, to: m[3]! }));

const entered = (name: string, type = 'Task') => ({ type: `${type}StateEntered`, stateEnteredEventDetails: { name } });
const exited = (name: string, type = 'Task') => ({ type: `${type}StateExited`, stateExitedEventDetails: { name } });

describe('renderSvg', () => {
  const graph = workflowGraph(EVERY_KIND);

  it('draws every state exactly once and every transition as an edge between the right states', () => {
    const svg = renderSvg(graph, { title: 'Flow' });
    expect(
      stateGroups(svg)
        .map((s) => s.name)
        .sort(),
    ).toEqual([...EVERY_KIND_STATES].sort());
    for (const name of EVERY_KIND_STATES) expect(svg.split(`>${name}</text>`)).toHaveLength(2);
    expect(edgeGroups(svg).map((e) => `${e.from}>${e.to}:${e.classes[1]}`)).toEqual(graph.edges.map((e) => `${e.from}>${e.to}:${e.kind}`));
    expect(svg).toContain('>Rejected, States.Timeout</text>');
    expect(svg).toContain('>$.amount &gt; 100</text>');
    expect(svg).not.toMatch(/class="[^"]*\b(visited|current|taken)\b/);
  });

  it('marks the states an execution entered, the transitions it took, and where it is now', () => {
    const path = executionPath([
      { type: 'ExecutionStarted' },
      entered('Quote'),
      exited('Quote'),
      entered('IsBig', 'Choice'),
      exited('IsBig', 'Choice'),
      entered('Approve'),
    ]);
    const svg = renderSvg(graph, { title: 'Flow', subtitle: 'purchase pur-1 · AWAITING_APPROVAL', path });
    const states = stateGroups(svg);
    expect(states.filter((s) => s.classes.includes('visited')).map((s) => s.name)).toEqual(['Quote', 'IsBig', 'Approve']);
    expect(states.filter((s) => s.classes.includes('current')).map((s) => s.name)).toEqual(['Approve']);
    expect(
      edgeGroups(svg)
        .filter((e) => e.classes.includes('taken'))
        .map((e) => `${e.from}>${e.to}`),
    ).toEqual(['Quote>IsBig', 'IsBig>Approve']);
    expect(svg).toContain('purchase pur-1 · AWAITING_APPROVAL</text>');
    expect(svg).toContain('class="legend current"');
  });

  it('is deterministic', () => {
    const path = executionPath([entered('Quote')]);
    expect(renderSvg(workflowGraph(structuredClone(EVERY_KIND)), { title: 'Flow', path })).toBe(renderSvg(graph, { title: 'Flow', path }));
  });

  it('escapes every text and attribute: hostile names, error names, conditions and captions stay text', () => {
    const path = executionPath([entered(HOSTILE_NAME), exited(HOSTILE_NAME), entered('After', 'Choice')]);
    const svg = renderSvg(workflowGraph(HOSTILE), { title: '<b>T</b>', subtitle: 'status "><script>x</script>', path });
    for (const tag of svg.match(/<[^<]*/g)!) expect(tag, tag).toMatch(OWN_TAGS);
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e\uD800-\uDFFF]/);
    const escapedName = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;\\x1b]8;;http://evil\\x07\\u202e';
    expect(stateGroups(svg).map((s) => s.name)).toEqual([escapedName, 'After', 'End']);
    expect(stateGroups(svg)[0]!.classes).toContain('visited');
    expect(svg).toContain(`>${escapedName}</text>`);
    expect(svg).toContain('&quot;/&gt;&lt;image href=x onerror=alert(1)&gt;&#39;\uFFFD');
    expect(svg).toContain('$.x == &quot;&lt;/text&gt;&lt;script&gt;1&lt;/script&gt;&quot;');
    expect(svg).toContain('status &quot;&gt;&lt;script&gt;x&lt;/script&gt;');
  });
});

describe('htmlPage', () => {
  it('wraps the SVG in a page that loads nothing and runs nothing, with the title escaped', () => {
    const svg = renderSvg(workflowGraph(EVERY_KIND), { title: 'Flow' });
    const html = htmlPage(svg, 'Flow: purchase <x>');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain(svg.trimEnd());
    expect(html).toContain("default-src 'none'; style-src 'unsafe-inline'");
    expect(html).toContain('<title>Flow: purchase &lt;x&gt;</title>');
    expect(html).not.toMatch(/<script|src=|href=/i);
  });
});
