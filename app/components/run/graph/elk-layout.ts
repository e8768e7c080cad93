import type { ELK } from "elkjs/lib/elk-api";
import type { GraphStructure } from "./graph-model";

export type Positions = Map<string, { x: number; y: number }>;

/**
 * ELK's layered layout runs on the main thread; beyond this many boxes it would block
 * for long enough to drop frames, so larger graphs get the linear layering below.
 */
const ELK_MAX_ITEMS = 300;
const LAYER_GAP = 72;
const ROW_GAP = 20;

let elk: Promise<ELK> | null = null;
function loadElk(): Promise<ELK> {
  // Loaded on first layout: it is large and only the graph needs it.
  elk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return elk;
}

/** Left-to-right layout of the graph's boxes (top-left positions). */
export async function layoutGraph(s: GraphStructure): Promise<Positions> {
  if (s.items.length > ELK_MAX_ITEMS) return layerLayout(s);
  const engine = await loadElk();
  const edges = [...s.edges, ...s.layoutEdges];
  const out = await engine.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.spacing.nodeNode": String(ROW_GAP),
      "elk.layered.spacing.nodeNodeBetweenLayers": String(LAYER_GAP),
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
    },
    children: s.items.map((i) => ({ id: i.id, width: i.width, height: i.height })),
    edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  });
  const positions: Positions = new Map();
  for (const c of out.children ?? []) positions.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return positions;
}

/**
 * Longest-path layering in O(V + E): each box goes one layer right of its deepest
 * predecessor; boxes in a layer stack top to bottom in spec order, centred on the tallest.
 */
export function layerLayout(s: GraphStructure): Positions {
  const preds = new Map<string, string[]>();
  for (const e of [...s.edges, ...s.layoutEdges]) {
    const list = preds.get(e.target);
    if (list) list.push(e.source);
    else preds.set(e.target, [e.source]);
  }
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let d = 0;
    for (const p of preds.get(id) ?? []) d = Math.max(d, depth(p) + 1);
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  const layers: (typeof s.items)[] = [];
  for (const item of s.items) {
    const d = depth(item.id);
    layers[d] ??= [];
    layers[d].push(item);
  }

  const positions: Positions = new Map();
  const heights = layers.map((l) => l.reduce((h, i) => h + i.height + ROW_GAP, -ROW_GAP));
  const tallest = Math.max(0, ...heights);
  let x = 0;
  layers.forEach((items, li) => {
    let y = (tallest - heights[li]) / 2;
    let width = 0;
    for (const i of items) {
      positions.set(i.id, { x, y });
      y += i.height + ROW_GAP;
      width = Math.max(width, i.width);
    }
    x += width + LAYER_GAP;
  });
  return positions;
}
