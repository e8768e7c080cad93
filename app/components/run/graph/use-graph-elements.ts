"use client";

import type { Edge } from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";
import type { NodeView } from "../types";
import { layoutGraph, type Positions } from "./elk-layout";
import type { GroupNodeType, StatusCounts } from "./GroupNode";
import { buildStructure, type GraphStructure, type GroupInfo, structureKey } from "./graph-model";
import type { StatusNodeType } from "./StatusNode";

export type GraphNode = StatusNodeType | GroupNodeType;

interface Input {
  nodes: ReadonlyMap<string, NodeView>;
  /** Changes only when the node set changes. */
  structure: number;
  activeEdges: ReadonlyMap<string, number>;
  expanded: ReadonlySet<string>;
  selectedKey: string | null;
}

/**
 * The React Flow elements of a run. Layout runs only when the structure (node set,
 * expanded groups) changes; a status change rebuilds just the changed node objects —
 * unchanged ones keep their identity so memoized node components skip rendering.
 */
export function useGraphElements({ nodes, structure, activeEdges, expanded, selectedKey }: Input) {
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the structure follows the node *set* (the `structure` counter), not every status change.
  const model = useMemo(() => buildStructure(nodesRef.current, expanded), [structure, expanded]);
  const key = useMemo(() => structureKey(model), [model]);
  const [layout, setLayout] = useState<{ key: string; positions: Positions } | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` identifies the model's layout input.
  useEffect(() => {
    let live = true;
    layoutGraph(model).then((positions) => {
      if (live) setLayout({ key, positions });
    });
    return () => {
      live = false;
    };
  }, [key]);

  const cache = useRef(new Map<string, GraphNode>());
  const rfNodes = useMemo(() => {
    if (!layout) return [];
    return buildNodes(model, layout.positions, nodes, selectedKey, cache.current);
  }, [model, layout, nodes, selectedKey]);

  const edgeCache = useRef(new Map<string, Edge>());
  const rfEdges = useMemo(() => buildEdges(model, activeEdges, edgeCache.current), [model, activeEdges]);

  return { nodes: rfNodes, edges: rfEdges, layoutKey: layout?.key ?? null, groups: model.groups };
}

function reuse<T extends GraphNode>(cache: Map<string, GraphNode>, next: T, same: (prev: T) => boolean): T {
  const prev = cache.get(next.id) as T | undefined;
  if (prev && prev.type === next.type && prev.position === next.position && same(prev)) return prev;
  cache.set(next.id, next);
  return next;
}

function buildNodes(
  s: GraphStructure,
  positions: Positions,
  nodes: ReadonlyMap<string, NodeView>,
  selectedKey: string | null,
  cache: Map<string, GraphNode>,
): GraphNode[] {
  const out: GraphNode[] = [];
  for (const item of s.items) {
    const position = positions.get(item.id);
    if (!position) continue;
    if (item.kind === "node") {
      const view = nodes.get(item.id);
      if (!view) continue;
      const selected = selectedKey === item.id;
      // Sizes are known up front: React Flow (and the minimap) need no measuring pass.
      const n: StatusNodeType = {
        id: item.id,
        type: "status",
        position,
        data: { node: view },
        selected,
        width: item.width,
        height: item.height,
      };
      out.push(reuse(cache, n, (p) => p.data.node === view && p.selected === selected));
      continue;
    }
    const g = s.groups.get(item.id) as GroupInfo;
    const counts = countStatuses(g, nodes);
    const reused = g.childKeys.reduce((n, k) => n + (nodes.get(k)?.reused ? 1 : 0), 0);
    const sig = JSON.stringify(counts);
    // Expanded, the group draws its children itself (one React Flow node, 1,000 light cells).
    const children = g.expanded ? g.childKeys.map((k) => nodes.get(k)).filter((n) => n !== undefined) : null;
    const selected = selectedKey !== null && g.childKeys.includes(selectedKey) ? selectedKey : null;
    const group: GroupNodeType = {
      id: g.id,
      type: "mapGroup",
      position,
      data: {
        mapKey: g.mapKey,
        total: g.childKeys.length,
        counts,
        reused,
        columns: g.columns,
        children,
        selectedKey: selected,
      },
      width: item.width,
      height: item.height,
    };
    out.push(
      reuse(
        cache,
        group,
        (p) =>
          JSON.stringify(p.data.counts) === sig &&
          p.data.reused === reused &&
          p.width === item.width &&
          p.data.selectedKey === selected &&
          sameNodes(p.data.children, children),
      ),
    );
  }
  return out;
}

function sameNodes(a: readonly NodeView[] | null, b: readonly NodeView[] | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function countStatuses(g: GroupInfo, nodes: ReadonlyMap<string, NodeView>): StatusCounts {
  const counts: StatusCounts = {};
  for (const k of g.childKeys) {
    const s = nodes.get(k)?.status;
    if (s) counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

function buildEdges(s: GraphStructure, active: ReadonlyMap<string, number>, cache: Map<string, Edge>): Edge[] {
  return s.edges.map((e) => {
    const on = e.keys.some((k) => active.has(k));
    const prev = cache.get(e.id);
    if (prev && prev.source === e.source && prev.target === e.target && prev.animated === on) return prev;
    const edge: Edge = {
      id: e.id,
      source: e.source,
      target: e.target,
      animated: on,
      className: on ? "sbx-edge-active" : undefined,
      focusable: false,
    };
    cache.set(e.id, edge);
    return edge;
  });
}
