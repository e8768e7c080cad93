"use client";

import { memo } from "react";
import { formatDuration } from "../format";
import type { NodeStatus } from "../run/types";
import type { Segment, TimelineRow } from "./timeline-model";
import type { TimeWindow } from "./use-time-window";

interface Props {
  row: TimelineRow;
  top: number;
  height: number;
  segments: readonly Segment[];
  view: TimeWindow;
  critical: boolean;
  status: NodeStatus;
  onSelect: (key: string) => void;
  onToggle: (key: string) => void;
}

const SEGMENT_CLASS: Record<Segment["kind"], string> = {
  queued: "bg-slate-300 dark:bg-slate-600",
  running: "bg-sky-500",
  waiting: "bg-violet-500",
};
const FAILED = new Set<NodeStatus>(["FAILED", "CANCELLED"]);

/** One node's row: its key (a map's with an expand toggle) and its bar. Click → node drawer. */
function TimelineRowImpl({ row, top, height, segments, view, critical, status, onSelect, onToggle }: Props) {
  const span = view.end - view.start;
  const pct = (t: number) => ((t - view.start) / span) * 100;
  const running = segments.reduce((s, g) => s + (g.kind === "running" ? g.end - g.start : 0), 0);
  const total = segments.length ? segments[segments.length - 1].end - segments[0].start : 0;
  const spread = row.group?.spread;
  const summary = [
    status.toLowerCase(),
    running ? `running ${formatDuration(running)}` : null,
    total > running ? `total ${formatDuration(total)}` : null,
    row.group ? `${row.group.count} children` : null,
    critical ? "on the critical path" : null,
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <div
      className="absolute left-0 grid w-full grid-cols-[minmax(7rem,14rem)_minmax(0,1fr)] border-b border-slate-100 dark:border-slate-800/60"
      style={{ top, height }}
      data-testid="timeline-row"
      data-node-key={row.key}
      data-critical={critical || undefined}
      data-open={segments.some((s) => s.open) || undefined}
    >
      <div className={`flex min-w-0 items-center gap-1 pr-2 text-xs ${row.depth ? "pl-7" : "pl-2"}`}>
        {row.group ? (
          <button
            type="button"
            aria-expanded={row.group.expanded}
            aria-label={`${row.group.expanded ? "Collapse" : "Expand"} ${row.group.count} children of ${row.key}`}
            onClick={() => onToggle(row.key)}
            className="h-5 w-5 shrink-0 rounded text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800"
          >
            {row.group.expanded ? "▾" : "▸"}
          </button>
        ) : (
          !row.depth && <span className="w-5 shrink-0" />
        )}
        <span
          className={`truncate font-mono ${critical ? "font-semibold text-amber-800 dark:text-amber-300" : "text-slate-700 dark:text-slate-200"}`}
          title={row.key}
        >
          {row.key}
        </span>
        {row.group && (
          <span className="shrink-0 text-[11px] tabular-nums text-slate-600 dark:text-slate-300">
            ×{row.group.count}
          </span>
        )}
      </div>
      <button
        type="button"
        onClick={() => onSelect(row.key)}
        aria-label={`${row.key}: ${summary}`}
        title={`${row.key} · ${summary}`}
        data-testid="timeline-bar"
        data-running-ms={Math.round(running)}
        data-segments={segments.map((g) => g.kind).join(" ")}
        className="relative h-full overflow-hidden text-left focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500"
      >
        {spread && (
          <span
            data-testid="timeline-spread"
            className="absolute top-1 bottom-1 rounded-sm bg-sky-200/70 dark:bg-sky-900/70"
            style={{ left: `${pct(spread.start)}%`, width: `${Math.max(0.2, pct(spread.end) - pct(spread.start))}%` }}
          />
        )}
        {segments.map((g) => (
          <span
            key={`${g.kind}-${g.start}`}
            className={`absolute rounded-sm ${
              g.kind === "running" && FAILED.has(status) ? "bg-rose-500" : SEGMENT_CLASS[g.kind]
            } ${critical ? "ring-2 ring-amber-500" : ""} ${spread ? "top-2 bottom-2" : "top-1.5 bottom-1.5"}`}
            style={{ left: `${pct(g.start)}%`, width: `max(2px, ${pct(g.end) - pct(g.start)}%)` }}
          />
        ))}
        {spread && (
          <span className="pointer-events-none absolute top-0 right-1 hidden text-[10px] sm:inline leading-[26px] tabular-nums text-slate-700 dark:text-slate-200">
            p50 {formatDuration(spread.p50)} · max {formatDuration(spread.max)}
          </span>
        )}
      </button>
    </div>
  );
}

export const TimelineRowView = memo(TimelineRowImpl);
