"use client";

import { type KeyboardEvent, memo, type ReactNode, useId, useMemo, useRef, useState } from "react";
import { MetricsPanel } from "../metrics/MetricsPanel";
import { Timeline } from "../timeline/Timeline";
import { LogsPanel } from "./LogsPanel";
import { ResultsTable } from "./ResultsTable";
import type { RunBuffers } from "./run-buffers";
import { SpecPanel } from "./SpecPanel";
import type { NodeView, ResultsTable as Table } from "./types";
import { useBufferVersion } from "./use-buffer-version";

type Tab = "logs" | "timeline" | "metrics" | "results" | "spec";

interface Props {
  runId: string;
  buffers: RunBuffers;
  history: ReactNode;
  results: Table;
  spec: unknown;
  params: unknown;
  nodes: ReadonlyMap<string, NodeView>;
  /** The run's creation and end (epoch ms), the timeline's span. */
  origin: number;
  finishedAt: number | null;
  onSelectNode: (key: string) => void;
}

/** Logs, results leaderboard, spec / params snapshot: one panel, one tab at a time. */
function ConsoleTabsView({
  runId,
  buffers,
  history,
  results,
  spec,
  params,
  nodes,
  origin,
  finishedAt,
  onSelectNode,
}: Props) {
  const id = useId();
  const [tab, setTab] = useState<Tab>("logs");
  useBufferVersion(buffers.logs, 500); // the tab's line count and the node filter's options
  const nodeCount = buffers.logNodes.size;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the set only grows; its size says when it changed.
  const logNodes = useMemo(() => [...buffers.logNodes].sort(), [buffers, nodeCount]);
  const tabs: { id: Tab; label: string; badge?: number }[] = [
    { id: "logs", label: "Logs", badge: buffers.logs.length },
    { id: "timeline", label: "Timeline" },
    { id: "metrics", label: "Metrics" },
    { id: "results", label: "Results", badge: results.rows.length },
    { id: "spec", label: "Spec & params" },
  ];
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  // WAI-ARIA tabs: ←/→ move to the previous/next tab (wrapping), Home/End to the first/last.
  const onKey = (e: KeyboardEvent, i: number) => {
    const next =
      e.key === "ArrowRight"
        ? (i + 1) % tabs.length
        : e.key === "ArrowLeft"
          ? (i - 1 + tabs.length) % tabs.length
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? tabs.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(tabs[next].id);
    refs.current[next]?.focus();
  };

  return (
    <section className="flex h-full flex-col overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div
        role="tablist"
        aria-label="Run details"
        className="flex gap-1 border-b border-slate-200 px-2 dark:border-slate-800"
      >
        {tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${id}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => onKey(e, i)}
            className={`-mb-px inline-flex items-center gap-1.5 border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-500 ${
              tab === t.id
                ? "border-sky-500 text-slate-900 dark:text-white"
                : "border-transparent text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200"
            }`}
          >
            {t.label}
            {t.badge !== undefined && t.badge > 0 && (
              <span className="rounded-full bg-slate-100 px-1.5 text-[11px] tabular-nums text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                {t.badge.toLocaleString("en-US")}
              </span>
            )}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${tab}`} className="min-h-0 flex-1">
        {tab === "logs" && <LogsPanel buffer={buffers.logs} nodeKeys={logNodes} history={history} />}
        {tab === "timeline" && (
          <Timeline
            runId={runId}
            nodes={nodes}
            transitions={buffers.transitions}
            origin={origin}
            finishedAt={finishedAt}
            onSelect={onSelectNode}
          />
        )}
        {tab === "metrics" && <MetricsPanel series={buffers.metrics} />}
        {tab === "results" && <ResultsTable results={results} />}
        {tab === "spec" && <SpecPanel spec={spec} params={params} />}
      </div>
    </section>
  );
}

export const ConsoleTabs = memo(ConsoleTabsView);
