import { describe, expect, it } from 'vitest';
import { layoutGraph, type NodeBox } from '../../lib/graph/layout';
import { workflowGraph } from '../../lib/graph/workflow-graph';
import { EVERY_KIND } from '../fixtures/graph-definitions';

/** The first and the last point of an SVG path's data. */
function ends(d: string): { first: [number, number]; last: [number, number] } {
  const nums = [...d.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  return { first: [nums[0]!, nums[1]!], last: [nums[nums.length - 2]!, nums[nums.length - 1]!] };
}

const onBorder = (box: NodeBox, [x, y]: [number, number]): boolean =>
  x >= box.x - 0.1 &&
  x <= box.x + box.width + 0.1 &&
  (Math.abs(y - box.y) < 0.2 || Math.abs(y - (box.y + box.height)) < 0.2 || (x >= box.x + box.width - 0.1 && y > box.y && y < box.y + box.height));

describe('layoutGraph', () => {
  const graph = workflowGraph(EVERY_KIND);
  const layout = layoutGraph(graph);
  const box = (id: string) => layout.nodes.find((n) => n.id === id)!;

  it('places every state once, inside the drawing, with no two boxes overlapping', () => {
    expect(layout.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
      expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
    }
    for (const a of layout.nodes) {
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
  });

  it('layers top to bottom from the start state: every forward transition points down, loops are marked back', () => {
    expect(box('Quote').layer).toBe(0);
    for (const e of layout.edges) {
      if (e.from === e.to) continue;
      const [from, to] = [box(e.from), box(e.to)];
      if (e.back) expect(to.layer, `${e.from} -> ${e.to}`).toBeLessThan(from.layer);
      else expect(to.layer, `${e.from} -> ${e.to}`).toBeGreaterThan(from.layer);
    }
    expect(layout.edges.filter((e) => e.back).map((e) => `${e.from}>${e.to}`)).toEqual(['Hold>Quote']);
  });

  it('draws every edge from its source box to its target box, and a state that catches into itself as a loop', () => {
    expect(layout.edges).toHaveLength(graph.edges.length);
    for (const e of layout.edges) {
      const { first, last } = ends(e.path);
      expect(onBorder(box(e.from), first), `${e.from} -> ${e.to} starts at ${first}`).toBe(true);
      expect(onBorder(box(e.to), last), `${e.from} -> ${e.to} ends at ${last}`).toBe(true);
    }
    const loop = layout.edges.find((e) => e.from === 'Approve' && e.to === 'Approve')!;
    expect(loop.path).toMatch(/^M[\d.]+,[\d.]+ C/);
    expect(loop.labelAt!.x).toBeGreaterThan(box('Approve').x + box('Approve').width);
  });

  it('puts each label in the gap next to its source box, never on a box', () => {
    for (const e of layout.edges.filter((x) => x.label && x.from !== x.to)) {
      const at = e.labelAt!;
      for (const n of layout.nodes) {
        const inside = at.x > n.x && at.x < n.x + n.width && at.y > n.y && at.y < n.y + n.height;
        expect(inside, `label of ${e.from} -> ${e.to} is on ${n.id}`).toBe(false);
      }
    }
  });

  it('is deterministic: the same definition gives the same coordinates', () => {
    expect(layoutGraph(workflowGraph(structuredClone(EVERY_KIND)))).toEqual(layout);
  });
});
