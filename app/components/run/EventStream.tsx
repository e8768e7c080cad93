"use client";

import { memo, type ReactNode, useCallback, useMemo, useState } from "react";
import { formatDuration } from "../format";
import { type BoundedBuffer, FilteredIndex } from "./bounded-buffer";
import type { EventRow } from "./event-rows";
import { EVENT_TONE, TONE_TEXT } from "./tones";
import { useBufferVersion } from "./use-buffer-version";
import { VirtualList } from "./VirtualList";

interface Props {
  buffer: BoundedBuffer<EventRow>;
  /** Rows show their time relative to this (the run's creation). */
  originMs: number;
  /** A control to load older events, shown in the toolbar. */
  history?: ReactNode;
}

const ROW_H = 24;

/** Every event of the run, tone-coded by type, newest at the bottom (virtualized, bounded). */
function EventStreamView({ buffer, originMs, history }: Props) {
  const version = useBufferVersion(buffer);
  const [follow, setFollow] = useState(true);
  const [hideLogs, setHideLogs] = useState(false);
  const filtered = useMemo(
    () => (hideLogs ? new FilteredIndex(buffer, (r: EventRow) => r.type !== "LOG") : null),
    [buffer, hideLogs],
  );
  filtered?.sync();
  const count = filtered ? filtered.length : buffer.length;
  const rowAt = useCallback((i: number) => (filtered ? filtered.get(i) : buffer.get(i)), [filtered, buffer]);
  const first = buffer.get(0);
  const last = buffer.get(buffer.length - 1);

  const renderRow = useCallback(
    (i: number) => {
      const r = rowAt(i);
      if (!r) return null;
      return (
        <div
          data-seq={r.seq}
          data-type={r.type}
          title={r.text}
          className="flex h-6 items-center gap-2 whitespace-pre border-b border-slate-100 px-2 hover:bg-slate-50 dark:border-slate-800/70 dark:hover:bg-slate-800/50"
        >
          <span className="w-10 shrink-0 text-right text-slate-500 dark:text-slate-400 tabular-nums">{r.seq}</span>
          <span className="w-12 shrink-0 text-right text-slate-500 dark:text-slate-400 tabular-nums">
            +{formatDuration(Math.max(0, r.at - originMs))}
          </span>
          <span className={`w-[104px] shrink-0 truncate text-[11px] font-semibold ${TONE_TEXT[EVENT_TONE[r.type]]}`}>
            {r.type}
          </span>
          <span className="text-slate-700 dark:text-slate-200">{r.text}</span>
        </div>
      );
    },
    [rowAt, originMs],
  );

  return (
    <section className="flex h-full min-h-0 flex-col" aria-label="Event stream">
      <div className="flex items-center gap-3 border-b border-slate-200 px-3 py-2 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
        <span
          className="font-medium text-slate-700 dark:text-slate-200"
          data-testid="event-count"
          data-first-seq={first?.seq ?? 0}
          data-last-seq={last?.seq ?? 0}
        >
          {buffer.length.toLocaleString("en-US")} events
        </span>
        {first && first.seq > 1 && (
          <span title="Older events are not in this view">from #{first.seq.toLocaleString("en-US")}</span>
        )}
        {history}
        <label className="ml-auto inline-flex items-center gap-1.5">
          <input type="checkbox" checked={hideLogs} onChange={(e) => setHideLogs(e.target.checked)} />
          hide logs
        </label>
        <FollowToggle follow={follow} onChange={setFollow} />
      </div>
      <div className="min-h-0 flex-1">
        <VirtualList
          count={count}
          rowHeight={ROW_H}
          follow={follow}
          onFollowChange={setFollow}
          renderRow={renderRow}
          version={version}
          label="Run events"
          testId="event-list"
          empty="No events yet."
        />
      </div>
    </section>
  );
}

export const EventStream = memo(EventStreamView);

export function FollowToggle({ follow, onChange }: { follow: boolean; onChange: (v: boolean) => void }) {
  return (
    <button
      type="button"
      aria-pressed={follow}
      onClick={() => onChange(!follow)}
      className={`rounded-md px-2 py-0.5 font-medium ring-1 ring-inset ${
        follow
          ? "bg-sky-50 text-sky-700 ring-sky-300 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-700"
          : "text-slate-600 ring-slate-300 dark:text-slate-300 dark:ring-slate-600"
      }`}
    >
      {follow ? "Following" : "Follow"}
    </button>
  );
}
