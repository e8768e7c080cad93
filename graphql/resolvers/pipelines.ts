import { getPipeline, listPipelines, promoteRun } from "../../lib/pipelines/pipelines";
import { scopeNamespace } from "../auth";
import type { Resolvers } from "../generated/resolvers";
import { authorizedRun } from "./shared";

export const pipelineResolvers: Resolvers = {
  Query: {
    viewer: (_, __, ctx) => ctx.viewer,
    pipelines: (_, { namespace }, ctx) => {
      const scoped = scopeNamespace(ctx.viewer, namespace);
      return scoped ? listPipelines(ctx.runtime.db, scoped) : [];
    },
    pipeline: (_, { name, version, namespace }, ctx) => {
      const scoped = scopeNamespace(ctx.viewer, namespace);
      return scoped ? getPipeline(ctx.runtime.db, scoped, name, version) : null;
    },
  },
  Mutation: {
    promoteRun: async (_, { runId, name }, ctx) => {
      const run = await authorizedRun(ctx, runId, "ADMIN");
      return promoteRun(ctx.runtime.db, { namespace: run.namespace, runId: run.id, name });
    },
  },
};
