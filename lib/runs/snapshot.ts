import { type Db, Prisma, type Run } from "../db/client";
import { readResults } from "../engine/results";
import { readEvents } from "../events/read";
import type { RunEventRecord } from "../events/types";
import { getRun, listNodes, MAX_NODES_PAGE } from "./queries";

export interface RunSnapshotRead {
  run: Run;
  /** The first MAX_NODES_PAGE nodes in DAG order (map children past it arrive with live events). */
  nodes: Awaited<ReturnType<typeof listNodes>> extends Map<string, infer N> ? N : never;
  results: Awaited<ReturnType<typeof readResults>>;
  /** The last `events` events up to `run.lastSeq`. */
  events: RunEventRecord[];
}

/**
 * A run as of one instant: run row, nodes, results and its latest events read in one
 * REPEATABLE READ transaction. Every state change commits together with its events, so the
 * nodes are exactly the state as of `run.lastSeq`, and a client can subscribe with
 * `afterSeq: run.lastSeq` with no gap and nothing applied twice. Null when the run does
 * not exist in `namespace`.
 */
export async function readRunSnapshot(
  db: Db,
  namespace: string,
  runId: string,
  opts: { events: number },
): Promise<RunSnapshotRead | null> {
  return db.$transaction(
    async (tx) => {
      // The readers only use model delegates and $queryRaw, which a transaction client has.
      const t = tx as unknown as Db;
      const run = await getRun(t, namespace, runId);
      if (!run) return null;
      const nodes = (await listNodes(t, [run.id], { first: MAX_NODES_PAGE, after: null })).get(run.id) ?? [];
      const results = await readResults(t, run);
      const page = await readEvents(t, run.id, {
        afterSeq: Math.max(0, run.lastSeq - opts.events),
        limit: opts.events,
      });
      return { run, nodes, results, events: page.events.filter((e) => e.seq <= run.lastSeq) };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}
