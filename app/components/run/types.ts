/**
 * The run console's view of a run: the shapes of SPEC §6 events as the GraphQL API
 * serves them (the SSR snapshot builds the same shapes from the stored payloads), so one
 * reducer applies both the server-rendered history and live batches.
 */

import type { Cost, ResultsTable, RunEvent, RunNode, RunStatus } from "../live/types";

export type {
  Cost,
  Decision,
  Edge,
  EventType,
  Gate as GateView,
  GateDecision as GateDecisionView,
  LogLevel,
  NodeStatus,
  ResultsTable,
  RunStatus,
} from "../live/types";

/** A node as NODE_STATE events carry it (`NODE_FIELDS`). */
export type NodeView = RunNode;
/** One event of the run's log (`RUN_EVENT_FIELDS`), discriminated by `type`. */
export type ConsoleEvent = RunEvent;

export interface RunView {
  id: string;
  namespace: string;
  label: string | null;
  pipeline: string | null;
  pipelineVersion: number | null;
  status: RunStatus;
  statusReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: number;
  error: string | null;
  sealed: boolean;
}

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
  /** What the viewer may do (SPEC §7 roles). */
  canOperate: boolean;
  canPromote: boolean;
}
