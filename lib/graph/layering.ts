/**
 * The first steps of a layered (Sugiyama) drawing, deterministic for a given graph: cycles are
 * broken by a depth-first walk from the start state (an edge back to a state still on the walk's
 * path is drawn upwards), every state gets the layer of its longest path from a source, and an
 * edge that spans several layers is cut into a chain through one thin dummy vertex per layer in
 * between, so no edge is drawn across a box.
 */
export interface LayerInput {
  /** Node ids in a stable order (the definition's). */
  nodes: readonly string[];
  edges: ReadonlyArray<{ from: string; to: string }>;
  /** Where the depth-first walk starts (the start state). */
  start: string;
}

export interface Chain {
  /** Index into the input edges. */
  edge: number;
  /** Vertex ids from the upper end to the lower end: a node, dummies, a node. */
  vertices: string[];
  /** True when the edge goes upwards (from the chain's lower end to its upper end). */
  back: boolean;
}

export interface Layering {
  /** Vertex ids per layer (nodes and dummies), in the walk's order. */
  layers: string[][];
  layerOf: Map<string, number>;
  chains: Chain[];
  /** Edges from a state to itself (not layered; drawn as a loop). */
  selfLoops: number[];
  /** Walk order of the nodes, for stable tie-breaking. */
  rank: Map<string, number>;
}

/** Dummy vertices (an edge's bend points) have ids no state name can have. */
export const isDummy = (id: string): boolean => id.startsWith('\u0000');

/** Edge indices the walk found going back to a state on its current path. */
function backEdges(input: LayerInput, rank: Map<string, number>): Set<number> {
  const out = new Map<string, number[]>();
  input.edges.forEach((e, i) => {
    out.set(e.from, [...(out.get(e.from) ?? []), i]);
  });
  const back = new Set<number>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    rank.set(id, rank.size);
    for (const i of out.get(id) ?? []) {
      const to = input.edges[i]!.to;
      if (to === id) continue;
      if (state.get(to) === 'open') back.add(i);
      else if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
  };
  for (const id of [input.start, ...input.nodes]) if (!state.has(id) && input.nodes.includes(id)) visit(id);
  return back;
}

/** Longest-path layer of every node over the edges oriented downwards. */
function longestPathLayers(nodes: readonly string[], down: Array<[string, string]>): Map<string, number> {
  const preds = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const [u, v] of down) preds.get(v)!.push(u);
  const layer = new Map<string, number>();
  const layerOf = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    const l = Math.max(0, ...preds.get(id)!.map((p) => layerOf(p) + 1));
    layer.set(id, l);
    return l;
  };
  for (const n of nodes) layerOf(n);
  return layer;
}

/** Layers, chains and self-loops of a graph (see the module comment). */
export function layerGraph(input: LayerInput): Layering {
  const rank = new Map<string, number>();
  const back = backEdges(input, rank);
  const selfLoops: number[] = [];
  const oriented: Array<{ edge: number; upper: string; lower: string; back: boolean }> = [];
  input.edges.forEach((e, i) => {
    if (e.from === e.to) selfLoops.push(i);
    else oriented.push(back.has(i) ? { edge: i, upper: e.to, lower: e.from, back: true } : { edge: i, upper: e.from, lower: e.to, back: false });
  });
  const layerOf = longestPathLayers(
    input.nodes,
    oriented.map((o) => [o.upper, o.lower]),
  );
  const depth = Math.max(0, ...layerOf.values()) + 1;
  const layers: string[][] = Array.from({ length: depth }, () => []);
  const byRank = [...input.nodes].sort((a, b) => rank.get(a)! - rank.get(b)!);
  for (const n of byRank) layers[layerOf.get(n)!]!.push(n);
  const chains: Chain[] = oriented.map((o) => {
    const vertices = [o.upper];
    for (let l = layerOf.get(o.upper)! + 1; l < layerOf.get(o.lower)!; l++) {
      const dummy = `\u0000${o.edge}.${l}`;
      layerOf.set(dummy, l);
      layers[l]!.push(dummy);
      vertices.push(dummy);
    }
    vertices.push(o.lower);
    return { edge: o.edge, vertices, back: o.back };
  });
  return { layers, layerOf, chains, selfLoops, rank };
}
