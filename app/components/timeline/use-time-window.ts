"use client";

import { useCallback, useState } from "react";

export interface TimeWindow {
  start: number;
  end: number;
}

/** The narrowest window zoom goes to (a 10 ms node still gets a readable bar). */
const MIN_SPAN_MS = 50;

/**
 * The timeline's visible time window. `null` is "fit": the whole run, growing live with
 * it. Zooming or panning pins a window; `fit()` returns to following the run.
 */
export function useTimeWindow(full: TimeWindow) {
  const [pinned, setPinned] = useState<TimeWindow | null>(null);
  const view = pinned ?? full;

  /** Zoom by `factor` (< 1 zooms in) around `at` (0..1 across the track; default the middle). */
  const zoom = useCallback(
    (factor: number, at = 0.5) =>
      setPinned((p) => {
        const w = p ?? full;
        const span = Math.max(MIN_SPAN_MS, (w.end - w.start) * factor);
        const pivot = w.start + (w.end - w.start) * at;
        const start = pivot - span * at;
        return { start, end: start + span };
      }),
    [full],
  );

  /** Move by `fraction` of the window (negative: earlier). */
  const pan = useCallback(
    (fraction: number) =>
      setPinned((p) => {
        const w = p ?? full;
        const d = (w.end - w.start) * fraction;
        return { start: w.start + d, end: w.end + d };
      }),
    [full],
  );

  const fit = useCallback(() => setPinned(null), []);
  return { view, fitted: pinned === null, zoom, pan, fit };
}

/** Tick marks for the window: a round step giving at most `max` ticks, as offsets from `origin`. */
export function ticks(view: TimeWindow, origin: number, max = 8): number[] {
  const span = view.end - view.start;
  const steps = [10, 25, 50, 100, 250, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5];
  const step = steps.find((s) => span / s <= max) ?? 36e5 * Math.ceil(span / 36e5 / max);
  const first = Math.ceil((view.start - origin) / step) * step;
  const out: number[] = [];
  for (let t = first; origin + t <= view.end && out.length < 20; t += step) out.push(t);
  return out;
}
