import "server-only";
import type { ConsoleEvent, NodeView, ResultsTable, RunSnapshot, RunView } from "@/app/components/run/types";
import type { Viewer } from "@/lib/auth/tokens";
import { hasRole } from "@/lib/auth/tokens";
import { type Db, Prisma } from "@/lib/db/client";
import { readResults } from "@/lib/engine/results";
import { costPayload } from "@/lib/engine/snapshot";
import { readEvents } from "@/lib/events/read";
import type { RunEventRecord } from "@/lib/events/types";
import { getRun, listNodes, MAX_NODES_PAGE } from "@/lib/runs/queries";

/** Events rendered with the page; older ones load on demand in the event stream. */
const SNAPSHOT_EVENTS = 300;

const TYPENAME: Record<string, string> = {
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
};

/** A stored event in the shape the API serves it: the payload's fields beside the common ones. */
function toConsoleEvent(e: RunEventRecord): ConsoleEvent {
  return {
    __typename: TYPENAME[e.type],
    ...e.payload,
    id: e.id,
    seq: e.seq,
    runId: e.runId,
    at: e.at.toISOString(),
    type: e.type,
  } as unknown as ConsoleEvent;
}

/**
 * The run as the console first renders it. Run row, nodes and events are read in one
 * REPEATABLE READ transaction: every state change commits together with its events, so
 * the nodes are exactly the state as of `lastSeq` and the client can subscribe from there
 * with no gap and nothing applied twice.
 */
export async function loadRunSnapshot(db: Db, viewer: Viewer, runId: string): Promise<RunSnapshot | null> {
  return db.$transaction(
    async (tx) => {
      // The lib/ readers only use model delegates and $queryRaw, which a transaction client has.
      const t = tx as unknown as Db;
      const run = await getRun(t, viewer.namespace, runId);
      if (!run) return null;
      // The first MAX_NODES_PAGE nodes (map children past it arrive with live events).
      const nodes = (await listNodes(t, [run.id], { first: MAX_NODES_PAGE, after: null })).get(run.id) ?? [];
      // The whole table as of lastSeq (same snapshot); RESULTS events after it append rows.
      const results = await readResults(t, run);
      const page = await readEvents(t, run.id, {
        afterSeq: Math.max(0, run.lastSeq - SNAPSHOT_EVENTS),
        limit: SNAPSHOT_EVENTS,
      });
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
        events: page.events.filter((e) => e.seq <= run.lastSeq).map(toConsoleEvent),
        lastSeq: run.lastSeq,
        canOperate: hasRole(viewer, "OPERATOR"),
        canPromote: hasRole(viewer, "ADMIN"),
      };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}
