"use client";

import { useEffect, useRef, useState } from "react";
import { formatDuration } from "../format";
import { type TimeWindow, ticks } from "./use-time-window";

/** Room one tick label needs (`+12m 30s`). */
const TICK_PX = 72;

/** Offsets from the run's start along the visible window, and a "now" line while live. */
export function TimelineAxis({ view, origin, now }: { view: TimeWindow; origin: number; now: number | null }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const span = view.end - view.start;
  const x = (t: number) => `${((t - view.start) / span) * 100}%`;
  return (
    <div
      aria-hidden
      className="absolute inset-0 overflow-hidden text-[11px] tabular-nums text-slate-600 dark:text-slate-300"
    >
      {ticks(view, origin, Math.max(2, Math.floor(width / TICK_PX))).map((t) => (
        <span
          key={t}
          className="absolute top-0 h-full border-l border-slate-200 pl-1 leading-6 dark:border-slate-700"
          style={{ left: x(origin + t) }}
        >
          {t === 0 ? "0" : `+${formatDuration(t)}`}
        </span>
      ))}
      {now !== null && now >= view.start && now <= view.end && (
        <span className="absolute top-0 h-full border-l-2 border-rose-500" style={{ left: x(now) }} />
      )}
    </div>
  );
}
