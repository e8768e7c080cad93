import { createSchema } from "graphql-yoga";
import type { GraphQLContext } from "../context";
import type { Resolvers } from "../generated/resolvers";
import { typeDefs } from "../schema/index";
import { eventResolvers } from "./events";
import { metricResolvers } from "./metrics";
import { namespaceResolvers } from "./namespaces";
import { nodeResolvers } from "./nodes";
import { pipelineResolvers } from "./pipelines";
import { rerunResolvers } from "./reruns";
import { runResolvers } from "./runs";
import { DateTimeScalar, JSONScalar } from "./scalars";
import { scheduleResolvers } from "./schedules";
import { tokenResolvers } from "./tokens";
import { webhookResolvers } from "./webhooks";
import { workerResolvers } from "./workers";

/** Merge per-domain resolver maps type by type (each domain extends Query/Mutation/…). */
function merge(...maps: Resolvers[]): Resolvers {
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of maps) {
    for (const [type, fields] of Object.entries(m)) out[type] = { ...out[type], ...(fields as object) };
  }
  return out as Resolvers;
}

/** The executable schema: SDL from graphql/schema/*.graphql, resolvers from this folder. */
export function buildSchema() {
  return createSchema<GraphQLContext>({
    typeDefs,
    resolvers: [
      { JSON: JSONScalar, DateTime: DateTimeScalar },
      merge(
        runResolvers,
        nodeResolvers,
        eventResolvers,
        metricResolvers,
        pipelineResolvers,
        workerResolvers,
        tokenResolvers,
        namespaceResolvers,
        rerunResolvers,
        scheduleResolvers,
        webhookResolvers,
      ),
    ],
  });
}
