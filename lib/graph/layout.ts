import { layerGraph } from './layering';
import { detailLine, LAYER_GAP, MARGIN, NODE_HEIGHT, nodeWidth } from './metrics';
import { orderLayers } from './ordering';
import { placeLayers } from './placement';
import { chainPoints, pathData, pointOnFirstStretch, selfLoopPath, type Point } from './routes';
import type { GraphEdge, GraphNode, WorkflowGraph } from './workflow-graph';

/**
 * A layered, top-to-bottom layout of the workflow graph: the start state on top, every transition
 * pointing down except the ones that loop back. Pure and deterministic: the same definition gives
 * the same coordinates, so the committed picture can be compared with a fresh one.
 */
export interface NodeBox extends GraphNode {
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  layer: number;
}

export interface EdgeRoute extends GraphEdge {
  /** SVG path data (numbers only). */
  path: string;
  /** Where the label is drawn (near the edge's source, in the gap below or above it). */
  labelAt?: Point;
  /** True when the edge goes back up (a loop in the workflow). */
  back: boolean;
}

export interface Layout {
  width: number;
  height: number;
  nodes: NodeBox[];
  /** In the graph's edge order. */
  edges: EdgeRoute[];
}

const LOOP_ROOM = 48;

/** Lays the graph out; `top` leaves room above it (for a caption). */
export function layoutGraph(graph: WorkflowGraph, options: { top?: number } = {}): Layout {
  const top = MARGIN + (options.top ?? 0);
  const widths = new Map(graph.nodes.map((n) => [n.id, nodeWidth(n.id, detailLine(n.detail, n.retries))]));
  const widthOf = (id: string): number => widths.get(id) ?? 0;
  const layering = layerGraph({ nodes: graph.nodes.map((n) => n.id), edges: graph.edges, start: graph.startAt });
  const layers = orderLayers(layering.layers, layering.chains);
  const centreX = placeLayers(layers, layering.chains, { widthOf, gap: { node: 40, mixed: 18, dummy: 12 } });
  const topY = (id: string): number => top + layering.layerOf.get(id)! * (NODE_HEIGHT + LAYER_GAP);
  const nodes: NodeBox[] = graph.nodes.map((n) => ({
    ...n,
    x: MARGIN + centreX.get(n.id)! - widthOf(n.id) / 2,
    y: topY(n.id),
    width: widthOf(n.id),
    height: NODE_HEIGHT,
    layer: layering.layerOf.get(n.id)!,
  }));
  const shifted = new Map([...centreX].map(([id, x]) => [id, x + MARGIN]));
  const points = chainPoints(layering.chains, { centreX: shifted, topY, widthOf, height: NODE_HEIGHT });
  const edges: EdgeRoute[] = graph.edges.map((e) => ({ ...e, path: '', back: false }));
  layering.chains.forEach((c, i) => {
    Object.assign(edges[c.edge]!, { path: pathData(points[i]!), back: c.back });
  });
  placeLabels(
    edges,
    layering.chains.map((c, i) => ({ edge: c.edge, points: points[i]! })),
  );
  const boxOf = new Map(nodes.map((n) => [n.id, n]));
  for (const i of layering.selfLoops) {
    const loop = selfLoopPath(boxOf.get(graph.edges[i]!.from)!);
    Object.assign(edges[i]!, { path: loop.d, ...(edges[i]!.label ? { labelAt: loop.label } : {}) });
  }
  const right = Math.max(...nodes.map((n) => n.x + n.width + (layering.selfLoops.length ? LOOP_ROOM : 0)), ...[...shifted.values()]);
  return { width: Math.ceil(right + MARGIN), height: Math.ceil(top + layers.length * (NODE_HEIGHT + LAYER_GAP) - LAYER_GAP + MARGIN), nodes, edges };
}

/**
 * Labels sit on the first stretch of their edge. Labelled edges leaving one box are staggered in
 * height (left to right), so two labels from the same box never share a line.
 */
function placeLabels(edges: EdgeRoute[], routes: Array<{ edge: number; points: Point[] }>): void {
  const bySource = new Map<string, Array<{ edge: number; points: Point[] }>>();
  for (const r of routes) {
    const e = edges[r.edge]!;
    if (!e.label) continue;
    const key = `${e.from}\u0001${e.back ? 'up' : 'down'}`;
    bySource.set(key, [...(bySource.get(key) ?? []), r]);
  }
  for (const group of bySource.values()) {
    group.sort((a, b) => a.points[1]!.x - b.points[1]!.x || a.edge - b.edge);
    group.forEach((r, k) => {
      edges[r.edge]!.labelAt = pointOnFirstStretch(r.points, (k + 1) / (group.length + 1));
    });
  }
}
