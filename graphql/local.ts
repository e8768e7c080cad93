import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type DocumentNode, execute, type GraphQLSchema } from "graphql";
import type { Viewer } from "../lib/auth/tokens";
import type { GraphQLContext, ServerContext } from "./context";
import { createLoaders } from "./loaders";

/**
 * Runs one of the web app's documents in-process for a signed-in viewer: server-rendered
 * pages get exactly what the same query over HTTP returns (same resolvers, same shaping,
 * same snapshot read), so their data seeds the client cache with nothing shaped twice.
 * Only the app's own generated documents come here, so the document limits of the HTTP
 * path (which guard against callers' documents) do not apply.
 */
export type LocalExecute = <TData, TVariables>(
  viewer: Viewer,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) => Promise<TData>;

export function localExecutor(schema: GraphQLSchema, server: ServerContext): LocalExecute {
  return async <TData, TVariables>(
    viewer: Viewer,
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ) => {
    const contextValue: GraphQLContext = {
      ...server,
      viewer,
      loaders: createLoaders(server.runtime.db, viewer.namespace),
      transport: "http",
    };
    const result = await execute({
      schema,
      document: document as DocumentNode,
      variableValues: variables as Record<string, unknown>,
      contextValue,
    });
    if (result.errors?.length) throw result.errors[0].originalError ?? result.errors[0];
    // As a response carries it: plain JSON (graphql-js builds null-prototype objects, which
    // React refuses to hand from a server component to a client one).
    return JSON.parse(JSON.stringify(result.data)) as TData;
  };
}
