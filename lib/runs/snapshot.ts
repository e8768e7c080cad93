import { type Db, Prisma, type Run } from "../db/client";
import { readResults } from "../engine/results";
import type { NodeSnapshot } from "../engine/snapshot";
import { readEvents } from "../events/read";
import type { EventPage, EventType } from "../events/types";
import { getRun, listNodes, type NodesPage } from "./queries";

/** Which events a snapshot reads: a page after a seq, or the run's last `last` seqs. */
export type SnapshotEvents =
  | { afterSeq: number; limit: number; types: EventType[] | null }
  | { last: number; types: EventType[] | null };

/** What to read with the run; what is not asked for is not read. */
export interface SnapshotWants {
  nodes?: NodesPage;
  results?: boolean;
  events?: SnapshotEvents;
}

export interface RunSnapshotRead {
  run: Run;
  nodes?: NodeSnapshot[];
  results?: Awaited<ReturnType<typeof readResults>>;
  /** Only events up to `run.lastSeq`. */
  events?: EventPage;
}

/** The `afterSeq` / `limit` a `SnapshotEvents` means for a run whose last seq is `lastSeq`. */
export function eventsWindow(e: SnapshotEvents, lastSeq: number) {
  return "last" in e
    ? { afterSeq: Math.max(0, lastSeq - e.last), limit: e.last, types: e.types }
    : { afterSeq: e.afterSeq, limit: e.limit, types: e.types };
}

/**
 * A run as of one instant: the run row and what `wants` asks for (a page of nodes, the
 * results, a page of events) read in one REPEATABLE READ transaction. Every state change
 * commits together with its events, so the nodes are exactly the state as of
 * `run.lastSeq`, and a client can subscribe with `afterSeq: run.lastSeq` with no gap and
 * nothing applied twice. The GraphQL `run(id)` query reads through it whenever it selects
 * nodes, results or events (graphql/resolvers/runs.ts), so the server-rendered run console
 * (which executes that query) gets the same guarantee. Null when the run does not exist in
 * `namespace`.
 */
export async function readRunSnapshot(
  db: Db,
  namespace: string,
  runId: string,
  wants: SnapshotWants,
): Promise<RunSnapshotRead | null> {
  return db.$transaction(
    async (tx) => {
      // The readers only use model delegates and $queryRaw, which a transaction client has.
      const t = tx as unknown as Db;
      const run = await getRun(t, namespace, runId);
      if (!run) return null;
      const snap: RunSnapshotRead = { run };
      if (wants.nodes) snap.nodes = (await listNodes(t, [run.id], wants.nodes)).get(run.id) ?? [];
      if (wants.results) snap.results = await readResults(t, run);
      if (wants.events) {
        const w = eventsWindow(wants.events, run.lastSeq);
        const page = await readEvents(t, run.id, { ...w, types: w.types ?? undefined });
        const events = page.events.filter((e) => e.seq <= run.lastSeq);
        snap.events = { ...page, events, hasMore: page.hasMore && events.length === page.events.length };
      }
      return snap;
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}
