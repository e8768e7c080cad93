"use client";

import { memo, type ReactNode, useCallback, useId, useMemo, useState } from "react";
import { type BoundedBuffer, FilteredIndex } from "./bounded-buffer";
import { INPUT } from "./buttons";
import { FollowToggle } from "./EventStream";
import type { LogRow } from "./event-rows";
import { clockTime } from "./format";
import { levelTone, TONE_TEXT } from "./tones";
import type { LogLevel } from "./types";
import { useBufferVersion } from "./use-buffer-version";
import { VirtualList } from "./VirtualList";

const LEVELS: LogLevel[] = ["DEBUG", "INFO", "WARNING", "ERROR"];
const RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };
const ROW_H = 20;

interface Props {
  buffer: BoundedBuffer<LogRow>;
  nodeKeys: string[];
  /** Fixed node filter (the node drawer shows one node's logs). */
  nodeKey?: string;
  compact?: boolean;
  /** A control to load older lines, shown in the toolbar. */
  history?: ReactNode;
}

/** Log lines of the run: level and node filters, follow-tail, 100k lines in a bounded buffer. */
function LogsPanelView({ buffer, nodeKeys, nodeKey, compact, history }: Props) {
  const version = useBufferVersion(buffer);
  const ids = useId();
  const [minLevel, setMinLevel] = useState<LogLevel>("DEBUG");
  const [node, setNode] = useState<string>("");
  const [follow, setFollow] = useState(true);
  const onlyNode = nodeKey ?? node;
  const filtered = useMemo(() => {
    if (minLevel === "DEBUG" && !onlyNode) return null;
    const min = RANK[minLevel];
    return new FilteredIndex(buffer, (r: LogRow) => RANK[r.level] >= min && (!onlyNode || r.nodeKey === onlyNode));
  }, [buffer, minLevel, onlyNode]);
  filtered?.sync();
  const count = filtered ? filtered.length : buffer.length;
  const rowAt = useCallback((i: number) => (filtered ? filtered.get(i) : buffer.get(i)), [filtered, buffer]);

  const renderRow = useCallback(
    (i: number) => {
      const r = rowAt(i);
      if (!r) return null;
      return (
        <div data-seq={r.seq} className="flex h-5 items-center gap-3 whitespace-pre px-3">
          <span className="shrink-0 text-slate-500 dark:text-slate-400 tabular-nums">{clockTime(r.at)}</span>
          <span className={`w-14 shrink-0 font-semibold ${TONE_TEXT[levelTone(r.level)]}`}>{r.level}</span>
          {!nodeKey && (
            <span className="w-28 shrink-0 truncate text-slate-500 dark:text-slate-400">{r.nodeKey ?? "run"}</span>
          )}
          <span className="text-slate-800 dark:text-slate-200">{r.message}</span>
        </div>
      );
    },
    [rowAt, nodeKey],
  );

  return (
    <section className="flex h-full min-h-0 flex-col" aria-label="Logs">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-3 py-2 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
        <span className="font-medium text-slate-700 dark:text-slate-200" data-testid="log-count">
          {count.toLocaleString("en-US")} lines
        </span>
        {!compact && (
          <>
            <label htmlFor={`${ids}-level`}>Level</label>
            <select
              id={`${ids}-level`}
              value={minLevel}
              onChange={(e) => setMinLevel(e.target.value as LogLevel)}
              className={`${INPUT} h-7`}
            >
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l === "DEBUG" ? "all levels" : `${l} and above`}
                </option>
              ))}
            </select>
            {!nodeKey && (
              <>
                <label htmlFor={`${ids}-node`}>Node</label>
                <select
                  id={`${ids}-node`}
                  value={node}
                  onChange={(e) => setNode(e.target.value)}
                  className={`${INPUT} h-7 max-w-40`}
                >
                  <option value="">all nodes</option>
                  {nodeKeys.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </select>
              </>
            )}
          </>
        )}
        <span className="ml-auto" />
        {history}
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
          label={nodeKey ? `Logs of ${nodeKey}` : "Run logs"}
          testId={nodeKey ? "node-logs" : "log-list"}
          empty={onlyNode || minLevel !== "DEBUG" ? "No lines match the filters." : "No log lines yet."}
        />
      </div>
    </section>
  );
}

export const LogsPanel = memo(LogsPanelView);
