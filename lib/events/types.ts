/** Event protocol (SPEC §6, normative names). */
const EVENT_TYPES = [
  "RUN_STATUS",
  "NODE_STATE",
  "EDGE_ACTIVE",
  "DAG_MUTATED",
  "COST_UPDATE",
  "LOG",
  "GATE_WAITING",
  "GATE_DECIDED",
  "RESULTS",
  "RUN_COMPLETED",
  "ERROR",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** An event to append; `seq` and `at` are assigned by the log. */
export interface NewEvent {
  type: EventType;
  payload: Record<string, unknown>;
}

/** An event as stored: gapless `seq` per run. */
export interface RunEventRecord {
  /** Globally unique: `<runId>:<seq>`. */
  id: string;
  runId: string;
  seq: number;
  type: EventType;
  at: Date;
  payload: Record<string, unknown>;
}

export interface EventPage {
  events: RunEventRecord[];
  /** The cursor to pass as `afterSeq` for the next page. */
  nextSeq: number;
  hasMore: boolean;
}

/** NOTIFY channels. Payloads are small doorbells, never event bodies. */
export const CHANNELS = {
  /** `<runId>:<maxSeq>` after events were committed. */
  events: "signalbox_events",
  /** `<namespace>:<runId>` when a run's row changed (status, progress, cost). */
  runs: "signalbox_runs",
  /** `<runId>` when nodes became ready to claim. */
  work: "signalbox_work",
  /** `<runId>` when a run was cancelled: running executors must abort. */
  cancel: "signalbox_cancel",
  /** `<namespace>` when webhook deliveries were queued (outbox) or re-queued: senders claim them. */
  webhooks: "signalbox_webhooks",
} as const;

export const MAX_PAGE = 1000;
