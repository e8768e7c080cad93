import DataLoader from "dataloader";
import type { Db } from "../lib/db/client";
import type { Run } from "../lib/db/generated/client";
import type { NodeSnapshot } from "../lib/engine/snapshot";
import type { EventPage, EventType } from "../lib/events/types";
import { getNodes, getRuns, listNodes, readEventsForRuns } from "../lib/runs/queries";

/** One `Run.events` page request; runs asking for the same page shape share one query. */
export interface EventsKey {
  runId: string;
  afterSeq: number;
  limit: number;
  types: EventType[] | null;
}

const pageShape = (k: EventsKey) => JSON.stringify([k.afterSeq, k.limit, k.types]);

/**
 * Per-request batching (one query per field per tick, not one per parent) and caching.
 * Scoped to the viewer's namespace: a loader can never return another namespace's row.
 * Subscriptions get fresh loaders for every event so live data is never stale.
 */
export function createLoaders(db: Db, namespace: string) {
  return {
    run: new DataLoader<string, Run | null>(async (ids) => {
      const rows = new Map((await getRuns(db, namespace, ids)).map((r) => [r.id, r]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
    /** Only called with ids of runs already checked to be in the namespace. */
    nodesByRun: new DataLoader<string, NodeSnapshot[]>(async (runIds) => {
      const byRun = await listNodes(db, runIds);
      return runIds.map((id) => byRun.get(id) ?? []);
    }),
    /** Only called with ids of runs already checked to be in the namespace. */
    events: new DataLoader<EventsKey, EventPage, string>(
      async (keys) => {
        const byShape = new Map<string, EventsKey[]>();
        for (const k of keys) byShape.set(pageShape(k), [...(byShape.get(pageShape(k)) ?? []), k]);
        const pages = new Map<string, EventPage>();
        for (const group of byShape.values()) {
          const { afterSeq, limit, types } = group[0];
          const got = await readEventsForRuns(
            db,
            group.map((k) => k.runId),
            { afterSeq, limit, types },
          );
          for (const k of group) pages.set(`${k.runId}:${pageShape(k)}`, got.get(k.runId)!);
        }
        return keys.map((k) => pages.get(`${k.runId}:${pageShape(k)}`)!);
      },
      { cacheKeyFn: (k) => `${k.runId}:${pageShape(k)}` },
    ),
    node: new DataLoader<string, NodeSnapshot | null>(async (ids) => {
      const rows = new Map((await getNodes(db, namespace, ids)).map((n) => [n.id, n]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
