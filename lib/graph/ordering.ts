import type { Chain } from './layering';

/**
 * Orders the vertices within each layer to keep edge crossings few: alternate downward and upward
 * sweeps place each vertex at the mean position of its neighbours in the layer just swept
 * (barycenter), and the order with the fewest crossings seen wins. Ties keep the current order, so
 * the result depends on the graph only.
 */
const SWEEPS = 8;

function neighbourMaps(chains: readonly Chain[]): { up: Map<string, string[]>; down: Map<string, string[]> } {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const c of chains) {
    for (let i = 0; i + 1 < c.vertices.length; i++) {
      const [a, b] = [c.vertices[i]!, c.vertices[i + 1]!];
      down.set(a, [...(down.get(a) ?? []), b]);
      up.set(b, [...(up.get(b) ?? []), a]);
    }
  }
  return { up, down };
}

/** Reorders `layer` by the mean position of each vertex's neighbours in `fixed`. */
function byBarycenter(layer: string[], fixed: string[], neighbours: Map<string, string[]>): string[] {
  const pos = new Map(fixed.map((v, i) => [v, i]));
  const keyed = layer.map((v, i) => {
    const ps = (neighbours.get(v) ?? []).map((n) => pos.get(n)).filter((p): p is number => p !== undefined);
    return { v, i, key: ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : i };
  });
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map((k) => k.v);
}

/** Crossings between two adjacent layers (pairs of edges whose ends are in opposite orders). */
function crossingsBetween(upper: string[], lower: string[], down: Map<string, string[]>): number {
  const pos = new Map(lower.map((v, i) => [v, i]));
  const ends: Array<[number, number]> = [];
  upper.forEach((u, i) => {
    for (const d of down.get(u) ?? []) {
      const j = pos.get(d);
      if (j !== undefined) ends.push([i, j]);
    }
  });
  let n = 0;
  for (let a = 0; a < ends.length; a++) {
    for (let b = a + 1; b < ends.length; b++) {
      const [i1, j1] = ends[a]!;
      const [i2, j2] = ends[b]!;
      if ((i1 - i2) * (j1 - j2) < 0) n++;
    }
  }
  return n;
}

/** Edge crossings between every pair of adjacent layers. */
export function totalCrossings(layers: string[][], chains: readonly Chain[]): number {
  const { down } = neighbourMaps(chains);
  let n = 0;
  for (let l = 0; l + 1 < layers.length; l++) n += crossingsBetween(layers[l]!, layers[l + 1]!, down);
  return n;
}

/** The layers reordered by barycenter sweeps; the order with the fewest crossings seen. */
export function orderLayers(layers: string[][], chains: readonly Chain[]): string[][] {
  const { up, down } = neighbourMaps(chains);
  let current = layers.map((l) => [...l]);
  let best = current;
  let bestCrossings = totalCrossings(current, chains);
  for (let s = 0; s < SWEEPS && bestCrossings > 0; s++) {
    const next = current.map((l) => [...l]);
    if (s % 2 === 0) for (let l = 1; l < next.length; l++) next[l] = byBarycenter(next[l]!, next[l - 1]!, up);
    else for (let l = next.length - 2; l >= 0; l--) next[l] = byBarycenter(next[l]!, next[l + 1]!, down);
    current = next;
    const crossings = totalCrossings(current, chains);
    if (crossings < bestCrossings) {
      best = current;
      bestCrossings = crossings;
    }
  }
  return best;
}
