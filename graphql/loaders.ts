import DataLoader from "dataloader";
import type { Db, Run } from "../lib/db/client";
import type { NodeSnapshot } from "../lib/engine/snapshot";
import type { EventPage, EventType } from "../lib/events/types";
import {
  getNodes,
  getRuns,
  listEdges,
  listNodes,
  listReruns,
  type NodesPage,
  readEventsForRuns,
} from "../lib/runs/queries";

/** One `Run.events` page request; runs asking for the same page shape share one query. */
export interface EventsKey {
  runId: string;
  afterSeq: number;
  limit: number;
  types: EventType[] | null;
}

const pageShape = (k: EventsKey) => JSON.stringify([k.afterSeq, k.limit, k.types]);

/** One `Run.nodes` page request; runs asking for the same page share one query. */
export interface NodesKey extends NodesPage {
  runId: string;
}
const nodesShape = (k: NodesPage) => JSON.stringify([k.first, k.after]);

/** Group keys by page shape, load each group in one call, answer in key order. */
async function byShape<K extends { runId: string }, V>(
  keys: readonly K[],
  shape: (k: K) => string,
  load: (runIds: string[], page: K) => Promise<Map<string, V>>,
): Promise<V[]> {
  const groups = new Map<string, K[]>();
  for (const k of keys) groups.set(shape(k), [...(groups.get(shape(k)) ?? []), k]);
  const out = new Map<string, V>();
  for (const [s, group] of groups) {
    const got = await load(
      group.map((k) => k.runId),
      group[0],
    );
    for (const k of group) out.set(`${k.runId}:${s}`, got.get(k.runId)!);
  }
  return keys.map((k) => out.get(`${k.runId}:${shape(k)}`)!);
}

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
    nodesByRun: new DataLoader<NodesKey, NodeSnapshot[], string>(
      (keys) => byShape(keys, nodesShape, (runIds, page) => listNodes(db, runIds, page)),
      { cacheKeyFn: (k) => `${k.runId}:${nodesShape(k)}` },
    ),
    /** Only called with ids of runs already checked to be in the namespace. */
    edgesByRun: new DataLoader<string, { key: string; needs: string[]; parentKey: string | null }[]>(async (runIds) => {
      const byRun = await listEdges(db, runIds);
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
    /** The re-runs of runs already checked to be in the namespace (and in it themselves). */
    reruns: new DataLoader<{ runId: string; first: number }, Run[], string>(
      async (keys) => {
        const byFirst = new Map<number, string[]>();
        for (const k of keys) byFirst.set(k.first, [...(byFirst.get(k.first) ?? []), k.runId]);
        const got = new Map<string, Run[]>();
        for (const [first, ids] of byFirst) {
          for (const [id, runs] of await listReruns(db, namespace, ids, first)) got.set(`${id}:${first}`, runs);
        }
        return keys.map((k) => got.get(`${k.runId}:${k.first}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.runId}:${k.first}` },
    ),
    node: new DataLoader<string, NodeSnapshot | null>(async (ids) => {
      const rows = new Map((await getNodes(db, namespace, ids)).map((n) => [n.id, n]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
