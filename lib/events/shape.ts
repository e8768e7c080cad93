import type { EventType, RunEventRecord } from "./types";

/** SPEC §6: the GraphQL type of each event type. */
export const EVENT_TYPENAME = {
  RUN_STATUS: "RunStatusEvent",
  NODE_STATE: "NodeStateEvent",
  EDGE_ACTIVE: "EdgeActiveEvent",
  DAG_MUTATED: "DagMutatedEvent",
  COST_UPDATE: "CostUpdateEvent",
  LOG: "LogEvent",
  GATE_WAITING: "GateWaitingEvent",
  GATE_DECIDED: "GateDecidedEvent",
  RESULTS: "ResultsEvent",
  RUN_COMPLETED: "RunCompletedEvent",
  ERROR: "ErrorEvent",
} as const satisfies Record<EventType, string>;

/**
 * A stored event as the API serves it: the payload's fields beside the common ones (SPEC §6
 * payloads already match the GraphQL types one to one, and carry full node snapshots, so
 * nothing more is read). The one shaping function for GraphQL and the server-rendered page.
 */
export interface FlatEvent {
  id: string;
  seq: number;
  runId: string;
  at: Date;
  type: EventType;
  [field: string]: unknown;
}

export function flattenEvent(e: RunEventRecord): FlatEvent {
  return { ...e.payload, id: e.id, seq: e.seq, runId: e.runId, at: e.at, type: e.type };
}
