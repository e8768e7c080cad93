"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useQuery } from "urql";
import { RunsDocument } from "@/app/graphql/generated";
import { useLive } from "../live/LiveProvider";
import { seedQuery } from "../live/urql-client";
import { useRefetchOnRunsChanged } from "../live/use-refetch-on-runs-changed";
import { btn } from "../ui/styles";
import { CompareBar } from "./CompareBar";
import type { RunsData, RunsVariables } from "./documents";
import { RUN_GRID, RunRow } from "./RunRow";

type PageInfo = RunsData["runs"]["pageInfo"];

/**
 * The runs list, live. Page 1 starts from the server's PostgreSQL read (seeded into
 * graphcache); the shared `runsChanged` subscription patches Run entities in place and its
 * cache updater inserts new runs at the top. "Load more" follows the keyset cursor.
 */
export function RunsTable({
  initial,
  variables,
  empty,
}: {
  initial: RunsData;
  variables: RunsVariables;
  /** Shown while the list is empty (a live insert replaces it). */
  empty: React.ReactNode;
}) {
  const live = useLive();
  useState(() => seedQuery(live, RunsDocument, variables, initial));
  const [result, refetch] = useQuery({ query: RunsDocument, variables });
  // Holds the shared runsChanged subscription open while the list shows; its results reach
  // the rows through the cache. The list is re-read once on mount (the server's read may
  // be older than what the cache already knows) and at most once a minute on changes.
  useRefetchOnRunsChanged(() => refetch({ requestPolicy: "network-only" }), 60_000);
  const first = result.data ?? initial;

  // Runs that were not in the first render arrived live: highlight them briefly.
  const seen = useRef<Set<string> | null>(null);
  seen.current ??= new Set(first.runs.nodes.map((r) => r.id));

  const [pages, setPages] = useState<string[]>([]);
  const [tail, setTail] = useState<PageInfo | null>(null);
  const info = pages.length ? tail : first.runs.pageInfo;

  // Rows picked for "Compare": id → pipeline, in the order they were picked.
  const [selection, setSelection] = useState<Map<string, string | null>>(new Map());
  const onSelect = useCallback((run: { id: string; pipeline: string | null }, on: boolean) => {
    setSelection((s) => {
      const next = new Map(s);
      if (on) next.set(run.id, run.pipeline);
      else next.delete(run.id);
      return next;
    });
  }, []);
  const rowProps = (id: string) => ({ selected: selection.has(id), onSelect });

  if (first.runs.nodes.length === 0) return empty;

  return (
    <div>
      <CompareBar selection={selection} onClear={() => setSelection(new Map())} />
      <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <div
          aria-hidden
          className={`hidden border-b border-slate-200 bg-slate-50/80 px-4 py-2 text-[11px] font-medium uppercase tracking-wide text-slate-500 md:grid dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400 ${RUN_GRID}`}
        >
          <span>Status</span>
          <span>Run</span>
          <span>Pipeline</span>
          <span>Progress</span>
          <span className="text-right">Cost / budget</span>
          <span className="text-right">Created</span>
        </div>
        <ul aria-label="Runs" className="divide-y divide-slate-100 dark:divide-slate-800">
          {first.runs.nodes.map((run) => (
            <RunRow key={run.id} run={run} fresh={!seen.current?.has(run.id)} {...rowProps(run.id)} />
          ))}
          {pages.map((after, i) => (
            <MorePage
              key={after}
              variables={{ ...variables, after }}
              onLoaded={i === pages.length - 1 ? setTail : undefined}
              rowProps={rowProps}
            />
          ))}
        </ul>
      </div>
      {info?.hasNextPage && info.endCursor && (
        <div className="mt-4 flex justify-center">
          <button
            type="button"
            className={btn.secondary}
            onClick={() => {
              setTail(null);
              setPages([...pages, info.endCursor!]);
            }}
          >
            Load more
          </button>
        </div>
      )}
    </div>
  );
}

/** A later page: fetched once, then kept live by the cache like the first one. */
function MorePage({
  variables,
  onLoaded,
  rowProps,
}: {
  variables: RunsVariables;
  onLoaded?: (info: PageInfo) => void;
  rowProps: (id: string) => Pick<React.ComponentProps<typeof RunRow>, "selected" | "onSelect">;
}) {
  const [result] = useQuery({ query: RunsDocument, variables });
  const info = result.data?.runs.pageInfo;
  useEffect(() => {
    if (info && onLoaded) onLoaded(info);
  }, [info, onLoaded]);
  if (result.error) {
    return (
      <li role="alert" className="px-4 py-3 text-sm text-rose-600 dark:text-rose-400">
        Could not load more runs: {result.error.message}
      </li>
    );
  }
  if (!result.data) return <li className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">Loading…</li>;
  return result.data.runs.nodes.map((run) => <RunRow key={run.id} run={run} fresh={false} {...rowProps(run.id)} />);
}
