import { isDummy, type Chain } from './layering';

/**
 * Edge geometry: a chain leaves its upper box at the bottom and enters its lower box at the top,
 * at a port of its own (a box's ports are spread along its side in the order of where the edges
 * go, so they do not start on one point), runs straight down through its dummies' layers and bends
 * in the gaps between layers. An upward (back) edge is the same route drawn from the lower end.
 */
export interface Point {
  x: number;
  y: number;
}

export interface RouteFrame {
  centreX: Map<string, number>;
  topY(id: string): number;
  widthOf(id: string): number;
  height: number;
}

/** For each chain, the x of its port on its upper box's bottom and on its lower box's top. */
function portXs(chains: readonly Chain[], f: RouteFrame): Map<number, { upper: number; lower: number }> {
  const sides = new Map<string, Array<{ chain: number; toward: number; end: 'upper' | 'lower' }>>();
  const add = (key: string, entry: { chain: number; toward: number; end: 'upper' | 'lower' }) => sides.set(key, [...(sides.get(key) ?? []), entry]);
  chains.forEach((c, i) => {
    const n = c.vertices.length;
    add(`${c.vertices[0]}\u0001bottom`, { chain: i, toward: f.centreX.get(c.vertices[1]!)!, end: 'upper' });
    add(`${c.vertices[n - 1]}\u0001top`, { chain: i, toward: f.centreX.get(c.vertices[n - 2]!)!, end: 'lower' });
  });
  const ports = new Map<number, { upper: number; lower: number }>();
  for (const [key, entries] of sides) {
    const id = key.slice(0, key.indexOf('\u0001'));
    const w = f.widthOf(id) * 0.8;
    const left = f.centreX.get(id)! - w / 2;
    entries.sort((a, b) => a.toward - b.toward || a.chain - b.chain);
    entries.forEach((e, k) => {
      const p = ports.get(e.chain) ?? { upper: 0, lower: 0 };
      p[e.end] = Math.round((left + (w * (k + 1)) / (entries.length + 1)) * 10) / 10;
      ports.set(e.chain, p);
    });
  }
  return ports;
}

/** The points of every chain, from the edge's source to its target. */
export function chainPoints(chains: readonly Chain[], f: RouteFrame): Point[][] {
  const ports = portXs(chains, f);
  return chains.map((c, i) => {
    const p = ports.get(i)!;
    const first = c.vertices[0]!;
    const last = c.vertices[c.vertices.length - 1]!;
    const points: Point[] = [{ x: p.upper, y: f.topY(first) + f.height }];
    for (const d of c.vertices.slice(1, -1)) {
      if (!isDummy(d)) continue;
      const x = f.centreX.get(d)!;
      points.push({ x, y: f.topY(d) }, { x, y: f.topY(d) + f.height });
    }
    points.push({ x: p.lower, y: f.topY(last) });
    return c.back ? points.reverse() : points;
  });
}

const fmt = (n: number): string => String(Math.round(n * 10) / 10);

/** A smooth SVG path through the points: vertical runs stay straight, bends are S-curves. */
export function pathData(points: readonly Point[]): string {
  let d = `M${fmt(points[0]!.x)},${fmt(points[0]!.y)}`;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    if (a.x === b.x) d += ` L${fmt(b.x)},${fmt(b.y)}`;
    else {
      const mid = (a.y + b.y) / 2;
      d += ` C${fmt(a.x)},${fmt(mid)} ${fmt(b.x)},${fmt(mid)} ${fmt(b.x)},${fmt(b.y)}`;
    }
  }
  return d;
}

/** The point at `t` (0..1) along the first stretch of a route (where its label goes). */
export function pointOnFirstStretch(points: readonly Point[], t: number): Point {
  const [a, b] = [points[0]!, points[1]!];
  const mid = (a.y + b.y) / 2;
  // The cubic a -> (a.x, mid) -> (b.x, mid) -> b, evaluated at t.
  const u = 1 - t;
  const x = u * u * u * a.x + 3 * u * u * t * a.x + 3 * u * t * t * b.x + t * t * t * b.x;
  const y = u * u * u * a.y + 3 * u * u * t * mid + 3 * u * t * t * mid + t * t * t * b.y;
  return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
}

/** A loop on a box's right side, for a state that goes to itself. */
export function selfLoopPath(box: { x: number; y: number; width: number; height: number }): { d: string; label: Point } {
  const right = box.x + box.width;
  const [y1, y2] = [box.y + box.height * 0.3, box.y + box.height * 0.7];
  return {
    d: `M${fmt(right)},${fmt(y1)} C${fmt(right + 36)},${fmt(y1 - 12)} ${fmt(right + 36)},${fmt(y2 + 12)} ${fmt(right)},${fmt(y2)}`,
    label: { x: right + 30, y: box.y + box.height / 2 },
  };
}
