"use client";

import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { memo } from "react";
import { STATUS_TONES } from "../../status-tone";
import type { NodeStatus, NodeView } from "../types";
import { CELL_GAP, CELL_H, CELL_W, GROUP_HEADER, GROUP_PAD } from "./graph-model";

export type StatusCounts = Partial<Record<NodeStatus, number>>;
export type GroupNodeType = Node<
  {
    mapKey: string;
    total: number;
    counts: StatusCounts;
    /** Children copied from the re-run's source (not executed here). */
    reused: number;
    columns: number;
    /** The children, when expanded (drawn as a grid of cells inside the group). */
    children: NodeView[] | null;
    /** A selected child of this group. */
    selectedKey: string | null;
  },
  "mapGroup"
>;

/** Order of the count chips and the stacked bar. */
const ORDER: NodeStatus[] = ["SUCCEEDED", "RUNNING", "WAITING", "QUEUED", "PENDING", "FAILED", "SKIPPED", "CANCELLED"];

/**
 * The children of one map beyond the group threshold: counts per status and a stacked
 * bar; click to expand into a grid of cells (one per child), click a cell for its drawer.
 */
function GroupNodeView({ data }: NodeProps<GroupNodeType>) {
  const { counts, total, children } = data;
  const present = ORDER.filter((s) => (counts[s] ?? 0) > 0);
  const done = (counts.SUCCEEDED ?? 0) + (counts.FAILED ?? 0) + (counts.SKIPPED ?? 0) + (counts.CANCELLED ?? 0);
  return (
    <div
      data-group={data.mapKey}
      data-total={total}
      data-done={done}
      className={`h-full w-full rounded-xl border-2 border-dashed bg-white/90 text-slate-800 shadow-sm dark:bg-slate-900/90 dark:text-slate-100 ${
        (counts.RUNNING ?? 0) > 0 ? "border-sky-400 dark:border-sky-500" : "border-slate-300 dark:border-slate-600"
      }`}
      style={{ padding: GROUP_PAD }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="sbx-handle" />
      <div className="flex items-baseline gap-2" data-group-header>
        <span className="font-mono text-[13px] font-semibold">{data.mapKey}[…]</span>
        <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
          {done} / {total} done{data.reused > 0 && ` · ${data.reused} reused`}
        </span>
        <span className="ml-auto text-[11px] text-sky-700 dark:text-sky-300">{children ? "collapse" : "expand"}</span>
      </div>
      <div className="mt-2 flex h-2 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800">
        {present.map((s) => (
          <div
            key={s}
            style={{ width: `${((counts[s] ?? 0) / total) * 100}%`, backgroundColor: STATUS_TONES[s].hex }}
          />
        ))}
      </div>
      <div className="mt-2 flex flex-wrap gap-x-3 gap-y-0.5 text-[11px]">
        {present.map((s) => (
          <span key={s} data-count-status={s} className="inline-flex items-center gap-1 tabular-nums">
            <span className="size-2 rounded-full" style={{ backgroundColor: STATUS_TONES[s].hex }} />
            {counts[s]} {s.toLowerCase()}
          </span>
        ))}
      </div>
      {children && <ChildGrid nodes={children} columns={data.columns} selectedKey={data.selectedKey} />}
      <Handle type="source" position={Position.Right} isConnectable={false} className="sbx-handle" />
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);

/** Plain cells (not React Flow nodes): cheap enough for 1,000 children updating live. */
function ChildGrid({
  nodes,
  columns,
  selectedKey,
}: {
  nodes: NodeView[];
  columns: number;
  selectedKey: string | null;
}) {
  return (
    <div
      className="absolute grid contain-strict"
      style={{
        left: GROUP_PAD,
        right: GROUP_PAD,
        top: GROUP_HEADER,
        bottom: GROUP_PAD,
        gridTemplateColumns: `repeat(${columns}, ${CELL_W}px)`,
        gridAutoRows: CELL_H,
        gap: CELL_GAP,
      }}
    >
      {nodes.map((n) => (
        <ChildCell key={n.key} node={n} selected={n.key === selectedKey} />
      ))}
    </div>
  );
}

const ChildCell = memo(function ChildCell({ node, selected }: { node: NodeView; selected: boolean }) {
  const index = /\[(\d+)\]$/.exec(node.key)?.[1] ?? node.key;
  return (
    <div
      data-node-key={node.key}
      data-status={node.status}
      data-reused={node.reused || undefined}
      title={`${node.key} · ${node.status.toLowerCase()}${node.reused ? " (reused)" : ""}`}
      className={`cursor-pointer rounded-[4px] text-center font-mono text-[10px] leading-[22px] text-white/90 ${
        node.reused ? "sbx-reused-cell" : ""
      } ${selected ? "outline-2 outline-offset-1 outline-sky-500" : ""}`}
      style={{ backgroundColor: STATUS_TONES[node.status].hex }}
    >
      {index}
    </div>
  );
});
