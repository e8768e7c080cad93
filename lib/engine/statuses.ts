import type { NodeStatus, RunStatus } from "../db/generated/enums";

export type { NodeStatus, RunStatus };

const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const TERMINAL_NODE: ReadonlySet<NodeStatus> = new Set(["SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED"]);

export const isTerminalRun = (s: RunStatus) => TERMINAL_RUN.has(s);
export const isTerminalNode = (s: NodeStatus) => TERMINAL_NODE.has(s);
/** A node that holds (or may soon hold) a worker: it must be cancelled on run cancel. */
export const isActiveNode = (s: NodeStatus) => s === "RUNNING" || s === "WAITING" || s === "QUEUED";

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
