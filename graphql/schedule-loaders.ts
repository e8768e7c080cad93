import DataLoader from "dataloader";
import type { Db, Run } from "../lib/db/client";
import {
  getSchedules,
  recentFiresBySchedule,
  recentRunsBySchedule,
  type Schedule,
  type ScheduleFire,
} from "../lib/schedules/schedules";
import type { GraphQLContext } from "./context";

interface ListKey {
  scheduleId: string;
  first: number;
}
const listKey = (k: ListKey) => `${k.scheduleId}:${k.first}`;

/** Keys grouped by `first`, one query per group, answered in key order. */
function byFirst<V>(load: (ids: string[], first: number) => Promise<Map<string, V[]>>) {
  return new DataLoader<ListKey, V[], string>(
    async (keys) => {
      const groups = new Map<number, string[]>();
      for (const k of keys) groups.set(k.first, [...(groups.get(k.first) ?? []), k.scheduleId]);
      const got = new Map<string, V[]>();
      for (const [first, ids] of groups) {
        for (const [id, rows] of await load(ids, first)) got.set(listKey({ scheduleId: id, first }), rows);
      }
      return keys.map((k) => got.get(listKey(k)) ?? []);
    },
    { cacheKeyFn: listKey },
  );
}

function createScheduleLoaders(db: Db, namespace: string) {
  return {
    /** Scoped to the namespace: another namespace's schedule loads as null. */
    schedule: new DataLoader<string, Schedule | null>(async (ids) => {
      const rows = new Map((await getSchedules(db, namespace, ids)).map((s) => [s.id, s]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
    /** Only called with ids of schedules already checked to be in the namespace. */
    runs: byFirst<Run>((ids, first) => recentRunsBySchedule(db, ids, first)),
    /** Only called with ids of schedules already checked to be in the namespace. */
    fires: byFirst<ScheduleFire>((ids, first) => recentFiresBySchedule(db, ids, first)),
  };
}

type ScheduleLoaders = ReturnType<typeof createScheduleLoaders>;

/**
 * The schedule loaders of this request (or live event): kept beside `ctx.loaders`, which is
 * made fresh per request and per subscription event, so they batch and cache exactly as
 * long as the others do.
 */
const perRequest = new WeakMap<object, ScheduleLoaders>();

export function scheduleLoaders(ctx: GraphQLContext): ScheduleLoaders {
  let loaders = perRequest.get(ctx.loaders);
  if (!loaders) {
    loaders = createScheduleLoaders(ctx.runtime.db, ctx.viewer.namespace);
    perRequest.set(ctx.loaders, loaders);
  }
  return loaders;
}
