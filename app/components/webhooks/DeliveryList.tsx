"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation } from "urql";
import { RedeliverDocument } from "@/app/graphql/generated";
import { formatDuration, formatTimestamp } from "../format";
import { RelativeTime } from "../RelativeTime";
import { STATUS_TONES } from "../status-tone";
import { errorMessage } from "../submit/spec-problems";
import { btn, link } from "../ui/styles";
import { type DeliveryView, eventLabel } from "./documents";

/** The grid the header and every row share (md+); phones stack the cells. */
const GRID =
  "md:grid md:grid-cols-[minmax(0,1.2fr)_minmax(0,0.9fr)_7rem_4.5rem_5.5rem_5.5rem_6.5rem] md:items-center md:gap-3";

/** Recent deliveries of one webhook, newest first: status, tries, the last response, redeliver. */
export function DeliveryList({ deliveries, canRedeliver }: { deliveries: DeliveryView[]; canRedeliver: boolean }) {
  if (deliveries.length === 0)
    return (
      <p className="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">
        No deliveries yet: they appear here when a run sends one of the chosen events.
      </p>
    );
  return (
    <div>
      <div
        aria-hidden
        className={`hidden border-b border-slate-200 bg-slate-50/80 px-4 py-2 text-[11px] font-medium uppercase tracking-wide text-slate-600 md:grid dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400 ${GRID}`}
      >
        <span>Event</span>
        <span>Run</span>
        <span>Status</span>
        <span>Tries</span>
        <span>Response</span>
        <span>Duration</span>
        <span className="sr-only">Actions</span>
      </div>
      <ul aria-label="Recent deliveries" className="divide-y divide-slate-100 dark:divide-slate-800">
        {deliveries.map((d) => (
          <DeliveryRow key={d.id} delivery={d} canRedeliver={canRedeliver} />
        ))}
      </ul>
    </div>
  );
}

function DeliveryRow({ delivery: d, canRedeliver }: { delivery: DeliveryView; canRedeliver: boolean }) {
  const last = d.attemptLog.at(-1) ?? null;
  const [state, redeliver] = useMutation(RedeliverDocument);
  const [error, setError] = useState<string | null>(null);
  return (
    <li data-testid="delivery-row" data-status={d.status} className="px-4 py-3">
      <div className={GRID}>
        <div className="flex items-baseline justify-between gap-3 md:block md:min-w-0">
          <p className="truncate text-sm font-medium text-slate-900 dark:text-slate-100">{eventLabel(d.event)}</p>
          <p className="shrink-0 text-xs text-slate-600 dark:text-slate-400">
            <RelativeTime iso={d.createdAt} />
          </p>
        </div>
        <div className="mt-0.5 min-w-0 truncate text-xs md:mt-0 md:text-sm">
          {d.runId ? (
            <Link href={`/runs/${d.runId}`} prefetch={false} className={`${link} font-mono`}>
              {d.runId.slice(0, 8)}
            </Link>
          ) : (
            "—"
          )}
        </div>
        <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 md:contents">
          <div>
            <DeliveryStatus delivery={d} />
          </div>
          <Cell label="tries">{d.attempts}</Cell>
          <Cell label="response">
            {last ? (last.statusCode ?? <span title={last.error ?? undefined}>none</span>) : "—"}
          </Cell>
          <Cell label="took">{last ? formatDuration(last.durationMs) : "—"}</Cell>
          <div className="-my-1 ml-auto md:my-0 md:ml-0 md:text-right">
            {canRedeliver && (
              <button
                type="button"
                disabled={state.fetching}
                onClick={async () => {
                  setError(null);
                  const r = await redeliver({ deliveryId: d.id });
                  if (r.error) setError(errorMessage(r.error));
                }}
                className={btn.ghost}
              >
                {state.fetching ? "Queuing…" : "Redeliver"}
              </button>
            )}
          </div>
        </div>
      </div>
      {d.lastError && (
        <p className="mt-1 break-words text-xs text-rose-700 dark:text-rose-300">
          <span className="font-medium">Last error:</span> {d.lastError}
        </p>
      )}
      {error && (
        <p role="alert" className="mt-1 text-xs text-rose-700 dark:text-rose-300">
          {error}
        </p>
      )}
      {d.attemptLog.length > 0 && <AttemptLog delivery={d} />}
    </li>
  );
}

function Cell({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="text-xs tabular-nums text-slate-700 md:text-sm dark:text-slate-300">
      <span className="text-slate-600 md:hidden dark:text-slate-400">{label} </span>
      {children}
    </div>
  );
}

/** Delivered, retrying (with when the next try is due), pending, or given up. */
function DeliveryStatus({ delivery: d }: { delivery: DeliveryView }) {
  const [text, tone] =
    d.status === "SUCCEEDED"
      ? ["delivered", STATUS_TONES.SUCCEEDED]
      : d.status === "FAILED"
        ? ["failed", STATUS_TONES.FAILED]
        : d.attempts > 0
          ? ["retrying", STATUS_TONES.PAUSED]
          : ["pending", STATUS_TONES.QUEUED];
  const title =
    d.status === "SUCCEEDED" && d.deliveredAt
      ? `delivered ${formatTimestamp(d.deliveredAt)}`
      : d.nextAttemptAt
        ? `next try ${formatTimestamp(d.nextAttemptAt)}`
        : undefined;
  return (
    <span
      title={title}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-[11px] font-semibold uppercase tracking-wide ring-1 ring-inset ${tone.badge}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${tone.dot}`} />
      {text}
    </span>
  );
}

/** Every recent try: when, the response code (or why none came), how long, what the receiver said. */
function AttemptLog({ delivery: d }: { delivery: DeliveryView }) {
  return (
    <details className="group mt-2">
      <summary className="inline-flex cursor-pointer select-none items-center gap-1 rounded-sm text-xs font-medium text-slate-700 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:text-white">
        <svg
          aria-hidden
          viewBox="0 0 12 12"
          className="size-3 transition-transform group-open:rotate-90"
          fill="currentColor"
        >
          <path d="M4 2.5 8 6l-4 3.5z" />
        </svg>
        Attempt log ({d.attemptLog.length})
      </summary>
      <ol className="mt-2 space-y-1.5 border-l-2 border-slate-200 pl-3 dark:border-slate-700">
        {d.attemptLog.map((a, i) => (
          <li key={a.id} className="text-xs text-slate-700 dark:text-slate-300">
            <span className="font-medium">#{i + 1}</span> <time dateTime={a.at}>{formatTimestamp(a.at)}</time> ·{" "}
            <span className={a.error ? "text-rose-700 dark:text-rose-300" : "text-emerald-700 dark:text-emerald-300"}>
              {a.statusCode ?? "no response"}
            </span>{" "}
            · {formatDuration(a.durationMs)}
            {a.error && a.error !== `HTTP ${a.statusCode}` && <span className="break-words"> · {a.error}</span>}
            {a.responseBody && (
              <pre className="mt-1 max-h-24 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 px-2 py-1 font-mono text-[11px] text-slate-800 dark:bg-slate-800 dark:text-slate-200">
                {a.responseBody}
              </pre>
            )}
          </li>
        ))}
      </ol>
    </details>
  );
}
