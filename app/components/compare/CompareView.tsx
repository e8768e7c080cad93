"use client";

import Link from "next/link";
import { useMemo } from "react";
import type { CompareRunQuery } from "@/app/graphql/generated";
import { formatCost, formatDuration, shortId } from "../format";
import { RelativeTime } from "../RelativeTime";
import { formatCell } from "../run/format";
import { StatusBadge } from "../StatusBadge";
import { card, link } from "../ui/styles";
import { CompareLeaderboard } from "./CompareLeaderboard";
import { mergeLeaderboards, paramsDiff } from "./leaderboard";

export type ComparedRun = NonNullable<CompareRunQuery["run"]> & { params: Record<string, unknown> };

const th =
  "border-b border-slate-200 px-3 py-2 text-left text-xs font-semibold text-slate-600 dark:border-slate-800 dark:text-slate-300";
const td = "border-b border-slate-100 px-3 py-1.5 align-top dark:border-slate-800";

/** What the run column shows: the label, else the short id. */
const runName = (r: { id: string; label: string | null }) => r.label || shortId(r.id);

/** Runs of one pipeline side by side: summary, the params that differ, one merged leaderboard. */
export function CompareView({ runs }: { runs: ComparedRun[] }) {
  const board = useMemo(
    () => mergeLeaderboards(runs.map((r) => ({ id: r.id, name: runName(r), results: r.results }))),
    [runs],
  );
  const diff = useMemo(() => paramsDiff(runs.map((r) => r.params)), [runs]);

  return (
    <div className="space-y-6">
      <section aria-labelledby="compare-runs-heading" className={`${card} overflow-hidden`}>
        <h2 id="compare-runs-heading" className="px-4 pt-4 pb-2 text-base font-semibold">
          Runs
        </h2>
        <div className="overflow-x-auto">
          <table className="min-w-full border-separate border-spacing-0 text-sm" data-testid="compare-runs">
            <thead className="bg-slate-50 dark:bg-slate-900">
              <tr>
                <th scope="col" className={th}>
                  Run
                </th>
                <th scope="col" className={th}>
                  Status
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Duration
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Cost
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Rows
                </th>
                <th scope="col" className={th}>
                  Started
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <th scope="row" className={`${td} text-left font-medium whitespace-nowrap`}>
                    <Link href={`/runs/${r.id}`} className={`${link} underline`}>
                      {runName(r)}
                    </Link>
                    <span className="ml-2 font-mono text-xs text-slate-500 dark:text-slate-400">
                      {shortId(r.id)}
                      {r.pipelineVersion != null && ` · v${r.pipelineVersion}`}
                    </span>
                  </th>
                  <td className={td}>
                    <StatusBadge status={r.status} size="sm" />
                  </td>
                  <td className={`${td} text-right font-mono tabular-nums whitespace-nowrap`}>
                    {formatDuration(r.durationMs)}
                  </td>
                  <td className={`${td} text-right font-mono tabular-nums whitespace-nowrap`}>
                    {formatCost(r.cost.spent)}
                    <span className="text-slate-500 dark:text-slate-400">
                      {" "}
                      / {r.cost.budget == null ? "∞" : formatCost(r.cost.budget)}
                    </span>
                  </td>
                  <td className={`${td} text-right font-mono tabular-nums whitespace-nowrap`}>
                    {r.results.rows.length}
                  </td>
                  <td className={`${td} whitespace-nowrap`}>
                    <RelativeTime iso={r.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="compare-params-heading" className={`${card} overflow-hidden`}>
        <h2 id="compare-params-heading" className="px-4 pt-4 pb-2 text-base font-semibold">
          Params that differ
        </h2>
        {diff.length === 0 ? (
          <p className="px-4 pb-4 text-sm text-slate-600 dark:text-slate-400">Every run has the same params.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full border-separate border-spacing-0 text-sm" data-testid="compare-params">
              <thead className="bg-slate-50 dark:bg-slate-900">
                <tr>
                  <th scope="col" className={th}>
                    Param
                  </th>
                  {runs.map((r) => (
                    <th key={r.id} scope="col" className={th}>
                      {runName(r)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {diff.map((d) => (
                  <tr key={d.key}>
                    <th scope="row" className={`${td} text-left font-mono text-xs font-semibold`}>
                      {d.key}
                    </th>
                    {d.values.map((v, i) => (
                      <td
                        key={runs[i].id}
                        className={`${td} font-mono text-xs ${typeof v === "number" ? "tabular-nums" : ""}`}
                      >
                        {v === undefined ? (
                          <span className="text-slate-500 dark:text-slate-400">(not set)</span>
                        ) : (
                          formatCell(v)
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="compare-leaderboard-heading" className={`${card} overflow-hidden`}>
        <div className="flex flex-wrap items-baseline justify-between gap-2 px-4 pt-4 pb-2">
          <h2 id="compare-leaderboard-heading" className="text-base font-semibold">
            Leaderboard
          </h2>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            {board.rows.length} rows from {runs.length} runs ·{" "}
            <span className="rounded bg-emerald-100 px-1 font-semibold text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100">
              ★ best
            </span>{" "}
            per numeric column (lowest for loss, error, cost and time columns)
          </p>
        </div>
        <CompareLeaderboard board={board} />
      </section>
    </div>
  );
}
