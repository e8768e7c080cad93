import "server-only";
import type { Run } from "@/lib/db/client";
import { costPayload, durationMs, type NodeSnapshot } from "@/lib/engine/snapshot";
import type { RunNode, RunSummary } from "../components/live/types";

/**
 * lib/ records in the GraphQL shape the client documents select (with `__typename`), so a
 * server component's data can seed the client cache exactly as a query result would.
 * Field lists mirror RUN_LIST_FIELDS and NODE_FIELDS in components/live/fragments.ts.
 */

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function runSummary(r: Run): RunSummary {
  return {
    __typename: "Run",
    id: r.id,
    label: r.label,
    pipeline: r.pipelineName,
    pipelineVersion: r.pipelineVersion,
    status: r.status,
    statusReason: r.statusReason,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    durationMs: durationMs(r.startedAt, r.finishedAt),
    progress: r.progress,
    cost: { __typename: "Cost", ...costPayload(r) },
    error: r.error,
    lastSeq: r.lastSeq,
  };
}

export function nodeShape(n: NodeSnapshot): RunNode {
  const gate = n.gate
    ? {
        __typename: "Gate" as const,
        title: n.gate.title,
        description: n.gate.description ?? null,
        presentation: n.gate.presentation ?? null,
        decision: n.gate.decision
          ? {
              __typename: "GateDecision" as const,
              decision: n.gate.decision.decision,
              feedback: n.gate.decision.feedback ?? null,
              patch: n.gate.decision.patch ?? null,
              decidedBy: n.gate.decision.decidedBy,
              decidedAt: n.gate.decision.decidedAt,
            }
          : null,
      }
    : null;
  return {
    __typename: "Node",
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
    metrics: (n.metrics ?? {}) as Record<string, number>,
    cost: n.cost,
    error: n.error,
    startedAt: n.startedAt,
    finishedAt: n.finishedAt,
    durationMs: n.durationMs,
    dynamic: n.dynamic,
    parentKey: n.parentKey,
    gate,
  };
}
