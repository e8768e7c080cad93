import {
  type FieldNode,
  type GraphQLResolveInfo,
  getArgumentValues,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from "graphql";
import type { Run } from "../../lib/db/client";
import type { NodeSnapshot } from "../../lib/engine/snapshot";
import { type EventPage, type EventType, MAX_PAGE } from "../../lib/events/types";
import { nodesPage } from "../../lib/runs/queries";
import {
  type RunSnapshotRead,
  readRunSnapshot,
  type SnapshotEvents,
  type SnapshotWants,
} from "../../lib/runs/snapshot";
import type { GraphQLContext } from "../context";
import { intIn } from "./shared";

/**
 * `run(id)` as one snapshot (lib/runs/snapshot.ts): when the query selects the run's
 * nodes, results or events, they are read in the same REPEATABLE READ transaction as the
 * run row, so `nodes` are the state as of `lastSeq` and `events` end at `lastSeq`. The
 * field resolvers take the value read here when their arguments are the ones it was read
 * for (an aliased second page falls back to an ordinary read).
 */

type Read = { key: string; value: unknown };
const snapshots = new WeakMap<Run, Partial<Record<"nodes" | "results" | "events", Read>>>();

/** Run.events arguments as the reader takes them. */
export function eventsArgs(args: {
  afterSeq?: number | null;
  first?: number | null;
  last?: number | null;
  types?: readonly EventType[] | null;
}): SnapshotEvents {
  const types = args.types?.length ? [...args.types] : null;
  if (args.last != null) return { last: intIn(args.last, "last", 1, MAX_PAGE, 500), types };
  return {
    afterSeq: intIn(args.afterSeq, "afterSeq", 0, 2 ** 31 - 1, 0),
    limit: intIn(args.first, "first", 1, MAX_PAGE, 500),
    types,
  };
}

const keyOf = (v: unknown) => JSON.stringify(v);

/** The first `nodes` / `results` / `events` field under `run`, fragments included. */
function selectedFields(info: GraphQLResolveInfo): Map<string, FieldNode> {
  const found = new Map<string, FieldNode>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        const name = s.name.value;
        if ((name === "nodes" || name === "results" || name === "events") && !found.has(name)) found.set(name, s);
      } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
      else visit(info.fragments[s.name.value]?.selectionSet);
    }
  };
  for (const f of info.fieldNodes) visit(f.selectionSet);
  return found;
}

/** What the `run` field's selection wants read with the run (nothing: an ordinary read). */
function wantsOf(info: GraphQLResolveInfo): { wants: SnapshotWants; keys: Record<string, string> } | null {
  const runType = info.schema.getType("Run");
  if (!isObjectType(runType)) return null;
  const defs = runType.getFields();
  const wants: SnapshotWants = {};
  const keys: Record<string, string> = {};
  for (const [name, node] of selectedFields(info)) {
    const args = getArgumentValues(defs[name], node, info.variableValues);
    if (name === "nodes") {
      wants.nodes = nodesPage(args.first as number | undefined, args.after as string | undefined);
      keys.nodes = keyOf(wants.nodes);
    } else if (name === "events") {
      wants.events = eventsArgs(args);
      keys.events = keyOf(wants.events);
    } else {
      wants.results = true;
      keys.results = "";
    }
  }
  return Object.keys(keys).length ? { wants, keys } : null;
}

/** Query.run: the run (with what its selection reads in the same snapshot), or null. */
export async function resolveRun(id: string, ctx: GraphQLContext, info: GraphQLResolveInfo): Promise<Run | null> {
  const want = wantsOf(info);
  if (!want) return ctx.loaders.run.load(id);
  const snap: RunSnapshotRead | null = await readRunSnapshot(ctx.runtime.db, ctx.viewer.namespace, id, want.wants);
  if (!snap) return null;
  const reads: Partial<Record<"nodes" | "results" | "events", Read>> = {};
  if (snap.nodes) reads.nodes = { key: want.keys.nodes, value: snap.nodes };
  if (snap.results) reads.results = { key: want.keys.results, value: snap.results };
  if (snap.events) reads.events = { key: want.keys.events, value: snap.events };
  snapshots.set(snap.run, reads);
  ctx.loaders.run.prime(id, snap.run);
  return snap.run;
}

/** The value the snapshot read for this field with these arguments, if it did. */
function fromSnapshot<T>(run: Run, field: "nodes" | "results" | "events", key: string): T | undefined {
  const read = snapshots.get(run)?.[field];
  return read && read.key === key ? (read.value as T) : undefined;
}

export const snapshotNodes = (run: Run, page: ReturnType<typeof nodesPage>) =>
  fromSnapshot<NodeSnapshot[]>(run, "nodes", keyOf(page));
export const snapshotResults = (run: Run) => fromSnapshot<NonNullable<RunSnapshotRead["results"]>>(run, "results", "");
export const snapshotEvents = (run: Run, e: SnapshotEvents) => fromSnapshot<EventPage>(run, "events", keyOf(e));
