import { edgeId, parentOf } from "../run-state";
import type { NodeView } from "../types";

/** A map with more children than this shows them as one group node with counts per status. */
const GROUP_THRESHOLD = 50;

const NODE_W = 184;
/** Past this a label is cut with an ellipsis (and the full text is the box's tooltip). */
export const NODE_MAX_W = 360;
const NODE_H = 58;

/**
 * A node box wide enough for its whole label at default zoom: padding, status dot, the
 * label in 13px monospace (≈7.8px a character) and the kind tag (10px caps, ≈7px),
 * between NODE_W and NODE_MAX_W.
 */
export function nodeWidth(label: string, kind: string): number {
  const needed = 24 + 10 + 8 + 8 + Math.ceil(label.length * 7.8) + Math.ceil(kind.length * 7) + 6;
  return Math.min(NODE_MAX_W, Math.max(NODE_W, needed));
}
const GROUP_W = 232;
const GROUP_H = 104;
/** Children of an expanded group sit in a grid of compact cells inside it. */
export const CELL_W = 44;
export const CELL_H = 22;
export const CELL_GAP = 4;
export const GROUP_PAD = 12;
export const GROUP_HEADER = 84;

export interface GroupInfo {
  id: string;
  mapKey: string;
  childKeys: string[];
  expanded: boolean;
  /** Grid columns when expanded. */
  columns: number;
}

interface StructureItem {
  id: string;
  kind: "node" | "group";
  width: number;
  height: number;
}

interface DisplayEdge {
  id: string;
  source: string;
  target: string;
  /** The DAG edge(s) this display edge stands for, to light it up on EDGE_ACTIVE. */
  keys: string[];
}

/**
 * What the graph shows, independent of status: which boxes exist, their sizes, and the
 * edges between them. Recomputed only when the node set or an expand toggle changes.
 */
export interface GraphStructure {
  items: StructureItem[];
  edges: DisplayEdge[];
  /** Extra edges that only steer the layout (a map's children sit between it and its dependents). */
  layoutEdges: { source: string; target: string }[];
  groups: Map<string, GroupInfo>;
  /** Node key → the box it is drawn in (itself, or its group). */
  displayOf: Map<string, string>;
}

const groupId = (mapKey: string) => `group:${mapKey}`;

function groupColumns(n: number): number {
  // About twice as wide as tall, like the graph panel.
  const aspect = (2 * (CELL_H + CELL_GAP)) / (CELL_W + CELL_GAP);
  return Math.max(8, Math.min(80, Math.ceil(Math.sqrt(n * aspect))));
}

function groupSize(g: Pick<GroupInfo, "childKeys" | "expanded" | "columns">): { width: number; height: number } {
  if (!g.expanded) return { width: GROUP_W, height: GROUP_H };
  const rows = Math.ceil(g.childKeys.length / g.columns);
  return {
    width: GROUP_PAD * 2 + g.columns * (CELL_W + CELL_GAP) - CELL_GAP,
    height: GROUP_HEADER + GROUP_PAD + rows * (CELL_H + CELL_GAP) - CELL_GAP,
  };
}

export function buildStructure(nodes: ReadonlyMap<string, NodeView>, expanded: ReadonlySet<string>): GraphStructure {
  const children = new Map<string, string[]>();
  for (const n of nodes.values()) {
    const p = parentOf(n);
    if (p && nodes.has(p)) {
      const list = children.get(p) ?? [];
      list.push(n.key);
      children.set(p, list);
    }
  }
  const groups = new Map<string, GroupInfo>();
  const displayOf = new Map<string, string>();
  for (const [mapKey, keys] of children) {
    if (keys.length <= GROUP_THRESHOLD) continue;
    const id = groupId(mapKey);
    groups.set(id, { id, mapKey, childKeys: keys, expanded: expanded.has(id), columns: groupColumns(keys.length) });
    for (const k of keys) displayOf.set(k, id);
  }

  const items: StructureItem[] = [];
  const edges: DisplayEdge[] = [];
  const layoutEdges: GraphStructure["layoutEdges"] = [];
  const dependents = new Map<string, string[]>();
  for (const n of nodes.values()) {
    if (!displayOf.has(n.key)) {
      displayOf.set(n.key, n.key);
      const tag = n.reused ? "reused" : n.kind;
      items.push({ id: n.key, kind: "node", width: nodeWidth(n.label ?? n.key, tag), height: NODE_H });
    }
    for (const need of n.needs) {
      if (!nodes.has(need)) continue;
      edges.push({ id: edgeId(need, n.key), source: need, target: n.key, keys: [edgeId(need, n.key)] });
      dependents.set(need, [...(dependents.get(need) ?? []), n.key]);
    }
  }
  for (const g of groups.values()) {
    items.push({ id: g.id, kind: "group", ...groupSize(g) });
    edges.push({ id: edgeId(g.mapKey, g.id), source: g.mapKey, target: g.id, keys: [] });
  }
  for (const [mapKey, keys] of children) {
    const gid = groupId(mapKey);
    const boxes = groups.has(gid) ? [gid] : keys;
    if (!groups.has(gid)) {
      for (const k of keys) edges.push({ id: edgeId(mapKey, k), source: mapKey, target: k, keys: [edgeId(mapKey, k)] });
    }
    for (const box of boxes) {
      for (const d of dependents.get(mapKey) ?? []) layoutEdges.push({ source: box, target: d });
    }
  }
  return { items, edges, layoutEdges, groups, displayOf };
}

/** Identity of a structure for layout caching: the boxes, their sizes and the edges. */
export function structureKey(s: GraphStructure): string {
  return `${s.items.map((i) => `${i.id}:${i.width}x${i.height}`).join("|")}#${s.edges.length}`;
}
