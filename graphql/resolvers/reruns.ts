import { commandsAllowed } from "../../lib/namespaces/settings";
import { rerunRun } from "../../lib/runs/rerun-run";
import { requireRole } from "../auth";
import type { Resolvers } from "../generated/resolvers";
import { intIn, jsonObject } from "./shared";

export const rerunResolvers: Resolvers = {
  Mutation: {
    // Role first, then the run (another namespace's is NOT_FOUND inside rerunRun).
    rerunRun: async (_, { id, fromFailure, params }, ctx) => {
      const { namespace } = requireRole(ctx.viewer, "OPERATOR");
      return rerunRun(
        ctx.runtime.db,
        { namespace, runId: id, fromFailure: fromFailure ?? false, params: jsonObject(params, "params") },
        { allowCommands: await commandsAllowed(ctx.runtime.db, ctx.runtime.settings.allowCommands, namespace) },
      );
    },
  },
  Run: {
    rerunOf: (r, _, ctx) => (r.rerunOfId ? ctx.loaders.run.load(r.rerunOfId) : null),
    reruns: (r, { first }, ctx) => ctx.loaders.reruns.load({ runId: r.id, first: intIn(first, "first", 1, 100, 20) }),
  },
  Node: {
    // Snapshots in events logged before re-runs existed have no `reused`.
    reused: (n) => n.reused ?? false,
  },
};
