/**
 * The run console's view of a run: the server renders it from the `RunConsole` query
 * (app/graphql/run.graphql) executed in-process, and live events arrive in the same
 * generated shapes, so one reducer applies both the server-rendered history and live
 * batches.
 */

import type { RunConsoleQuery } from "@/app/graphql/generated";
import type { Cost, ResultsTable, RunEvent, RunNode } from "@/app/graphql/types";

export type {
  Cost,
  Decision,
  EventType,
  GateDecision as GateDecisionView,
  LogLevel,
  NodeStatus,
  ResultsTable,
  RunStatus,
} from "@/app/graphql/types";

/** A node as NODE_STATE events carry it (`NodeFields`). */
export type NodeView = RunNode;
/** One event of the run's log (`RunEventFields`), discriminated by `__typename`. */
export type ConsoleEvent = RunEvent;

/** The run as `RunConsole` reads it. */
export type ConsoleRun = NonNullable<RunConsoleQuery["run"]>;
/** The run's own fields (the header's). */
export type RunView = Omit<
  ConsoleRun,
  "spec" | "params" | "lastSeq" | "cost" | "nodes" | "results" | "events" | "metricPoints"
>;
/** One value of a node's metric series. */
export type MetricPointView = ConsoleRun["metricPoints"][number];

/** Everything the server renders; the client continues live from `lastSeq`. */
export interface RunSnapshot {
  run: RunView;
  spec: unknown;
  params: unknown;
  nodes: NodeView[];
  cost: Cost;
  results: ResultsTable;
  /** The run's most recent events (≤ lastSeq), oldest first. */
  events: ConsoleEvent[];
  lastSeq: number;
  /** Every metric value reported so far (the charts continue from the live events). */
  metricPoints: MetricPointView[];
  /** What the viewer may do (SPEC §7 roles). */
  canOperate: boolean;
  canPromote: boolean;
}

/** The console's snapshot from the `RunConsole` query's run. */
export function consoleSnapshot(r: ConsoleRun, can: { operate: boolean; promote: boolean }): RunSnapshot {
  const { spec, params, lastSeq, cost, nodes, results, events, metricPoints, ...run } = r;
  return {
    run,
    spec,
    params,
    nodes,
    cost,
    results,
    events: events.events,
    lastSeq,
    metricPoints,
    canOperate: can.operate,
    canPromote: can.promote,
  };
}
