"use client";

import "./console.css";
import { useCallback, useEffect, useMemo, useReducer, useState } from "react";
import { BudgetBanner, budgetAllowsResume } from "./BudgetBanner";
import { ConsoleTabs } from "./ConsoleTabs";
import { EventStream } from "./EventStream";
import { RunGraph } from "./graph/RunGraph";
import { LoadEarlier } from "./LoadEarlier";
import { NodeDrawer } from "./NodeDrawer";
import { PromoteForm } from "./PromoteForm";
import { RunAnnouncer } from "./RunAnnouncer";
import { RunConnection } from "./RunConnection";
import { RunHeader } from "./RunHeader";
import { RunBuffers } from "./run-buffers";
import { type ConsoleState, expireActiveEdges, initialState, parentOf, reduceBatch } from "./run-state";
import type { ConsoleEvent, RunSnapshot } from "./types";

/** How long an EDGE_ACTIVE highlight stays on the graph. */
const EDGE_ACTIVE_MS = 1_500;

type Action = { type: "batch"; events: ConsoleEvent[]; now: number } | { type: "expire"; now: number };

function reducer(state: ConsoleState, a: Action): ConsoleState {
  return a.type === "batch" ? reduceBatch(state, a.events, a.now) : expireActiveEdges(state, a.now, EDGE_ACTIVE_MS);
}

/**
 * The run console: the server's snapshot, continued live from its `lastSeq` (the root
 * layout provides the live connection).
 */
export function RunConsole({ snapshot }: { snapshot: RunSnapshot }) {
  const [state, dispatch] = useReducer(reducer, snapshot, initialState);
  const [buffers] = useState(
    () => new RunBuffers(snapshot.events, snapshot.metricPoints, Date.parse(snapshot.run.createdAt)),
  );
  const [selected, setSelected] = useState<string | null>(null);

  // At most one dispatch per animation frame (useRunEvents batches per frame), and none
  // for a batch of log lines only: those change the buffers, not the console's state.
  const onBatch = useCallback(
    (events: ConsoleEvent[]) => {
      const fresh = buffers.append(events).filter((e) => e.__typename !== "LogEvent");
      if (fresh.length) dispatch({ type: "batch", events: fresh, now: performance.now() });
    },
    [buffers],
  );
  const sealed = state.run.sealed;
  const connection = useMemo(
    () => <RunConnection runId={snapshot.run.id} afterSeq={snapshot.lastSeq} sealed={sealed} onBatch={onBatch} />,
    [snapshot.run.id, snapshot.lastSeq, sealed, onBatch],
  );

  useEffect(() => {
    if (state.activeEdges.size === 0) return;
    const t = setTimeout(() => dispatch({ type: "expire", now: performance.now() }), EDGE_ACTIVE_MS / 2);
    return () => clearTimeout(t);
  }, [state.activeEdges]);

  const close = useCallback(() => setSelected(null), []);
  const selectedNode = selected ? state.nodes.get(selected) : undefined;
  const childCount = useMemo(() => {
    if (!selected) return 0;
    let n = 0;
    for (const v of state.nodes.values()) if (parentOf(v) === selected) n++;
    return n;
  }, [selected, state.nodes]);

  const history = useMemo(() => <LoadEarlier runId={snapshot.run.id} buffers={buffers} />, [snapshot.run.id, buffers]);
  const { run, cost } = state;
  const originMs = Date.parse(run.createdAt);
  const pausedForBudget = run.status === "PAUSED" && run.statusReason === "BUDGET";
  return (
    <div className="flex min-h-full flex-col" data-testid="run-console" data-run-id={run.id} data-status={run.status}>
      <RunHeader
        run={run}
        cost={cost}
        nodes={state.nodes}
        blocked={pausedForBudget}
        resumeBlocked={pausedForBudget && !budgetAllowsResume(cost, state.blocked)}
        canOperate={snapshot.canOperate}
        connection={connection}
      />
      <RunAnnouncer status={run.status} durationMs={state.completed?.durationMs ?? null} nodes={state.nodes} />
      {pausedForBudget && (
        <BudgetBanner runId={run.id} cost={cost} blocked={state.blocked} canOperate={snapshot.canOperate} />
      )}
      {run.status === "SUCCEEDED" && snapshot.canPromote && <PromoteForm runId={run.id} defaultName={run.pipeline} />}

      <div className="grid gap-4 p-4 sm:p-6 lg:grid-cols-[minmax(0,1fr)_440px]">
        <Panel title="Graph" aside={`${state.nodes.size} nodes`} className="h-[380px] sm:h-[480px]">
          <RunGraph
            nodes={state.nodes}
            structure={state.structure}
            activeEdges={state.activeEdges}
            selectedKey={selected}
            onSelect={setSelected}
          />
        </Panel>
        <Panel title="Events" className="h-[360px] sm:h-[480px]">
          <EventStream buffer={buffers.events} originMs={originMs} history={history} />
        </Panel>
        <div className="h-[440px] contain-strict lg:col-span-2">
          <ConsoleTabs
            runId={run.id}
            buffers={buffers}
            history={history}
            results={state.results}
            spec={snapshot.spec}
            params={snapshot.params}
            nodes={state.nodes}
            origin={originMs}
            finishedAt={run.finishedAt ? Date.parse(run.finishedAt) : null}
            onSelectNode={setSelected}
          />
        </div>
      </div>

      {selectedNode && (
        <NodeDrawer
          runId={run.id}
          node={selectedNode}
          logs={buffers.logs}
          metrics={buffers.metrics}
          childCount={childCount}
          canOperate={snapshot.canOperate}
          rerunOf={run.rerunOf?.id ?? null}
          onClose={close}
        />
      )}
    </div>
  );
}

function Panel({
  title,
  aside,
  className = "",
  children,
}: {
  title: string;
  aside?: string;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <section
      aria-label={title}
      className={`flex min-w-0 flex-col overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900 ${className}`}
    >
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
        <h2 className="text-sm font-semibold text-slate-800 dark:text-slate-100">{title}</h2>
        {aside && <span className="text-xs text-slate-500 dark:text-slate-400 tabular-nums">{aside}</span>}
      </div>
      <div className="min-h-0 flex-1 contain-strict">{children}</div>
    </section>
  );
}
