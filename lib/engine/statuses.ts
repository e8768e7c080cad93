import type { NodeStatus, RunStatus } from "../db/generated/enums";

export type { NodeStatus, RunStatus };

const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const TERMINAL_NODE: ReadonlySet<NodeStatus> = new Set(["SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED"]);

export const isTerminalRun = (s: RunStatus) => TERMINAL_RUN.has(s);
export const isTerminalNode = (s: NodeStatus) => TERMINAL_NODE.has(s);

/**
 * Run transitions (SPEC §3): QUEUED → RUNNING ⇄ PAUSED → SUCCEEDED | FAILED | CANCELLED.
 * A QUEUED or PAUSED run can be cancelled; only a RUNNING run finishes on its own.
 */
export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  switch (from) {
    case "QUEUED":
      return to === "RUNNING" || to === "CANCELLED" || to === "PAUSED";
    case "RUNNING":
      return to === "PAUSED" || to === "SUCCEEDED" || to === "FAILED" || to === "CANCELLED";
    case "PAUSED":
      return to === "RUNNING" || to === "CANCELLED";
    case "SUCCEEDED":
    case "FAILED":
    case "CANCELLED":
      return false;
    default: {
      const never: never = from;
      throw new Error(`unknown run status ${never}`);
    }
  }
}

/**
 * Node transitions (SPEC §3 statuses). A spec node starts PENDING; trigger rules queue or
 * skip it; a claim starts it; it ends, waits for a human (gate), or goes back to QUEUED
 * for a retry. Terminal statuses have no way out. Every status write goes through
 * `setNode`, which enforces this table in its UPDATE (no read first).
 */
const NODE_TRANSITIONS: Readonly<Record<NodeStatus, readonly NodeStatus[]>> = {
  PENDING: ["QUEUED", "SKIPPED", "CANCELLED"],
  QUEUED: ["RUNNING", "CANCELLED"],
  RUNNING: ["SUCCEEDED", "FAILED", "QUEUED", "WAITING", "CANCELLED"],
  WAITING: ["SUCCEEDED", "FAILED", "CANCELLED"],
  SUCCEEDED: [],
  FAILED: [],
  SKIPPED: [],
  CANCELLED: [],
};

const canTransitionNode = (from: NodeStatus, to: NodeStatus) => NODE_TRANSITIONS[from].includes(to);

/** The statuses a node may be in to move to `to`. */
export const nodeSourcesOf = (to: NodeStatus): NodeStatus[] =>
  (Object.keys(NODE_TRANSITIONS) as NodeStatus[]).filter((from) => canTransitionNode(from, to));

/** Statuses in which a node's fields may change without a status change (progress, a map's expansion). */
export const NON_TERMINAL_NODE: readonly NodeStatus[] = ["PENDING", "QUEUED", "RUNNING", "WAITING"];
