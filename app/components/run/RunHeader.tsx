"use client";

import Link from "next/link";
import { memo, type ReactNode } from "react";
import { TriggerBadge } from "../runs/TriggerBadge";
import { StatusBadge } from "../StatusBadge";
import { CostTicker } from "./CostTicker";
import { LiveDuration } from "./LiveDuration";
import { RerunControls } from "./RerunControls";
import { RunControls } from "./RunControls";
import { RunLineage } from "./RunLineage";
import type { Cost, NodeStatus, NodeView, RunView } from "./types";

interface Props {
  run: RunView;
  cost: Cost;
  nodes: ReadonlyMap<string, NodeView>;
  blocked: boolean;
  /** Paused for budget and the budget still too small: resuming would pause again at once. */
  resumeBlocked: boolean;
  canOperate: boolean;
  /** The connection indicator (a live leaf of its own). */
  connection: ReactNode;
}

const DONE = new Set(["SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED"]);
/** Besides "n/total succeeded", the statuses worth a word in the header. */
const NOTED: NodeStatus[] = ["RUNNING", "WAITING", "FAILED", "CANCELLED", "SKIPPED"];

const BAR: Partial<Record<RunView["status"], string>> = {
  SUCCEEDED: "bg-emerald-500",
  FAILED: "bg-rose-500",
  CANCELLED: "bg-slate-400",
  PAUSED: "bg-amber-500",
};

function RunHeaderView({ run, cost, nodes, blocked, resumeBlocked, canOperate, connection }: Props) {
  let done = 0;
  let partial = 0;
  let reused = 0;
  const counts: Partial<Record<NodeStatus, number>> = {};
  for (const n of nodes.values()) {
    counts[n.status] = (counts[n.status] ?? 0) + 1;
    if (n.reused) reused++;
    if (DONE.has(n.status)) done++;
    else if (n.status === "RUNNING") partial += n.progress;
  }
  const noted = NOTED.filter((st) => counts[st]).map((st) => `${counts[st]} ${st.toLowerCase()}`);
  // The run row's progress only moves with RUN_STATUS events; the nodes move with every event.
  const live = nodes.size ? (done + partial) / nodes.size : 0;
  const pct = run.status === "SUCCEEDED" ? 100 : Math.floor(Math.max(run.progress, live) * 100);
  const title = run.label ?? run.pipeline ?? "Untitled run";
  return (
    <header className="contain-content border-b border-slate-200 bg-white/70 px-4 py-4 sm:px-6 dark:border-slate-800 dark:bg-slate-900/60">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-500 dark:text-slate-400">
        <Link href="/" className="hover:text-slate-800 hover:underline dark:hover:text-slate-200">
          Runs
        </Link>
        <span aria-hidden>/</span>
        {run.pipeline ? (
          <Link href={`/pipelines/${encodeURIComponent(run.pipeline)}`} className="hover:underline">
            {run.pipeline}
            {run.pipelineVersion ? ` v${run.pipelineVersion}` : ""}
          </Link>
        ) : (
          <span>inline spec</span>
        )}
        <span className="ml-auto">{connection}</span>
      </div>

      <div className="mt-2 flex flex-wrap items-start gap-x-8 gap-y-4">
        <div className="w-full min-w-0 sm:w-auto sm:flex-1">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="truncate text-xl font-semibold text-slate-900 dark:text-slate-50">{title}</h1>
            <span data-testid="run-status" data-status={run.status}>
              <StatusBadge status={run.status} reason={run.status === "PAUSED" ? run.statusReason : null} />
            </span>
            <TriggerBadge trigger={run.trigger} />
          </div>
          <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-500 dark:text-slate-400">
            <span className="font-mono text-xs leading-5" title="Run id">
              {run.id}
            </span>
            <span>
              Duration <LiveDuration startedAt={run.startedAt} finishedAt={run.finishedAt} />
            </span>
            <span className="tabular-nums">
              {counts.SUCCEEDED ?? 0}/{nodes.size} succeeded
              {reused > 0 && ` (${reused} reused)`}
              {noted.length > 0 && ` · ${noted.join(" · ")}`}
            </span>
          </div>
          <RunLineage rerunOf={run.rerunOf} reruns={run.reruns} schedule={run.schedule} />
          <div className="mt-3 flex max-w-xl items-center gap-3">
            <div
              className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
              role="progressbar"
              aria-label="Run progress"
              aria-valuenow={pct}
              aria-valuemin={0}
              aria-valuemax={100}
            >
              <div
                className={`h-full rounded-full transition-[width] duration-300 ${BAR[run.status] ?? "bg-sky-500"}`}
                style={{ width: `${pct}%` }}
              />
            </div>
            <span className="w-10 text-right text-sm tabular-nums text-slate-600 dark:text-slate-300">{pct}%</span>
          </div>
          {run.error && (
            <p className="mt-2 text-sm text-rose-600 dark:text-rose-400" role="alert">
              {run.error}
            </p>
          )}
        </div>
        <CostTicker cost={cost} blocked={blocked} />
        {canOperate && (
          <div className="flex flex-col items-start gap-2 sm:items-end">
            <RunControls runId={run.id} status={run.status} cost={cost} resumeBlocked={resumeBlocked} />
            <RerunControls runId={run.id} status={run.status} />
          </div>
        )}
      </div>
    </header>
  );
}

export const RunHeader = memo(RunHeaderView);
