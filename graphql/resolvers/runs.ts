import type { Run } from "../../lib/db/client";
import { cancelRun, pauseRun, resumeRun, setBudget } from "../../lib/engine/control";
import { readResults } from "../../lib/engine/results";
import { costPayload, durationMs } from "../../lib/engine/snapshot";
import { notFound } from "../../lib/errors";
import { commandsAllowed } from "../../lib/namespaces/settings";
import { listRuns, nodesPage, type RunPage } from "../../lib/runs/queries";
import { eventsWindow } from "../../lib/runs/snapshot";
import { submitRun } from "../../lib/runs/submit-run";
import { requireRole, scopeNamespace } from "../auth";
import type { GraphQLContext } from "../context";
import type { MutationResolvers, Resolvers } from "../generated/resolvers";
import { eventPage } from "./events";
import { eventsArgs, resolveRun, snapshotEvents, snapshotNodes, snapshotResults } from "./run-snapshot";
import { authorizedRun, jsonObject } from "./shared";

const emptyPage = (): RunPage => ({ asOf: new Date(), runs: [], cursors: [], endCursor: null, hasNextPage: false });

function watchRuns(ctx: GraphQLContext, namespace: string | null | undefined, since: Date | null) {
  const scoped = scopeNamespace(ctx.viewer, namespace);
  if (!scoped) throw notFound("namespace");
  return ctx.runsChanged.subscribe(scoped, ctx.transport, since);
}

type Control = (db: GraphQLContext["runtime"]["db"], runId: string) => Promise<Run>;

/** cancel / pause / resume share one shape: authorize, then one engine call. */
const control =
  (fn: Control): MutationResolvers["cancelRun"] =>
  async (_, { id }, ctx) =>
    fn(ctx.runtime.db, (await authorizedRun(ctx, id, "OPERATOR")).id);

/** Dependencies by node key; a map child hangs off the map node that added it. */
function edgesOf(nodes: { key: string; needs: string[]; parentKey: string | null }[]) {
  return nodes.flatMap((n) =>
    n.parentKey ? [{ from: n.parentKey, to: n.key }] : n.needs.map((need) => ({ from: need, to: n.key })),
  );
}

export const runResolvers: Resolvers = {
  Query: {
    runs: (_, args, ctx) => {
      const namespace = scopeNamespace(ctx.viewer, args.namespace);
      if (!namespace) return emptyPage();
      return listRuns(ctx.runtime.db, { ...args, namespace });
    },
    run: (_, { id }, ctx, info) => resolveRun(id, ctx, info),
  },
  Mutation: {
    submitRun: async (_, { input }, ctx) => {
      requireRole(ctx.viewer, "OPERATOR");
      const namespace = scopeNamespace(ctx.viewer, input.namespace);
      if (!namespace) throw notFound("namespace");
      return submitRun(
        ctx.runtime.db,
        {
          ...input,
          namespace,
          params: jsonObject(input.params, "params"),
          // A person in the web app (a browser session), or an integration with a token.
          trigger: ctx.viewer.session ? "MANUAL" : "API",
        },
        { allowCommands: await commandsAllowed(ctx.runtime.db, ctx.runtime.settings.allowCommands, namespace) },
      );
    },
    cancelRun: control(cancelRun),
    pauseRun: control(pauseRun),
    resumeRun: control(resumeRun),
    setBudget: async (_, { id, budget }, ctx) =>
      setBudget(ctx.runtime.db, (await authorizedRun(ctx, id, "OPERATOR")).id, budget),
  },
  Subscription: {
    runsChanged: {
      subscribe: (_, { namespace }, ctx) => watchRuns(ctx, namespace, null),
      resolve: (run: Run) => run,
    },
    runsChangedSince: {
      subscribe: (_, { namespace, since }, ctx) => watchRuns(ctx, namespace, new Date(since)),
      resolve: (run: Run) => run,
    },
  },
  Run: {
    pipeline: (r) => r.pipelineName,
    // Runs of a list are read without their spec (lib/runs/queries.ts listRuns).
    spec: async (r, _, ctx) =>
      (r as Partial<Run>).spec !== undefined ? r.spec : ((await ctx.loaders.run.load(r.id))?.spec ?? null),
    cost: (r) => costPayload(r),
    durationMs: (r) => durationMs(r.startedAt, r.finishedAt),
    nodes: (r, { first, after }, ctx) => {
      const page = nodesPage(first, after);
      return snapshotNodes(r, page) ?? ctx.loaders.nodesByRun.load({ runId: r.id, ...page });
    },
    edges: async (r, _, ctx) => edgesOf(await ctx.loaders.edgesByRun.load(r.id)),
    // Only reachable on run(id) (graphql/guard/cost.ts): one table, read from the store.
    results: (r, _, ctx) => snapshotResults(r) ?? readResults(ctx.runtime.db, r),
    events: async (r, args, ctx) => {
      const wanted = eventsArgs(args);
      return eventPage(
        snapshotEvents(r, wanted) ??
          (await ctx.loaders.events.load({ runId: r.id, ...eventsWindow(wanted, r.lastSeq) })),
      );
    },
  },
  RunConnection: {
    asOf: (p) => p.asOf,
    edges: (p) => p.runs.map((node, i) => ({ cursor: p.cursors[i], node })),
    nodes: (p) => p.runs,
    pageInfo: (p) => ({ endCursor: p.endCursor, hasNextPage: p.hasNextPage }),
  },
};
