import type { Run, RunNode } from "../db/generated/client";

/** What a gate node presents and how it was decided (stored in `run_nodes.gate`). */
export interface GateState {
  title: string;
  description: string | null;
  presentation: unknown;
  decision: GateDecisionSnapshot | null;
}

export interface GateDecisionSnapshot {
  decision: "APPROVE" | "REJECT" | "MODIFY";
  feedback: string | null;
  patch: unknown;
  decidedBy: string;
  decidedAt: string;
}

export function durationMs(startedAt: Date | null, finishedAt: Date | null): number | null {
  if (!startedAt) return null;
  return (finishedAt ?? new Date()).getTime() - startedAt.getTime();
}

/**
 * A node's state as carried in NODE_STATE events and served by the API: complete, so a
 * subscriber never needs an extra read. `id` is globally unique (normalizable).
 */
export function nodeSnapshot(n: RunNode) {
  return {
    id: n.id,
    runId: n.runId,
    key: n.key,
    kind: n.kind,
    label: n.label,
    status: n.status,
    attempt: n.attempt,
    needs: n.needs,
    progress: n.progress,
    output: n.output ?? null,
    metrics: n.metrics ?? {},
    cost: n.cost,
    error: n.error,
    startedAt: n.startedAt?.toISOString() ?? null,
    finishedAt: n.finishedAt?.toISOString() ?? null,
    durationMs: n.finishedAt ? durationMs(n.startedAt, n.finishedAt) : null,
    dynamic: n.dynamic,
    reused: n.reused,
    parentKey: n.parentKey,
    gate: (n.gate as GateState | null) ?? null,
  };
}
export type NodeSnapshot = ReturnType<typeof nodeSnapshot>;

export function costPayload(run: Pick<Run, "spent" | "budget">) {
  return {
    spent: round(run.spent),
    budget: run.budget,
    remaining: run.budget === null ? null : round(run.budget - run.spent),
  };
}

/** Costs are money: keep them at 1e-9 so float noise (0.1 + 0.2) never shows. */
export function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
