"use client";

import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { memo } from "react";
import { formatDuration } from "../../format";
import { STATUS_TONES } from "../../status-tone";
import type { NodeView } from "../types";

export type StatusNodeType = Node<{ node: NodeView }, "status">;

/** Per-status frame of a graph node (kept as classes so 1,000 nodes share stylesheets). */
const FRAME: Record<NodeView["status"], string> = {
  PENDING: "border-slate-200 bg-white/80 text-slate-500 dark:border-slate-700 dark:bg-slate-900/80 dark:text-slate-400",
  QUEUED: "border-slate-300 bg-white text-slate-700 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-200",
  RUNNING: "border-sky-400 bg-sky-50 text-slate-900 dark:border-sky-500 dark:bg-sky-950 dark:text-slate-50",
  WAITING: "border-violet-500 bg-violet-50 text-slate-900 dark:bg-violet-950 dark:text-slate-50 sbx-gate-glow",
  SUCCEEDED:
    "border-emerald-300 bg-emerald-50 text-slate-900 dark:border-emerald-700 dark:bg-emerald-950/70 dark:text-slate-50",
  FAILED: "border-rose-400 bg-rose-50 text-slate-900 dark:border-rose-600 dark:bg-rose-950 dark:text-slate-50",
  SKIPPED:
    "border-dashed border-slate-300 bg-slate-50 text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400",
  CANCELLED:
    "border-dashed border-slate-300 bg-slate-100 text-slate-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-400",
};

/** A node copied from the re-run's source: dashed, so it reads as "not run here" at a glance. */
const REUSED_FRAME =
  "border-dashed border-emerald-600 bg-emerald-50/60 text-slate-900 dark:border-emerald-500 dark:bg-emerald-950/40 dark:text-slate-50";

export function statusLine(n: NodeView): string {
  if (n.reused) return `succeeded · ${n.kind}`;
  if (n.status === "RUNNING") return n.progress > 0 ? `running ${Math.round(n.progress * 100)}%` : "running";
  if (n.status === "WAITING") return "needs a decision";
  if (n.durationMs !== null && n.finishedAt) return `${n.status.toLowerCase()} · ${formatDuration(n.durationMs)}`;
  return n.status.toLowerCase();
}

function StatusNodeView({ data, selected }: NodeProps<StatusNodeType>) {
  const n = data.node;
  const fill = STATUS_TONES[n.status].hex;
  return (
    <div
      data-node-key={n.key}
      data-status={n.status}
      data-reused={n.reused || undefined}
      title={n.label && n.label !== n.key ? `${n.label} (${n.key})` : n.key}
      className={`relative h-full w-full overflow-hidden rounded-lg border px-3 py-2 shadow-sm transition-colors ${
        n.reused ? REUSED_FRAME : FRAME[n.status]
      } ${selected ? "outline-2 outline-offset-2 outline-sky-500" : ""}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="sbx-handle" />
      <div className="flex items-center gap-2">
        <span
          className={`size-2.5 shrink-0 rounded-full ${n.status === "RUNNING" ? "sbx-pulse" : ""}`}
          style={{ backgroundColor: fill }}
        />
        <span className="min-w-0 truncate font-mono text-[13px] font-medium" data-testid="node-label">
          {n.label ?? n.key}
        </span>
        {n.reused ? (
          <span
            className="ml-auto shrink-0 rounded bg-white/80 px-1 text-[10px] font-semibold uppercase tracking-wide text-indigo-700 ring-1 ring-indigo-300 ring-inset dark:bg-slate-950/60 dark:text-indigo-300 dark:ring-indigo-700"
            title="Reused from the run this one re-runs: not executed here"
          >
            reused
          </span>
        ) : (
          <span className="ml-auto shrink-0 text-[10px] uppercase tracking-wide opacity-60">{n.kind}</span>
        )}
      </div>
      <div className="mt-1 flex items-center gap-2 pl-[18px] text-[11px] opacity-80">
        <span className="truncate">{statusLine(n)}</span>
        {n.attempt > 1 && <span className="shrink-0 opacity-70">#{n.attempt}</span>}
      </div>
      {n.status === "RUNNING" && (
        <div className="absolute inset-x-0 bottom-0 h-[3px] bg-sky-200/60 dark:bg-sky-900">
          <div className="h-full bg-sky-500 transition-[width]" style={{ width: `${Math.round(n.progress * 100)}%` }} />
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} className="sbx-handle" />
    </div>
  );
}

export const StatusNode = memo(StatusNodeView);
