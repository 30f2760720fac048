import { choiceRuleTexts } from './choice-rule-text';

/**
 * The state machine as a graph: one node per state (nested Parallel branches and Map iterators
 * included) and one edge per transition the definition names: `Next`, each Choice rule, `Default`,
 * each `Catch` (labelled with its error names) and, into a Parallel or Map state's inner states,
 * `branch`. Read from the ASL the synthesized template holds, never from a copy of the workflow.
 */
export type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'branch';

export interface GraphNode {
  /** The state's name (unique across the whole machine, as Step Functions requires). */
  id: string;
  /** ASL `Type`: Task, Choice, Pass, Wait, Succeed, Fail, Parallel, Map. */
  type: string;
  /** What the state does, in a few words: `Task · Lambda`, `Wait · until $.x`. */
  detail: string;
  /** The error names of its `Retry` rules, in order. */
  retries: string[];
  start: boolean;
  /** A state the execution (or its branch) can end in: `End`, Succeed or Fail. */
  end: boolean;
  /** The Parallel or Map state whose branch holds it. */
  parent?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** A Choice rule's condition, `default`, or a Catch's error names. */
  label?: string;
}

export interface WorkflowGraph {
  startAt: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface StatesBlock {
  StartAt?: unknown;
  States?: unknown;
}

type AslState = Record<string, unknown>;

/** The graph of an ASL definition (as `aslFromTemplate` returns it). Throws on a dangling transition. */
export function workflowGraph(definition: StatesBlock): WorkflowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const startAt = addBlock(definition, undefined, nodes, edges);
  const ids = new Set(nodes.map((n) => n.id));
  for (const e of edges) {
    if (!ids.has(e.to)) throw new Error(`state ${e.from} goes to ${e.to}, which the definition does not have`);
  }
  return { startAt, nodes, edges };
}

function addBlock(block: StatesBlock, parent: string | undefined, nodes: GraphNode[], edges: GraphEdge[]): string {
  const { StartAt: startAt, States: states } = block;
  if (typeof startAt !== 'string' || !states || typeof states !== 'object') throw new Error('a state machine definition needs StartAt and States');
  for (const [name, raw] of Object.entries(states as Record<string, AslState>)) {
    if (nodes.some((n) => n.id === name)) throw new Error(`state name ${name} is used twice`);
    const type = String(raw.Type ?? '');
    nodes.push({
      id: name,
      type,
      detail: detailOf(type, raw),
      retries: errorNames(raw.Retry),
      start: name === startAt,
      end: raw.End === true || type === 'Succeed' || type === 'Fail',
      ...(parent !== undefined ? { parent } : {}),
    });
    edges.push(...transitionsOf(name, raw));
    for (const inner of innerBlocks(raw)) edges.push({ from: name, to: addBlock(inner, name, nodes, edges), kind: 'branch' });
  }
  return startAt;
}

function transitionsOf(name: string, state: AslState): GraphEdge[] {
  const out: GraphEdge[] = [];
  if (typeof state.Next === 'string') out.push({ from: name, to: state.Next, kind: 'next' });
  if (Array.isArray(state.Choices)) {
    const rules = state.Choices as AslState[];
    const labels = choiceRuleTexts(rules);
    rules.forEach((rule, i) => {
      if (typeof rule.Next === 'string') out.push({ from: name, to: rule.Next, kind: 'choice', label: labels[i]! });
    });
  }
  if (typeof state.Default === 'string') out.push({ from: name, to: state.Default, kind: 'default', label: 'default' });
  if (Array.isArray(state.Catch)) {
    for (const c of state.Catch as AslState[]) {
      if (typeof c.Next === 'string') out.push({ from: name, to: c.Next, kind: 'catch', label: errorNames([c]).join(', ') });
    }
  }
  return out;
}

/** A Parallel state's branches, a Map state's item processor (or its older `Iterator`). */
function innerBlocks(state: AslState): StatesBlock[] {
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) return state.Branches as StatesBlock[];
  if (state.Type === 'Map') {
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner && typeof inner === 'object') return [inner as StatesBlock];
  }
  return [];
}

function errorNames(rules: unknown): string[] {
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((r) => (Array.isArray((r as AslState).ErrorEquals) ? ((r as AslState).ErrorEquals as unknown[]).map(String) : []));
}

function detailOf(type: string, state: AslState): string {
  switch (type) {
    case 'Task':
      return `Task · ${taskKind(String(state.Resource ?? ''))}`;
    case 'Wait':
      if (typeof state.Seconds === 'number') return `Wait · ${state.Seconds} s`;
      if (typeof state.SecondsPath === 'string') return `Wait · ${state.SecondsPath} s`;
      if (typeof state.TimestampPath === 'string') return `Wait · until ${state.TimestampPath}`;
      return typeof state.Timestamp === 'string' ? `Wait · until ${state.Timestamp}` : 'Wait';
    case 'Fail':
      return typeof state.Error === 'string' ? `Fail · ${state.Error}` : 'Fail';
    default:
      return type;
  }
}

/** `Lambda`, `Lambda, waits for a callback`, or the service an optimized integration calls. */
function taskKind(resource: string): string {
  if (/^arn:[^:]+:lambda:/.test(resource)) return 'Lambda';
  const m = /^arn:[^:]+:states:::([a-z0-9-]+):?([A-Za-z0-9]*)(\.waitForTaskToken|\.sync(?::2)?)?$/.exec(resource);
  if (!m) return 'activity or other';
  const service = m[1] === 'lambda' ? 'Lambda' : m[1]!;
  if (m[3] === '.waitForTaskToken') return `${service}, waits for a callback`;
  if (m[3]?.startsWith('.sync')) return `${service}, waits for the job`;
  return service;
}
