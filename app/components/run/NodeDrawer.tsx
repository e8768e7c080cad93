"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";
import { formatCost, formatDuration, shortId } from "../format";
import { JsonView } from "../JsonView";
import { MetricsPanel } from "../metrics/MetricsPanel";
import type { MetricSeries } from "../metrics/metric-series";
import { StatusBadge } from "../StatusBadge";
import type { BoundedBuffer } from "./bounded-buffer";
import type { LogRow } from "./event-rows";
import { dateTime } from "./format";
import { GateDecisionForm } from "./GateDecisionForm";
import { LiveDuration } from "./LiveDuration";
import { LogsPanel } from "./LogsPanel";
import type { NodeView } from "./types";

interface Props {
  runId: string;
  node: NodeView;
  logs: BoundedBuffer<LogRow>;
  metrics: MetricSeries;
  childCount: number;
  canOperate: boolean;
  /** The run this one re-runs (where reused nodes come from). */
  rerunOf: string | null;
  onClose: () => void;
}

const NO_KEYS: string[] = [];

/** One node in detail: timings, attempt, error, output and metrics, its logs, and its gate. */
export function NodeDrawer({ runId, node, logs, metrics: series, childCount, canOperate, rerunOf, onClose }: Props) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const metrics = node.metrics ?? {};
  return (
    <aside
      role="dialog"
      aria-label={`Node ${node.key}`}
      data-testid="node-drawer"
      data-node-key={node.key}
      className="fixed inset-0 z-40 flex flex-col overflow-hidden border-slate-200 bg-white shadow-2xl sm:inset-y-0 sm:right-0 sm:left-auto sm:w-[480px] sm:border-l dark:border-slate-800 dark:bg-slate-950"
    >
      <div className="flex items-start gap-3 border-b border-slate-200 px-5 py-4 dark:border-slate-800">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <h2 className="truncate font-mono text-base font-semibold">{node.key}</h2>
            <StatusBadge status={node.status} size="sm" />
            {node.reused && <ReusedBadge />}
          </div>
          <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
            {node.kind}
            {node.label ? ` · ${node.label}` : ""}
            {node.dynamic ? ` · added by ${node.parentKey ?? "a map"}` : ""}
            {node.needs.length ? ` · needs ${node.needs.join(", ")}` : ""}
          </p>
        </div>
        <button
          ref={closeRef}
          type="button"
          onClick={onClose}
          aria-label="Close node details"
          className="rounded-md px-2 py-1 text-slate-500 dark:text-slate-400 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:bg-slate-800 dark:hover:text-white"
        >
          ✕
        </button>
      </div>

      <div className="min-h-0 flex-1 space-y-5 overflow-y-auto px-5 py-4">
        {node.reused && (
          <p
            data-testid="node-reused"
            className="rounded-lg border border-dashed border-indigo-300 bg-indigo-50 px-3 py-2 text-sm text-indigo-900 dark:border-indigo-700 dark:bg-indigo-950/50 dark:text-indigo-100"
          >
            Reused from{" "}
            {rerunOf ? (
              <Link href={`/runs/${rerunOf}`} prefetch={false} className="font-mono underline underline-offset-2">
                run {shortId(rerunOf)}
              </Link>
            ) : (
              "the source run"
            )}
            , where it succeeded: not executed in this run, and not charged to its budget. Its output
            {node.kind === "gate" ? ", metrics and decision" : " and metrics"} are the source&apos;s.
          </p>
        )}
        <dl className="grid grid-cols-3 gap-x-4 gap-y-3 text-sm">
          <Field label="Started">{dateTime(node.startedAt)}</Field>
          <Field label="Finished">{dateTime(node.finishedAt)}</Field>
          <Field label="Duration">
            {node.finishedAt ? (
              formatDuration(node.durationMs)
            ) : (
              <LiveDuration startedAt={node.startedAt} finishedAt={null} />
            )}
          </Field>
          <Field label="Attempt">{node.attempt || "—"}</Field>
          <Field label="Progress">{Math.round(node.progress * 100)}%</Field>
          <Field label="Cost">{formatCost(node.cost)}</Field>
          {childCount > 0 && <Field label="Children">{childCount}</Field>}
        </dl>

        {node.error && (
          <pre
            role="alert"
            className="whitespace-pre-wrap rounded-lg border border-rose-200 bg-rose-50 p-3 font-mono text-xs text-rose-800 dark:border-rose-900 dark:bg-rose-950/50 dark:text-rose-200"
          >
            {node.error}
          </pre>
        )}

        {node.kind === "gate" && <GateDecisionForm key={node.id} runId={runId} node={node} canDecide={canOperate} />}

        <Section title="Output">
          {node.output === null || node.output === undefined ? (
            <p className="text-sm text-slate-500 dark:text-slate-400">No output yet.</p>
          ) : (
            <JsonView value={node.output} label="Output" className="max-h-72" />
          )}
        </Section>
        {Object.keys(metrics).length > 0 && (
          <Section title="Metrics">
            <JsonView value={metrics} label="Metrics" />
            {series.namesOf(node.key).length > 0 && (
              <div className="mt-3">
                <MetricsPanel series={series} nodeKey={node.key} compact />
              </div>
            )}
          </Section>
        )}
        <Section title="Logs">
          <div className="h-60 overflow-hidden rounded-lg border border-slate-200 dark:border-slate-800">
            <LogsPanel buffer={logs} nodeKeys={NO_KEYS} nodeKey={node.key} compact />
          </div>
        </Section>
      </div>
    </aside>
  );
}

function ReusedBadge() {
  return (
    <span className="inline-flex items-center rounded-full px-1.5 text-[10px] font-semibold uppercase tracking-wide text-indigo-700 ring-1 ring-indigo-300 ring-inset dark:text-indigo-300 dark:ring-indigo-700">
      reused
    </span>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-[11px] font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="mt-0.5 tabular-nums text-slate-900 dark:text-slate-100">{children}</dd>
    </div>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section>
      <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</h3>
      {children}
    </section>
  );
}
