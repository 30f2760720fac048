import { isDummy, type Chain } from './layering';

/**
 * Horizontal positions: each vertex is pulled towards the mean position of its neighbours in the
 * adjacent layers, in alternating downward and upward passes, and each layer is then laid out as
 * close to those wishes as the order and the gaps allow (a least-squares fit under "keep order, keep
 * the gaps", solved exactly by pooling adjacent violators). Boxes in a layer never overlap.
 */
export interface PlacementOptions {
  widthOf(id: string): number;
  /** Gap between two boxes, a box and a dummy, two dummies. */
  gap: { node: number; mixed: number; dummy: number };
}

const PASSES = 12;

function separation(a: string, b: string, o: PlacementOptions): number {
  const gap = isDummy(a) && isDummy(b) ? o.gap.dummy : isDummy(a) || isDummy(b) ? o.gap.mixed : o.gap.node;
  return o.widthOf(a) / 2 + gap + o.widthOf(b) / 2;
}

/** Centres for `order` as near `wish` as the order and the separations allow. */
export function fitLayer(order: readonly string[], wish: (id: string) => number, o: PlacementOptions): number[] {
  const offsets: number[] = [];
  order.forEach((v, i) => {
    offsets.push(i === 0 ? 0 : offsets[i - 1]! + separation(order[i - 1]!, v, o));
  });
  // Pool adjacent violators on t_i = wish_i - offset_i: a non-decreasing fit keeps every gap.
  const blocks: Array<{ sum: number; count: number }> = [];
  order.forEach((v, i) => {
    blocks.push({ sum: wish(v) - offsets[i]!, count: 1 });
    while (
      blocks.length > 1 &&
      blocks[blocks.length - 2]!.sum / blocks[blocks.length - 2]!.count > blocks[blocks.length - 1]!.sum / blocks[blocks.length - 1]!.count
    ) {
      const last = blocks.pop()!;
      blocks[blocks.length - 1]!.sum += last.sum;
      blocks[blocks.length - 1]!.count += last.count;
    }
  });
  const fitted = blocks.flatMap((b) => Array<number>(b.count).fill(b.sum / b.count));
  return fitted.map((y, i) => y + offsets[i]!);
}

function neighbourLists(chains: readonly Chain[]): { up: Map<string, string[]>; down: Map<string, string[]> } {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const c of chains) {
    for (let i = 0; i + 1 < c.vertices.length; i++) {
      down.set(c.vertices[i]!, [...(down.get(c.vertices[i]!) ?? []), c.vertices[i + 1]!]);
      up.set(c.vertices[i + 1]!, [...(up.get(c.vertices[i + 1]!) ?? []), c.vertices[i]!]);
    }
  }
  return { up, down };
}

/** Centre x of every vertex; the leftmost box edge is at 0. */
export function placeLayers(layers: readonly string[][], chains: readonly Chain[], o: PlacementOptions): Map<string, number> {
  const x = new Map<string, number>();
  for (const layer of layers) {
    const packed = fitLayer(layer, () => 0, o);
    layer.forEach((v, i) => {
      x.set(v, packed[i]!);
    });
  }
  const { up, down } = neighbourLists(chains);
  const mean = (ids: string[] | undefined, fallback: number): number => (ids?.length ? ids.reduce((s, n) => s + x.get(n)!, 0) / ids.length : fallback);
  const pass = (order: number[], towards: (v: string) => string[] | undefined): void => {
    for (const l of order) {
      const layer = layers[l]!;
      const fitted = fitLayer(layer, (v) => mean(towards(v), x.get(v)!), o);
      layer.forEach((v, i) => {
        x.set(v, fitted[i]!);
      });
    }
  };
  const downward = layers.map((_, i) => i);
  const upward = [...downward].reverse();
  for (let p = 0; p < PASSES; p++) {
    if (p % 2 === 0) pass(downward, (v) => up.get(v));
    else pass(upward, (v) => down.get(v));
  }
  pass(downward, (v) => [...(up.get(v) ?? []), ...(down.get(v) ?? [])]);
  const left = Math.min(...[...x].map(([v, cx]) => cx - o.widthOf(v) / 2));
  for (const [v, cx] of x) x.set(v, Math.round((cx - left) * 10) / 10);
  return x;
}
