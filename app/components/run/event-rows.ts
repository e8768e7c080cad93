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

export function summarize(e: ConsoleEvent): string {
  switch (e.type) {
    case "RUN_STATUS":
      return `run ${e.status}${e.reason ? ` (${e.reason})` : ""}`;
    case "NODE_STATE": {
      const n = e.node;
      const took = n.durationMs !== null && n.finishedAt ? ` in ${shortDuration(n.durationMs)}` : "";
      const attempt = n.attempt > 1 ? ` (attempt ${n.attempt})` : "";
      const progress = n.status === "RUNNING" && n.progress > 0 ? ` ${Math.round(n.progress * 100)}%` : "";
      return `${n.key} ${n.status}${progress}${took}${attempt}${n.error ? ` — ${n.error}` : ""}`;
    }
    case "EDGE_ACTIVE":
      return `${e.from} → ${e.to}`;
    case "DAG_MUTATED":
      return `+${e.addedNodes.length} node${e.addedNodes.length === 1 ? "" : "s"}${
        e.addedNodes.length ? ` (${e.addedNodes[0].key}${e.addedNodes.length > 1 ? " …" : ""})` : ""
      }`;
    case "COST_UPDATE":
      return `spent ${money(e.spent)} / ${money(e.budget)}${
        e.blockedNode ? ` — ${e.blockedNode} (${money(e.nodeCost ?? 0)}) would exceed the budget` : ""
      }`;
    case "LOG":
      return `${e.nodeKey ? `[${e.nodeKey}] ` : ""}${e.level} ${e.message}`;
    case "GATE_WAITING":
      return `${e.node.key} waits: ${e.gate.title}`;
    case "GATE_DECIDED":
      return `${e.node.key} ${e.decision.decision} by ${e.decision.decidedBy}${
        e.decision.feedback ? ` — ${e.decision.feedback}` : ""
      }`;
    case "RESULTS":
      return `results: +${e.results.rows.length} row${e.results.rows.length === 1 ? "" : "s"}${
        e.total != null ? ` (${e.total} in all)` : ""
      }`;
    case "RUN_COMPLETED":
      return `completed ${e.status} in ${shortDuration(e.durationMs)} — ${e.nodesSucceeded} succeeded, ${e.nodesFailed} failed`;
    case "ERROR":
      return `${e.nodeKey ? `${e.nodeKey}: ` : ""}${e.message}`;
  }
}

export function toEventRow(e: ConsoleEvent): EventRow {
  return { seq: e.seq, type: e.type, at: Date.parse(e.at), text: summarize(e) };
}

export function toLogRow(e: ConsoleEvent & { type: "LOG" }): LogRow {
  return { seq: e.seq, at: Date.parse(e.at), level: e.level, nodeKey: e.nodeKey, message: e.message };
}
