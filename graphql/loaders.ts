import DataLoader from "dataloader";
import type { Db } from "../lib/db/client";
import type { Run } from "../lib/db/generated/client";
import type { NodeSnapshot } from "../lib/engine/snapshot";
import { getNodes, getRuns, listNodes } from "../lib/runs/queries";

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
    node: new DataLoader<string, NodeSnapshot | null>(async (ids) => {
      const rows = new Map((await getNodes(db, namespace, ids)).map((n) => [n.id, n]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
