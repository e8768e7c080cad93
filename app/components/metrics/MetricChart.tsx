"use client";

import "uplot/dist/uPlot.min.css";
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import { formatDuration } from "../format";
import { formatCell } from "../run/format";
import type { Series } from "./metric-series";

/** Line colours that read on white and on slate-900 (one per line, cycled). */
const PALETTE = ["#0ea5e9", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444", "#14b8a6", "#ec4899", "#84cc16", "#6366f1"];

interface Props {
  name: string;
  lines: readonly Series[];
  /** Bumped whenever a point is added (the lines are read, not copied). */
  version: number;
  height?: number;
}

interface Readout {
  time: string;
  values: { label: string; value: string; color: string }[];
}

/** The read-out lists every line up to this many; past it, only the line nearest the cursor. */
const MAX_LISTED = 6;
/** How far back (in joined x positions) a line's latest value is looked for. */
const LOOK_BACK = 64;

/**
 * One metric's chart (uPlot on a canvas): one line per node or map child, x = report time.
 * New points go in with `setData` (no re-creation), so a live series costs one redraw per
 * update; the hover read-out is ours (uPlot's table legend does not scale to 1,000 lines).
 */
export function MetricChart({ name, lines, version, height = 180 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef("");
  const [readout, setReadout] = useState<Readout | null>(null);
  const [dark, setDark] = useState(false);

  useEffect(() => {
    const root = document.documentElement;
    const sync = () => setDark(root.classList.contains("dark"));
    sync();
    const mo = new MutationObserver(sync);
    mo.observe(root, { attributes: true, attributeFilter: ["class"] });
    return () => mo.disconnect();
  }, []);

  // (Re)create when the set of lines or the theme changes; otherwise only push data.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` says the lines grew (they are mutated in place).
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data = uPlot.join(lines.map((s) => [s.xs, s.ys] as uPlot.AlignedData));
    const key = `${dark}|${lines.map((s) => s.label).join("\n")}`;
    if (plot.current && shape.current === key) {
      plot.current.setData(data);
      return;
    }
    plot.current?.destroy();
    shape.current = key;
    const axis = dark ? "#cbd5e1" : "#334155";
    const grid = dark ? "#1e293b" : "#e2e8f0";
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { focus: { prox: 24 }, drag: { x: true, y: false } },
      focus: { alpha: 0.35 },
      // x: seconds since the run was created, labelled in the app's short durations.
      scales: { x: { time: false } },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid },
          ticks: { stroke: grid },
          values: (_u, splits) => splits.map((v) => `+${formatDuration(v * 1000)}`),
        },
        { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid }, size: 56 },
      ],
      series: [
        {},
        ...lines.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: true,
          points: { show: lines.length <= 4 },
        })),
      ],
      hooks: { setCursor: [(u) => setReadout(readoutAt(u))] },
    };
    plot.current = new uPlot(opts, data, el);
  }, [lines, version, dark, height]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
      shape.current = "";
    };
  }, [height]);

  const points = lines.reduce((n, s) => n + s.ys.length, 0);
  const last = lines.length === 1 ? lines[0].ys[lines[0].ys.length - 1] : undefined;
  return (
    <figure
      className="min-w-0 rounded-lg border border-slate-200 p-2 dark:border-slate-800"
      data-testid="metric-chart"
      data-metric={name}
      data-points={points}
      data-lines={lines.length}
    >
      <figcaption className="mb-1 flex flex-wrap items-baseline gap-x-2 px-1 text-xs">
        <span className="font-mono font-semibold text-slate-800 dark:text-slate-100">{name}</span>
        <span className="text-slate-600 dark:text-slate-300">
          {lines.length} {lines.length === 1 ? "line" : "lines"} · {points.toLocaleString("en-US")} points
          {last !== undefined ? ` · last ${formatCell(last)}` : ""}
        </span>
      </figcaption>
      <div ref={box} role="img" aria-label={`${name}: ${points} points over ${lines.length} lines`} />
      <div className="min-h-[1.25rem] px-1 text-[11px] tabular-nums text-slate-700 dark:text-slate-200" aria-live="off">
        {readout ? (
          <span data-testid="metric-readout">
            {readout.time}
            {readout.values.map((v) => (
              <span key={v.label} className="ml-3 inline-flex items-center gap-1">
                <span aria-hidden className="inline-block h-2 w-2 rounded-full" style={{ background: v.color }} />
                <span className="font-mono">{v.label}</span> {v.value}
              </span>
            ))}
          </span>
        ) : (
          <span className="text-slate-600 dark:text-slate-300">Hover the chart for values.</span>
        )}
      </div>
    </figure>
  );
}

/** The values under the cursor: every line's, or only the nearest line's when there are many. */
function readoutAt(u: uPlot): Readout | null {
  const idx = u.cursor.idx;
  if (idx == null || u.cursor.left == null || u.cursor.left < 0) return null;
  const x = u.data[0][idx];
  const time = `+${formatDuration(x * 1000)}`;
  const all: { label: string; value: number; color: string; dist: number }[] = [];
  for (let i = 1; i < u.series.length; i++) {
    // Lines report at their own times: a line without a value here shows its latest before.
    let j = idx;
    while (j > 0 && idx - j < LOOK_BACK && u.data[i][j] == null) j--;
    const v = u.data[i][j];
    if (v == null) continue;
    const s = u.series[i];
    const dist = Math.abs(u.valToPos(v, "y") - (u.cursor.top ?? 0));
    all.push({ label: String(s.label), value: v, color: PALETTE[(i - 1) % PALETTE.length], dist });
  }
  const shown = all.length > MAX_LISTED ? all.sort((a, b) => a.dist - b.dist).slice(0, 1) : all;
  return { time, values: shown.map((v) => ({ label: v.label, value: formatCell(v.value), color: v.color })) };
}
