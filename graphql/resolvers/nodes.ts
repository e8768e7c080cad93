import { decideGate } from "../../lib/engine/gates";
import { nodeSnapshot } from "../../lib/engine/snapshot";
import { waitingGates } from "../../lib/runs/queries";
import { scopeNamespace } from "../auth";
import type { Resolvers } from "../generated/resolvers";
import { authorizedRun } from "./shared";

export const nodeResolvers: Resolvers = {
  Query: {
    gates: (_, { namespace }, ctx) => {
      const scoped = scopeNamespace(ctx.viewer, namespace);
      return scoped ? waitingGates(ctx.runtime.db, scoped) : [];
    },
  },
  Mutation: {
    humanDecision: async (_, { input }, ctx) => {
      const run = await authorizedRun(ctx, input.runId, "OPERATOR");
      const node = await decideGate(ctx.runtime.db, {
        ...input,
        runId: run.id,
        decidedBy: ctx.viewer.name,
      });
      return nodeSnapshot(node);
    },
  },
  Node: {
    run: (n, _, ctx) => ctx.loaders.run.load(n.runId),
  },
};
