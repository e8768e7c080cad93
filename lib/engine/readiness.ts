import type { TriggerRule } from "../spec/types";
import { isTerminalNode, type NodeStatus } from "./statuses";

/** The slice of a node the readiness rules look at. */
export interface ReadinessNode {
  key: string;
  status: NodeStatus;
  needs: string[];
  trigger: TriggerRule;
  /** Map children: the map node's key. */
  parentKey: string | null;
}

export type Verdict = "wait" | "ready" | "skip";

/**
 * Trigger rules (SPEC §4) for a PENDING node, given its needs' statuses:
 * - all_succeeded: ready when every need SUCCEEDED; skip as soon as one ends otherwise.
 * - all_done: ready when every need is terminal, whatever the outcome.
 * - any_succeeded: ready when one need SUCCEEDED; skip when all ended and none did.
 */
export function verdict(trigger: TriggerRule, needs: NodeStatus[]): Verdict {
  if (needs.length === 0) return "ready";
  switch (trigger) {
    case "all_succeeded":
      if (needs.some((s) => isTerminalNode(s) && s !== "SUCCEEDED")) return "skip";
      return needs.every((s) => s === "SUCCEEDED") ? "ready" : "wait";
    case "all_done":
      return needs.every(isTerminalNode) ? "ready" : "wait";
    case "any_succeeded":
      if (needs.some((s) => s === "SUCCEEDED")) return "ready";
      return needs.every(isTerminalNode) ? "skip" : "wait";
    default: {
      const never: never = trigger;
      throw new Error(`unknown trigger ${never}`);
    }
  }
}

/**
 * Resolve every PENDING node that can be decided now. Skips cascade (a skipped node can
 * decide its dependents), so this iterates to a fixpoint in topological passes.
 * Returns the keys to queue and to skip; `nodes` is not modified.
 */
export function resolvePending(nodes: ReadinessNode[]): { ready: string[]; skipped: string[] } {
  const status = new Map(nodes.map((n) => [n.key, n.status]));
  const ready: string[] = [];
  const skipped: string[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of nodes) {
      if (status.get(n.key) !== "PENDING" || n.parentKey) continue;
      const v = verdict(
        n.trigger,
        n.needs.map((k) => status.get(k) ?? "SKIPPED"),
      );
      if (v === "ready") {
        status.set(n.key, "QUEUED");
        ready.push(n.key);
      } else if (v === "skip") {
        status.set(n.key, "SKIPPED");
        skipped.push(n.key);
        changed = true;
      }
    }
  }
  return { ready, skipped };
}

/**
 * A run's outcome once every node is terminal: FAILED if a node failed and no dependent
 * absorbed it (a dependent with an all_done / any_succeeded rule that then succeeded).
 * Map children are judged through their map node.
 */
export function runOutcome(nodes: ReadinessNode[]): "SUCCEEDED" | "FAILED" {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  for (const n of nodes) {
    if (n.status !== "FAILED" || n.parentKey) continue;
    const absorbed = nodes.some(
      (d) => d.needs.includes(n.key) && d.trigger !== "all_succeeded" && byKey.get(d.key)?.status === "SUCCEEDED",
    );
    if (!absorbed) return "FAILED";
  }
  return "SUCCEEDED";
}

/** Fraction of (top-level and dynamic) nodes that are terminal. */
export function runProgress(nodes: { status: NodeStatus; progress: number }[]): number {
  if (nodes.length === 0) return 1;
  const sum = nodes.reduce((acc, n) => acc + (isTerminalNode(n.status) ? 1 : Math.min(1, Math.max(0, n.progress))), 0);
  return Math.round((sum / nodes.length) * 10_000) / 10_000;
}
