import "server-only";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { formatDocument } from "@urql/core";
import type { Viewer } from "@/lib/auth/tokens";

/**
 * Run one of the app's generated documents as `viewer`, in-process (graphql/local.ts):
 * the same resolvers and shapes as the client's query over HTTP, with `__typename` added
 * the way urql adds it, so the data seeds the client cache exactly as that query's result.
 */
export function serverQuery<TData, TVariables>(
  viewer: Viewer,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const execute = globalThis.__signalboxGraphQL;
  if (!execute)
    throw new Error("Signalbox GraphQL is not started: serve the app through server.ts (npm start / npm run dev)");
  return execute(viewer, formatDocument(document) as TypedDocumentNode<TData, TVariables>, variables);
}
