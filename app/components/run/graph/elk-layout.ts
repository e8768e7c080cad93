import type { ElkNode } from "elkjs/lib/elk-api";
import type { GraphStructure } from "./graph-model";

export type Positions = Map<string, { x: number; y: number }>;

/**
 * ELK's layered layout (in a worker) takes seconds beyond this many boxes; larger graphs
 * get the linear layering below, which is instant.
 */
const ELK_MAX_ITEMS = 300;
const LAYER_GAP = 72;
const ROW_GAP = 20;

type Reply = { id: number; positions?: (readonly [string, number, number])[]; error?: string };

let worker: Worker | null = null;
let broken = false;
let nextId = 0;
const pending = new Map<number, (r: Reply) => void>();

/** The layout worker, started on first use (it is large and only the graph needs it). */
function layoutWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL("./elk.worker.ts", import.meta.url), { type: "module", name: "elk-layout" });
  worker.onmessage = (e: MessageEvent<Reply>) => {
    pending.get(e.data.id)?.(e.data);
    pending.delete(e.data.id);
  };
  // A worker that fails to load answers nothing: fail what waits, and every later request.
  worker.onerror = (e) => {
    for (const [id, resolve] of pending) resolve({ id, error: e.message || "layout worker failed" });
    pending.clear();
    broken = true;
  };
  return worker;
}

function requestLayout(graph: ElkNode): Promise<Reply> {
  if (broken) return Promise.resolve({ id: -1, error: "layout worker unavailable" });
  try {
    const w = layoutWorker();
    const id = nextId++;
    return new Promise<Reply>((resolve) => {
      pending.set(id, resolve);
      w.postMessage({ id, graph });
    });
  } catch (err) {
    broken = true;
    return Promise.resolve({ id: -1, error: String(err) });
  }
}

/** Left-to-right layout of the graph's boxes (top-left positions). */
export async function layoutGraph(s: GraphStructure): Promise<Positions> {
  if (s.items.length > ELK_MAX_ITEMS) return layerLayout(s);
  const edges = [...s.edges, ...s.layoutEdges];
  const graph: ElkNode = {
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
  };
  const reply = await requestLayout(graph);
  // Without a worker (or if ELK fails) the linear layering still draws a readable graph.
  if (!reply.positions) return layerLayout(s);
  return new Map(reply.positions.map(([id, x, y]) => [id, { x, y }]));
}

/**
 * Longest-path layering in O(V + E): each box goes one layer right of its deepest
 * predecessor; boxes in a layer stack top to bottom in spec order, centred on the tallest.
 */
function layerLayout(s: GraphStructure): Positions {
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
