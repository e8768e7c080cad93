import "server-only";
import type { ConsoleEvent, NodeView, ResultsTable, RunSnapshot, RunView } from "@/app/components/run/types";
import type { Viewer } from "@/lib/auth/tokens";
import { hasRole } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db/client";
import { costPayload } from "@/lib/engine/snapshot";
import { EVENT_TYPENAME, flattenEvent } from "@/lib/events/shape";
import type { RunEventRecord } from "@/lib/events/types";
import { readRunSnapshot } from "@/lib/runs/snapshot";

/** Events rendered with the page; older ones load on demand in the event stream. */
const SNAPSHOT_EVENTS = 300;

/** A stored event as a GraphQL response carries it (the console's events come from both). */
function toConsoleEvent(e: RunEventRecord): ConsoleEvent {
  return {
    __typename: EVENT_TYPENAME[e.type],
    ...flattenEvent(e),
    at: e.at.toISOString(),
  } as unknown as ConsoleEvent;
}

/**
 * The run as the console first renders it: one consistent read (lib/runs/snapshot.ts), so
 * the client subscribes from `lastSeq` with no gap and nothing applied twice.
 */
export async function loadRunSnapshot(db: Db, viewer: Viewer, runId: string): Promise<RunSnapshot | null> {
  const snap = await readRunSnapshot(db, viewer.namespace, runId, { events: SNAPSHOT_EVENTS });
  if (!snap) return null;
  const { run, nodes, results, events } = snap;
  const view: RunView = {
    id: run.id,
    namespace: run.namespace,
    label: run.label,
    pipeline: run.pipelineName,
    pipelineVersion: run.pipelineVersion,
    status: run.status,
    statusReason: run.statusReason,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    progress: run.progress,
    error: run.error,
    sealed: run.sealed,
  };
  return {
    run: view,
    spec: run.spec,
    params: run.params,
    nodes: nodes as unknown as NodeView[],
    cost: costPayload(run),
    results: { columns: results.columns, rows: results.rows as ResultsTable["rows"] },
    events: events.map(toConsoleEvent),
    lastSeq: run.lastSeq,
    canOperate: hasRole(viewer, "OPERATOR"),
    canPromote: hasRole(viewer, "ADMIN"),
  };
}
