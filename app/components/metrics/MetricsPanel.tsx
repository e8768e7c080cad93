"use client";

import { useMemo } from "react";
import { useBufferVersion } from "../run/use-buffer-version";
import { MetricChart } from "./MetricChart";
import type { MetricSeries } from "./metric-series";

/**
 * The run's metrics, live: one chart per metric name, one line per node or map child
 * (`nodeKey` set: only that node's lines, for the node drawer).
 */
export function MetricsPanel({
  series,
  nodeKey,
  compact = false,
}: {
  series: MetricSeries;
  nodeKey?: string;
  compact?: boolean;
}) {
  const version = useBufferVersion(series, 150);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the series mutates in place; `version` says when.
  const charts = useMemo(
    () =>
      (nodeKey ? series.namesOf(nodeKey) : series.names()).map((name) => ({
        name,
        lines: series.lines(name, nodeKey),
      })),
    [series, nodeKey, version],
  );
  if (!charts.length) {
    return (
      <p className="p-4 text-sm text-slate-600 dark:text-slate-300" data-testid="metrics-empty">
        No metrics yet. A node reports one with <code className="font-mono">::metric name=value</code> on stdout
        (command nodes) or <code className="font-mono">job.metric(name, value)</code> (SDK workers).
      </p>
    );
  }
  return (
    <div
      className={compact ? "space-y-3" : "grid h-full content-start gap-3 overflow-y-auto p-3 md:grid-cols-2"}
      data-testid="metrics-panel"
    >
      {charts.map((c) => (
        <MetricChart key={c.name} name={c.name} lines={c.lines} version={version} height={compact ? 140 : 170} />
      ))}
    </div>
  );
}
