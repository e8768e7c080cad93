"use client";

import { useEffect, useState } from "react";
import type { MetricSeries } from "./metric-series";

/**
 * The series' version, re-rendering at most every `intervalMs`: at 1,000 events/s the
 * charts redraw a few times a second, not once per event.
 */
export function useSeriesVersion(series: MetricSeries, intervalMs = 150): number {
  const [version, setVersion] = useState(series.version);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const flush = () => {
      timer = null;
      last = performance.now();
      setVersion(series.version);
    };
    const off = series.subscribe(() => {
      timer ??= setTimeout(flush, Math.max(0, last + intervalMs - performance.now()));
    });
    setVersion(series.version);
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [series, intervalMs]);
  return version;
}
