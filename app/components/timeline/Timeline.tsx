"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useMemo, useRef, useState } from "react";
import { formatDuration } from "../format";
import { parentOf } from "../run/run-state";
import type { NodeView } from "../run/types";
import { useThrottledValue } from "../run/use-throttled-value";
import { useNow } from "../use-now";
import { TimelineAxis } from "./TimelineAxis";
import { TimelineRowView } from "./TimelineRowView";
import {
  criticalPath,
  type NodeTransitions,
  type Segment,
  type Span,
  segmentsOf,
  spanOf,
  timelineRows,
} from "./timeline-model";
import { useNodeHistory } from "./use-node-history";
import { type TimeWindow, useTimeWindow } from "./use-time-window";

interface Props {
  runId: string;
  nodes: ReadonlyMap<string, NodeView>;
  transitions: NodeTransitions;
  /** The run's creation and end (epoch ms); the axis counts from `origin`. */
  origin: number;
  finishedAt: number | null;
  onSelect: (key: string) => void;
}

const ROW_PX = 26;
/** A large run's node changes reach the bars at most this often (they arrive per frame). */
const LARGE_RUN_NODES = 200;
const LARGE_RUN_THROTTLE_MS = 250;
/** Live bars grow at this rate (a tab full of 1,000 bars re-renders only the rows in view). */
const TICK_MS = 500;

/**
 * Gantt view of the run: one row per node (a map's children grouped under it), queued /
 * running / waiting segments, the critical path marked. Zoom with the buttons, ctrl+wheel
 * or +/−; pan by dragging, shift+wheel or ←/→; "Fit" follows the run again.
 */
