import type { Cache, CacheExchangeOpts, Data, FieldArgs } from "@urql/exchange-graphcache";
import type { RunSummary } from "@/app/graphql/types";

/**
 * The one graphcache configuration of the web app.
 *
 * - `keys`: types without an `id` are embedded in their parent (never normalized).
 *   `Node.id` is globally unique, so a NODE_STATE snapshot and a `gates` row of the same
 *   node are one entity.
 * - `updates`: list maintenance the cache cannot infer — new runs go to the top of every
 *   cached first page of `runs` whose filters they match; decided gates leave `gates`.
 */
const embedded = () => null;

export const graphcacheConfig: CacheExchangeOpts = {
  keys: {
    Cost: embedded,
    Edge: embedded,
    PageInfo: embedded,
    ResultsTable: embedded,
    Gate: embedded,
    GateDecision: embedded,
    RunEdge: embedded,
    RunConnection: embedded,
    EventPage: embedded,
    Viewer: embedded,
    CreatedToken: embedded,
    CreatedWebhook: embedded,
    NodeLease: (lease) => (lease.nodeId as string | undefined) ?? null,
  },
  updates: {
    Subscription: {
      runsChanged: (result, _args, cache) => insertRun(cache, result.runsChanged as RunSummary | undefined),
      runsChangedSince: (result, _args, cache) => insertRun(cache, result.runsChangedSince as RunSummary | undefined),
    },
    Mutation: {
      submitRun: (result, _args, cache) => insertRun(cache, result.submitRun as RunSummary | undefined),
      rerunRun: (result, _args, cache) => insertRun(cache, result.rerunRun as RunSummary | undefined),
      humanDecision: (result, _args, cache) => {
        const node = result.humanDecision as { id?: string; status?: string } | undefined;
        if (node?.id && node.status !== "WAITING") removeGate(cache, node.id);
      },
    },
  },
};

/** Does `run` belong in a `runs(...)` list with these arguments (same rules as lib/runs listRuns)? */
export function runMatches(run: RunSummary, args: FieldArgs): boolean {
  const status = args?.status as string[] | null | undefined;
  if (status?.length && !status.includes(run.status)) return false;
  if (args?.pipeline && run.pipeline !== args.pipeline) return false;
  const trigger = args?.trigger as string[] | null | undefined;
  if (trigger?.length && !trigger.includes(run.trigger)) return false;
  const search = (args?.search as string | null | undefined)?.trim().toLowerCase();
  if (search) {
    const hit =
      run.id === search || run.label?.toLowerCase().includes(search) || run.pipeline?.toLowerCase().includes(search);
    if (!hit) return false;
  }
  return true;
}

function insertRun(cache: Cache, run: RunSummary | undefined) {
  const key = run && cache.keyOfEntity(run as unknown as Data);
  if (!run || !key) return;
  for (const field of cache.inspectFields("Query")) {
    // Only first pages: a later page starts after a fixed cursor, so it never gains new runs.
    if (field.fieldName !== "runs" || field.arguments?.after) continue;
    const connection = cache.resolve("Query", field.fieldKey) as string | null;
    if (!connection) continue;
    const nodes = (cache.resolve(connection, "nodes") as string[] | null) ?? [];
    if (nodes.includes(key) || !runMatches(run, field.arguments)) continue;
    // An old run that changed belongs further down, outside this page: leave the page as it is.
    const newest = nodes[0] ? (cache.resolve(nodes[0], "createdAt") as string | null) : null;
    if (newest && run.createdAt < newest) continue;
    cache.link(connection, "nodes", [key, ...nodes]);
  }
}

function removeGate(cache: Cache, nodeId: string) {
  const key = cache.keyOfEntity({ __typename: "Node", id: nodeId });
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName !== "gates") continue;
    const gates = (cache.resolve("Query", field.fieldKey) as string[] | null) ?? [];
    if (gates.includes(key!)) {
      cache.link(
        "Query",
        field.fieldName,
        field.arguments ?? {},
        gates.filter((k) => k !== key),
      );
    }
  }
}
