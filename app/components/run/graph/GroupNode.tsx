"use client";

import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { memo } from "react";
import { STATUS_TONES } from "../../status-tone";
import type { NodeStatus } from "../types";

export type StatusCounts = Partial<Record<NodeStatus, number>>;
export type GroupNodeType = Node<
  { mapKey: string; total: number; counts: StatusCounts; expanded: boolean },
  "mapGroup"
>;

/** Order of the count chips and the stacked bar. */
const ORDER: NodeStatus[] = ["SUCCEEDED", "RUNNING", "WAITING", "QUEUED", "PENDING", "FAILED", "SKIPPED", "CANCELLED"];

/** The children of one map beyond the group threshold: counts per status, click to expand. */
function GroupNodeView({ data, selected }: NodeProps<GroupNodeType>) {
  const { counts, total } = data;
  const present = ORDER.filter((s) => (counts[s] ?? 0) > 0);
  const done = (counts.SUCCEEDED ?? 0) + (counts.FAILED ?? 0) + (counts.SKIPPED ?? 0) + (counts.CANCELLED ?? 0);
  return (
    <div
      data-group={data.mapKey}
      data-total={total}
      data-done={done}
      className={`h-full w-full rounded-xl border-2 border-dashed border-slate-300 bg-white/90 p-3 text-slate-800 shadow-sm dark:border-slate-600 dark:bg-slate-900/90 dark:text-slate-100 ${
        selected ? "border-sky-500" : ""
      } ${(counts.RUNNING ?? 0) > 0 ? "border-sky-400 dark:border-sky-500" : ""}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="sbx-handle" />
      <div className="flex items-baseline gap-2">
        <span className="font-mono text-[13px] font-semibold">{data.mapKey}[…]</span>
        <span className="text-xs text-slate-500 dark:text-slate-400">
          {done} / {total} done
        </span>
        <span className="ml-auto text-[11px] text-sky-700 dark:text-sky-300">
          {data.expanded ? "collapse" : "expand"}
        </span>
      </div>
      <div className="mt-2 flex h-2 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800">
        {present.map((s) => (
          <div
            key={s}
            style={{ width: `${((counts[s] ?? 0) / total) * 100}%`, backgroundColor: STATUS_TONES[s].hex }}
          />
        ))}
      </div>
      {!data.expanded && (
        <div className="mt-2 flex flex-wrap gap-x-3 gap-y-0.5 text-[11px]">
          {present.map((s) => (
            <span key={s} data-count-status={s} className="inline-flex items-center gap-1 tabular-nums">
              <span className="size-2 rounded-full" style={{ backgroundColor: STATUS_TONES[s].hex }} />
              {counts[s]} {s.toLowerCase()}
            </span>
          ))}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} className="sbx-handle" />
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
