import type { EventOf } from "@/app/graphql/types";
import { formatDuration as shortDuration } from "../format";
import { money } from "./format";
import type { ConsoleEvent, EventType, LogLevel } from "./types";

/** One line of the event stream: summarized once, when the event arrives. */
export interface EventRow {
  seq: number;
  type: EventType;
  /** Epoch ms. */
  at: number;
  text: string;
}

/** One line of the logs panel. */
export interface LogRow {
  seq: number;
  at: number;
  level: LogLevel;
  nodeKey: string | null;
  message: string;
}

function summarize(e: ConsoleEvent): string {
  switch (e.__typename) {
    case "RunStatusEvent":
      return `run ${e.status}${e.reason ? ` (${e.reason})` : ""}`;
    case "NodeStateEvent": {
      const n = e.node;
      const took = n.durationMs !== null && n.finishedAt ? ` in ${shortDuration(n.durationMs)}` : "";
      const attempt = n.attempt > 1 ? ` (attempt ${n.attempt})` : "";
      const progress = n.status === "RUNNING" && n.progress > 0 ? ` ${Math.round(n.progress * 100)}%` : "";
      return `${n.key} ${n.status}${progress}${took}${attempt}${n.error ? ` — ${n.error}` : ""}`;
    }
    case "EdgeActiveEvent":
      return `${e.from} → ${e.to}`;
    case "DagMutatedEvent":
      return `+${e.addedNodes.length} node${e.addedNodes.length === 1 ? "" : "s"}${
        e.addedNodes.length ? ` (${e.addedNodes[0].key}${e.addedNodes.length > 1 ? " …" : ""})` : ""
      }`;
    case "CostUpdateEvent":
      return `spent ${money(e.spent)} / ${money(e.budget)}${
        e.blockedNode ? ` — ${e.blockedNode} (${money(e.nodeCost ?? 0)}) would exceed the budget` : ""
      }`;
    case "LogEvent":
      return `${e.nodeKey ? `[${e.nodeKey}] ` : ""}${e.level} ${e.message}`;
    case "GateWaitingEvent":
      return `${e.node.key} waits: ${e.gate.title}`;
    case "GateDecidedEvent":
      return `${e.node.key} ${e.decision.decision} by ${e.decision.decidedBy}${
        e.decision.feedback ? ` — ${e.decision.feedback}` : ""
      }`;
    case "ResultsEvent":
      return `results: +${e.results.rows.length} row${e.results.rows.length === 1 ? "" : "s"}${
        e.total != null ? ` (${e.total} in all)` : ""
      }`;
    case "RunCompletedEvent":
      return `completed ${e.status} in ${shortDuration(e.durationMs)} — ${e.nodesSucceeded} succeeded, ${e.nodesFailed} failed`;
    case "ErrorEvent":
      return `${e.nodeKey ? `${e.nodeKey}: ` : ""}${e.message}`;
  }
}

export function toEventRow(e: ConsoleEvent): EventRow {
  return { seq: e.seq, type: e.type, at: Date.parse(e.at), text: summarize(e) };
}

export function toLogRow(e: EventOf<"LogEvent">): LogRow {
  return { seq: e.seq, at: Date.parse(e.at), level: e.level, nodeKey: e.nodeKey, message: e.message };
}
