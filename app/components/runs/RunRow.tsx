"use client";

import Link from "next/link";
import type { RunSummary } from "@/app/graphql/types";
import { formatCost, formatPercent, shortId } from "../format";
import { ProgressBar } from "../ProgressBar";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { RunDuration } from "./RunDuration";
import { TriggerBadge } from "./TriggerBadge";

/** The grid every row and the header share (md+); phones stack the cells. */
export const RUN_GRID =
  "md:grid md:grid-cols-[9rem_minmax(0,1.6fr)_minmax(7rem,1fr)_8rem_6.5rem_5.5rem] md:items-center md:gap-4";

function runTitle(run: RunSummary): string {
  return run.label || run.pipeline || `run ${shortId(run.id)}`;
}

/** One run: status, name, pipeline, live progress, cost against budget, times. */
export function RunRow({
  run,
  fresh,
  selected,
  onSelect,
}: {
  run: RunSummary;
  fresh: boolean;
  selected: boolean;
  /** Toggles the row in the selection the Compare action uses. */
  onSelect: (run: RunSummary, on: boolean) => void;
}) {
  const { spent, budget } = run.cost;
  const nearBudget = budget != null && budget > 0 && spent / budget >= 0.8;
  return (
    <li
      data-testid="run-row"
      data-run-id={run.id}
      data-status={run.status}
      className={`relative px-4 py-3 transition-colors hover:bg-slate-50 focus-within:bg-slate-50 dark:hover:bg-slate-800/40 dark:focus-within:bg-slate-800/40 ${RUN_GRID} ${fresh ? "animate-row-in" : ""}`}
    >
      <div className="flex items-center justify-between gap-2 md:justify-start">
        <span className="flex items-center gap-2">
          {/* Above the row-wide link (z-10), so it can be clicked without opening the run. */}
          <input
            type="checkbox"
            checked={selected}
            onChange={(e) => onSelect(run, e.target.checked)}
            aria-label={`Select ${runTitle(run)} (${shortId(run.id)}) to compare`}
            className="relative z-10 size-4 cursor-pointer accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
          />
          <StatusBadge status={run.status} />
        </span>
        <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">
          <RelativeTime iso={run.createdAt} />
        </span>
      </div>
      <div className="mt-1.5 min-w-0 md:mt-0">
        <Link
          // A run page is a full server render (snapshot, nodes): fifty rows in view must not
          // render fifty of them ahead of a click.
          prefetch={false}
          href={`/runs/${run.id}`}
          className="block truncate text-sm font-medium text-slate-900 after:absolute after:inset-0 focus-visible:outline-none dark:text-slate-100 [&:focus-visible]:after:outline-2 [&:focus-visible]:after:outline-sky-500 [&:focus-visible]:after:rounded-md"
        >
          {runTitle(run)}
        </Link>
        <p className="truncate font-mono text-[11px] text-slate-500 dark:text-slate-400">
          {shortId(run.id)} <TriggerBadge trigger={run.trigger} />
          {run.label && run.pipeline && <span className="font-sans md:hidden"> · {run.pipeline}</span>}
          {run.statusReason && <span className="font-sans"> · {run.statusReason.toLowerCase()}</span>}
          {run.error && <span className="font-sans text-rose-600 dark:text-rose-400"> · {run.error}</span>}
        </p>
      </div>
      <div className="hidden truncate text-sm text-slate-600 md:block dark:text-slate-300">
        {run.pipeline ? (
          <>
            {run.pipeline}
            {run.pipelineVersion != null && (
              <span className="text-slate-500 dark:text-slate-400"> v{run.pipelineVersion}</span>
            )}
          </>
        ) : (
          <span className="text-slate-500 dark:text-slate-400">inline spec</span>
        )}
      </div>
      <div className="mt-2 flex items-center gap-2 md:mt-0">
        <ProgressBar
          value={run.progress}
          status={run.status}
          className="flex-1"
          label={`Progress of ${runTitle(run)}`}
        />
        <span className="w-9 text-right text-xs tabular-nums text-slate-500 dark:text-slate-400">
          {formatPercent(run.progress)}
        </span>
      </div>
      <div
        className={`mt-1 mr-4 inline-block text-xs tabular-nums md:mt-0 md:mr-0 md:block md:text-right md:text-sm ${nearBudget ? "text-amber-700 dark:text-amber-400" : "text-slate-600 dark:text-slate-300"}`}
        title={
          budget != null
            ? `spent ${formatCost(spent)} of ${formatCost(budget)}`
            : `spent ${formatCost(spent)}, no budget`
        }
      >
        <span className="md:hidden text-slate-500 dark:text-slate-400">cost </span>
        {formatCost(spent)}
        <span className="text-slate-500 dark:text-slate-400"> / {budget != null ? formatCost(budget) : "∞"}</span>
      </div>
      <div className="mt-1 inline-flex gap-3 text-xs text-slate-500 md:mt-0 md:block md:text-right dark:text-slate-400">
        <span className="hidden md:block">
          <RelativeTime iso={run.createdAt} />
        </span>
        <span className="md:text-[11px]">
          <svg
            aria-hidden
            viewBox="0 0 16 16"
            className="mr-1 inline size-3 align-[-2px] md:hidden"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
          >
            <circle cx="8" cy="8" r="6" />
            <path d="M8 4.5V8l2.5 1.5" />
          </svg>
          <RunDuration status={run.status} startedAt={run.startedAt} durationMs={run.durationMs} />
        </span>
      </div>
    </li>
  );
}
