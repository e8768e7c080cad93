"use client";

import "@xyflow/react/dist/style.css";
import "./graph.css";
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  type NodeMouseHandler,
  ReactFlow,
  ReactFlowProvider,
} from "@xyflow/react";
import { memo, useCallback, useMemo, useState, useSyncExternalStore } from "react";
import { STATUS_TONES } from "../../status-tone";
import type { NodeView } from "../types";
import { useThrottledValue } from "../use-throttled-value";
import { GroupNode } from "./GroupNode";
import { NodeList } from "./NodeList";
import { StatusNode } from "./StatusNode";
import { FIT_OPTIONS, useAutoFit } from "./use-auto-fit";
import { type GraphNode, useGraphElements } from "./use-graph-elements";

const nodeTypes = { status: StatusNode, mapGroup: GroupNode };

/** Beyond this many boxes only the ones in view are mounted. */
const VIRTUALIZE_AT = 150;

interface Props {
  nodes: ReadonlyMap<string, NodeView>;
  structure: number;
  activeEdges: ReadonlyMap<string, number>;
  selectedKey: string | null;
  onSelect: (key: string) => void;
}

function minimapColor(n: GraphNode): string {
  if (n.type === "mapGroup") return "#94a3b8";
  return STATUS_TONES[n.data.node.status].hex;
}

/** Above this many nodes the graph repaints at most every THROTTLE_MS. */
const THROTTLE_AT = 200;
const THROTTLE_MS = 120;

function Graph({ nodes: latestNodes, structure: latestStructure, activeEdges, selectedKey, onSelect }: Props) {
  // Nodes and structure travel together, so a throttled frame never lacks a new node.
  const latest = useMemo(() => ({ nodes: latestNodes, structure: latestStructure }), [latestNodes, latestStructure]);
  const { nodes, structure } = useThrottledValue(latest, latestNodes.size > THROTTLE_AT ? THROTTLE_MS : 0);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const elements = useGraphElements({ nodes, structure, activeEdges, expanded, selectedKey });
  // Fit when the layout changes (node set, a group toggled) or the panel resizes — never on a status.
  const { onMoveStart, refit, fitGraph } = useAutoFit(elements.layoutKey);

  const activate = useCallback(
    (target: HTMLElement, id: string) => {
      if (!id.startsWith("group:")) return onSelect(id);
      // Inside an expanded group a cell is a child node: open it; elsewhere toggle the group.
      const cell = target.closest<HTMLElement>("[data-node-key]");
      if (cell?.dataset.nodeKey) return onSelect(cell.dataset.nodeKey);
      refit();
      setExpanded((prev) => {
        const next = new Set(prev);
        if (!next.delete(id)) next.add(id);
        return next;
      });
    },
    [onSelect, refit],
  );
  const onNodeClick: NodeMouseHandler<GraphNode> = useCallback(
    (event, n) => activate(event.target as HTMLElement, n.id),
    [activate],
  );
  // Keyboard: Tab to a node (React Flow makes them focusable), Enter or Space opens it.
  const onKeyDown = useCallback(
    (e: React.KeyboardEvent) => {
      const el = e.target as HTMLElement;
      const id = el.classList.contains("react-flow__node") ? el.dataset.id : undefined;
      if (!id || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      activate(el, id);
    },
    [activate],
  );

  return (
    <ReactFlow<GraphNode>
      nodes={elements.nodes}
      edges={elements.edges}
      nodeTypes={nodeTypes}
      onNodeClick={onNodeClick}
      onKeyDown={onKeyDown}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      onlyRenderVisibleElements={elements.nodes.length > VIRTUALIZE_AT}
      minZoom={0.05}
      maxZoom={2}
      fitView
      fitViewOptions={FIT_OPTIONS}
      onMoveStart={onMoveStart}
      proOptions={{ hideAttribution: true }}
    >
      <Background variant={BackgroundVariant.Dots} gap={18} size={1} />
      <MiniMap<GraphNode>
        pannable
        zoomable
        nodeColor={minimapColor}
        nodeBorderRadius={6}
        style={{ width: 144, height: 96 }}
        className="overflow-hidden rounded-md border border-slate-200 max-sm:!hidden dark:border-slate-700"
      />
      <Controls showInteractive={false} onFitView={() => fitGraph()} />
    </ReactFlow>
  );
}

/** Phones: the list reads better than a DAG scaled to fit 390 px. */
const NARROW = "(max-width: 639px)";
const subscribeNarrow = (cb: () => void) => {
  const mq = window.matchMedia(NARROW);
  mq.addEventListener("change", cb);
  return () => mq.removeEventListener("change", cb);
};
const useNarrow = () =>
  useSyncExternalStore(
    subscribeNarrow,
    () => window.matchMedia(NARROW).matches,
    () => false,
  );

const viewButton = (on: boolean) =>
  `rounded px-2 py-0.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-sky-500 ${
    on
      ? "bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white"
      : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
  }`;

/**
 * The live DAG: auto layout left → right, colour by status, click a node for its drawer.
 * On narrow screens it starts as a list of nodes; a toggle switches between the two.
 */
function RunGraphView(props: Props) {
  const empty = props.nodes.size === 0;
  const narrow = useNarrow();
  const [chosen, setChosen] = useState<"graph" | "list" | null>(null);
  const view = chosen ?? (narrow ? "list" : "graph");
  return (
    <div
      className="sbx-graph relative h-full min-h-[320px] w-full contain-strict"
      data-testid="run-graph"
      data-view={view}
    >
      {empty ? (
        <p className="grid h-full place-items-center text-sm text-slate-500 dark:text-slate-400">
          This run has no nodes yet.
        </p>
      ) : (
        <>
          <fieldset className="absolute top-2 right-2 z-10 inline-flex rounded-md border border-slate-200 bg-slate-100 p-0.5 dark:border-slate-700 dark:bg-slate-800">
            <legend className="sr-only">Show the nodes as</legend>
            <button
              type="button"
              aria-pressed={view === "graph"}
              onClick={() => setChosen("graph")}
              className={viewButton(view === "graph")}
            >
              Graph
            </button>
            <button
              type="button"
              aria-pressed={view === "list"}
              onClick={() => setChosen("list")}
              className={viewButton(view === "list")}
            >
              List
            </button>
          </fieldset>
          {view === "list" ? (
            <div className="h-full pt-10">
              <NodeList nodes={props.nodes} selectedKey={props.selectedKey} onSelect={props.onSelect} />
            </div>
          ) : (
            <ReactFlowProvider>
              <Graph {...props} />
            </ReactFlowProvider>
          )}
        </>
      )}
    </div>
  );
}

export const RunGraph = memo(RunGraphView);
