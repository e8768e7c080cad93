"use client";

import Link from "next/link";
import { useState } from "react";
import { formatTimestamp } from "../format";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { btn, card } from "../ui/styles";
import { EnabledSwitch } from "./EnabledSwitch";
import { FireTimes } from "./FireTimes";
import { type PipelineChoice, ScheduleForm } from "./ScheduleForm";
import { OVERLAP_OPTIONS, type ScheduleRow, skipReason } from "./schedule-form";

const heading = "mb-1.5 text-[11px] font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400";

/** One schedule: what it runs and when, its next fires, its last runs and skips; edit in place. */
export function ScheduleCard({
  schedule: s,
  pipelines,
  canManage,
}: {
  schedule: ScheduleRow;
  pipelines: PipelineChoice[];
  canManage: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const skips = s.fires.filter((f) => f.skipped);
  const headingId = `schedule-${s.id}`;

  return (
    <li data-testid="schedule" data-schedule-id={s.id} aria-labelledby={headingId} className={`${card} p-4 sm:p-5`}>
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0">
          <h2 id={headingId} className="truncate text-base font-semibold">
            {s.name}
          </h2>
          <p className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-600 dark:text-slate-400">
            <Link
              href={`/pipelines/${encodeURIComponent(s.pipeline)}`}
              className="font-medium text-slate-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-200"
            >
              {s.pipeline}
            </Link>
            <span>{s.version == null ? "latest version" : `v${s.version}`}</span>
            <span aria-hidden>·</span>
            <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-200">
              {s.cron}
            </code>
            <span>{s.timezone}</span>
          </p>
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            Overlap: {OVERLAP_OPTIONS.find((o) => o.value === s.overlap)?.label.toLowerCase()} · catch up {s.catchUp}
            {s.budget != null && <> · budget {s.budget}</>}
            {s.createdBy && <> · created by {s.createdBy}</>}
          </p>
        </div>
        <div className="flex items-center gap-3">
          {canManage ? (
            <EnabledSwitch key={String(s.enabled)} id={s.id} name={s.name} enabled={s.enabled} />
          ) : (
            <span className="text-xs font-medium text-slate-700 dark:text-slate-300">
              {s.enabled ? "Enabled" : "Disabled"}
            </span>
          )}
          {canManage && !editing && (
            <button type="button" className={btn.secondary} onClick={() => setEditing(true)}>
              Edit<span className="sr-only"> {s.name}</span>
            </button>
          )}
        </div>
      </div>

      {editing ? (
        <div className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800">
          <ScheduleForm schedule={s} pipelines={pipelines} onDone={() => setEditing(false)} />
        </div>
      ) : (
        <div className="mt-4 grid gap-5 md:grid-cols-[minmax(0,1.3fr)_minmax(0,1fr)]">
          <section aria-label={`Next fires of ${s.name}`}>
            <h3 className={heading}>Next fires</h3>
            <FireTimes times={s.nextFireTimes} timezone={s.timezone} cron={s.cron} enabled={s.enabled} />
          </section>
          <section aria-label={`Last runs of ${s.name}`}>
            <h3 className={heading}>Last runs</h3>
            {s.runs.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No runs yet.</p>
            ) : (
              <ul className="flex flex-wrap gap-1.5">
                {s.runs.map((r) => (
                  <li key={r.id}>
                    <Link
                      href={`/runs/${r.id}`}
                      prefetch={false}
                      title={formatTimestamp(r.createdAt)}
                      className="inline-flex items-center gap-1.5 rounded-full focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
                    >
                      <StatusBadge status={r.status} size="sm" />
                      <RelativeTime iso={r.createdAt} className="text-xs text-slate-600 dark:text-slate-400" />
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            {skips.length > 0 && (
              <div className="mt-3">
                <h3 className={heading}>Skipped recently</h3>
                <ul className="space-y-0.5 text-xs text-slate-700 dark:text-slate-300">
                  {skips.slice(0, 3).map((f) => (
                    <li key={f.fireTime}>
                      <RelativeTime iso={f.fireTime} className="tabular-nums text-slate-600 dark:text-slate-400" />:{" "}
                      {skipReason(f.skipped ?? "")}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </section>
        </div>
      )}
    </li>
  );
}