export function Timeline({ runId, nodes: liveNodes, transitions, origin, finishedAt, onSelect }: Props) {
  const history = useNodeHistory(runId, transitions);
  const nodes = useThrottledValue(liveNodes, liveNodes.size > LARGE_RUN_NODES ? LARGE_RUN_THROTTLE_MS : 0);
  const clock = useNow(finishedAt === null ? TICK_MS : 60_000);
  const now = finishedAt ?? clock ?? origin;
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());

  // Every node's segments and span at this instant: O(nodes), recomputed per tick or change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `history` says older transitions arrived (added in place).
  const { segments, path, full } = useMemo(() => {
    const segments = new Map<string, Segment[]>();
    const spans = new Map<string, Span>();
    let end = origin + 1000;
    for (const n of nodes.values()) {
      const s = segmentsOf(n, transitions.of(n.key), now);
      segments.set(n.key, s);
      const sp = spanOf(s);
      if (sp) {
        spans.set(n.key, sp);
        end = Math.max(end, sp.end);
      }
    }
    const full: TimeWindow = { start: origin, end: Math.max(end, now) + (end - origin) * 0.02 };
    return { segments, spans, path: criticalPath(nodes, spans, parentOf), full };
  }, [nodes, transitions, now, origin, history]);

  const rows = useMemo(
    () => timelineRows(nodes, (n) => segments.get(n.key) ?? [], parentOf, expanded),
    [nodes, segments, expanded],
  );
  const { view, fitted, zoom, pan, fit: fitRun } = useTimeWindow(full);

  const toggle = useCallback(
    (key: string) =>
      setExpanded((s) => {
        const next = new Set(s);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
    [],
  );

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    overscan: 8,
    useFlushSync: false,
  });

  const trackRef = useRef<HTMLDivElement>(null);
  const onWheel = (e: React.WheelEvent) => {
    const track = trackRef.current?.getBoundingClientRect();
    if (!track) return;
    if (e.ctrlKey || e.metaKey) {
      const at = Math.min(1, Math.max(0, (e.clientX - track.left) / track.width));
      zoom(e.deltaY > 0 ? 1.25 : 0.8, at);
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      pan(((e.deltaX || e.deltaY) / track.width) * 1);
    }
  };
  const drag = useRef<{ x: number; moved: boolean } | null>(null);
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button === 0) drag.current = { x: e.clientX, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    const track = trackRef.current?.getBoundingClientRect();
    if (!d || !track || e.buttons !== 1) return;
    const dx = e.clientX - d.x;
    if (Math.abs(dx) < 3 && !d.moved) return;
    d.moved = true;
    d.x = e.clientX;
    pan(-dx / track.width);
  };
  /** A drag that moved is a pan, not a click on the bar under the pointer. */
  const onClickCapture = (e: React.MouseEvent) => {
    if (drag.current?.moved) {
      e.stopPropagation();
      e.preventDefault();
    }
    drag.current = null;
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    const k = e.key;
    if (k === "+" || k === "=") zoom(0.8);
    else if (k === "-") zoom(1.25);
    else if (k === "ArrowLeft") pan(-0.1);
    else if (k === "ArrowRight") pan(0.1);
    else if (k === "0") fitRun();
    else return;
    e.preventDefault();
  };

  const runMs = (finishedAt ?? now) - origin;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: zoom/pan shortcuts for the whole timeline; every action also has a button.
    <div className="flex h-full flex-col" data-testid="timeline" data-rows={rows.length} onKeyDown={onKeyDown}>
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-1.5 text-xs dark:border-slate-800">
        <ToolButton label="Zoom in" onClick={() => zoom(0.8)}>
          +
        </ToolButton>
        <ToolButton label="Zoom out" onClick={() => zoom(1.25)}>
          −
        </ToolButton>
        <ToolButton label="Pan earlier" onClick={() => pan(-0.2)}>
          ←
        </ToolButton>
        <ToolButton label="Pan later" onClick={() => pan(0.2)}>
          →
        </ToolButton>
        <button
          type="button"
          onClick={fitRun}
          aria-pressed={fitted}
          className="rounded-md border border-slate-300 px-2 py-0.5 font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 aria-pressed:bg-slate-100 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800 dark:aria-pressed:bg-slate-800"
        >
          Fit{finishedAt === null ? " · live" : ""}
        </button>
        <span className="tabular-nums text-slate-600 dark:text-slate-300" data-testid="timeline-total">
          {formatDuration(runMs)}
        </span>
        <Legend />
      </div>
      <div className="grid grid-cols-[minmax(7rem,14rem)_minmax(0,1fr)] border-b border-slate-200 dark:border-slate-800">
        <div className="px-3 py-1 text-[11px] font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
          Node
        </div>
        <div ref={trackRef} className="relative h-6">
          <TimelineAxis view={view} origin={origin} now={finishedAt === null ? now : null} />
        </div>
      </div>
      <div
        ref={scrollRef}
        className="relative min-h-0 flex-1 overflow-auto overscroll-contain contain-strict"
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onClickCapture={onClickCapture}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            return (
              <TimelineRowView
                key={row.key}
                row={row}
                top={item.start}
                height={ROW_PX}
                segments={segments.get(row.key) ?? []}
                view={view}
                critical={path.has(row.key)}
                status={row.node.status}
                onSelect={onSelect}
                onToggle={toggle}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function ToolButton({ label, onClick, children }: { label: string; onClick: () => void; children: React.ReactNode }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      className="h-6 w-6 rounded-md border border-slate-300 text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
    >
      {children}
    </button>
  );
}

function Legend() {
  const item = (cls: string, label: string) => (
    <span className="inline-flex items-center gap-1">
      <span aria-hidden className={`inline-block h-2.5 w-4 rounded-sm ${cls}`} />
      {label}
    </span>
  );
  return (
    <span className="ml-auto flex flex-wrap items-center gap-3 text-slate-600 dark:text-slate-300">
      {item("bg-slate-300 dark:bg-slate-600", "queued")}
      {item("bg-sky-500", "running")}
      {item("bg-violet-500", "waiting")}
      {item("bg-sky-500 ring-2 ring-amber-500", "critical path")}
    </span>
  );
}
