/**
 * Client-side shapes of the GraphQL types the web app selects (graphql/schema.graphql).
 * Kept by hand next to the documents in `fragments.ts`; field names match the SDL.
 */

export type RunStatus = "QUEUED" | "RUNNING" | "PAUSED" | "SUCCEEDED" | "FAILED" | "CANCELLED";
export type NodeStatus =
  | "PENDING"
  | "QUEUED"
  | "RUNNING"
  | "WAITING"
  | "SUCCEEDED"
  | "FAILED"
  | "SKIPPED"
  | "CANCELLED";
export type EventType =
  | "RUN_STATUS"
  | "NODE_STATE"
  | "EDGE_ACTIVE"
  | "DAG_MUTATED"
  | "COST_UPDATE"
  | "LOG"
  | "GATE_WAITING"
  | "GATE_DECIDED"
  | "RESULTS"
  | "RUN_COMPLETED"
  | "ERROR";
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";
export type Decision = "APPROVE" | "REJECT" | "MODIFY";

export interface Cost {
  __typename?: "Cost";
  spent: number;
  budget: number | null;
  remaining: number | null;
}

export interface Edge {
  __typename?: "Edge";
  from: string;
  to: string;
}

export interface ResultsTable {
  __typename?: "ResultsTable";
  columns: string[];
  rows: unknown[];
}

export interface GateDecision {
  __typename?: "GateDecision";
  decision: Decision;
  feedback: string | null;
  patch: unknown;
  decidedBy: string;
  decidedAt: string;
}

export interface Gate {
  __typename?: "Gate";
  title: string;
  description: string | null;
  presentation: unknown;
  decision: GateDecision | null;
}

/** `NODE_FIELDS`: a node's complete state (as carried by NODE_STATE events). */
export interface RunNode {
  __typename?: "Node";
  id: string;
  runId: string;
  key: string;
  kind: string;
  label: string | null;
  status: NodeStatus;
  attempt: number;
  needs: string[];
  progress: number;
  output: unknown;
  metrics: Record<string, number>;
  cost: number;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  dynamic: boolean;
  parentKey: string | null;
  gate: Gate | null;
}

/** `RUN_LIST_FIELDS`: what the runs list, runsChanged and the inbox show of a run. */
export interface RunSummary {
  __typename?: "Run";
  id: string;
  label: string | null;
  pipeline: string | null;
  pipelineVersion: number | null;
  status: RunStatus;
  statusReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  progress: number;
  cost: Cost;
  error: string | null;
  lastSeq: number;
}

interface EventBase<T extends EventType, N extends string> {
  __typename: N;
  id: string;
  seq: number;
  runId: string;
  at: string;
  type: T;
}

export type RunStatusEvent = EventBase<"RUN_STATUS", "RunStatusEvent"> & {
  status: RunStatus;
  reason: string | null;
  progress: number;
};
export type NodeStateEvent = EventBase<"NODE_STATE", "NodeStateEvent"> & { node: RunNode };
export type EdgeActiveEvent = EventBase<"EDGE_ACTIVE", "EdgeActiveEvent"> & { from: string; to: string };
export type DagMutatedEvent = EventBase<"DAG_MUTATED", "DagMutatedEvent"> & {
  addedNodes: RunNode[];
  addedEdges: Edge[];
};
export type CostUpdateEvent = EventBase<"COST_UPDATE", "CostUpdateEvent"> & {
  spent: number;
  budget: number | null;
  remaining: number | null;
  blockedNode: string | null;
  nodeCost: number | null;
};
export type LogEvent = EventBase<"LOG", "LogEvent"> & { level: LogLevel; message: string; nodeKey: string | null };
export type GateWaitingEvent = EventBase<"GATE_WAITING", "GateWaitingEvent"> & { node: RunNode; gate: Gate };
export type GateDecidedEvent = EventBase<"GATE_DECIDED", "GateDecidedEvent"> & {
  node: RunNode;
  decision: GateDecision;
};
/** `results.rows` are only the rows this event added, starting at row `offset` of the table. */
export type ResultsEvent = EventBase<"RESULTS", "ResultsEvent"> & {
  results: ResultsTable;
  offset?: number;
  total?: number;
};
export type RunCompletedEvent = EventBase<"RUN_COMPLETED", "RunCompletedEvent"> & {
  status: RunStatus;
  nodesSucceeded: number;
  nodesFailed: number;
  durationMs: number;
};
export type ErrorEvent = EventBase<"ERROR", "ErrorEvent"> & { message: string; nodeKey: string | null };

/** One event of a run's log, discriminated by `type` (SPEC §6). */
export type RunEvent =
  | RunStatusEvent
  | NodeStateEvent
  | EdgeActiveEvent
  | DagMutatedEvent
  | CostUpdateEvent
  | LogEvent
  | GateWaitingEvent
  | GateDecidedEvent
  | ResultsEvent
  | RunCompletedEvent
  | ErrorEvent;

export interface EventPage {
  events: RunEvent[];
  nextSeq: number;
  hasMore: boolean;
}
