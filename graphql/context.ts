import type { YogaInitialContext } from "graphql-yoga";
import type { Viewer } from "../lib/auth/tokens";
import type { Runtime } from "../lib/runtime";
import { unauthenticated } from "./errors";
import type { Access } from "./guard/access";
import { requestViewer } from "./guard/plugin";
import type { Transport } from "./live/observe";
import type { RunsChangedHub } from "./live/runs-changed";
import { createLoaders, type Loaders } from "./loaders";

/** Per-process resources every operation sees (yoga "server context"). */
export interface ServerContext {
  runtime: Runtime;
  runsChanged: RunsChangedHub;
  access: Access;
  /** The client's address (rate limits), set per HTTP request by graphql/server.ts. */
  ip?: string;
  /** The request / connection id echoed as `x-request-id` and carried in logs. */
  requestId?: string;
  /** Pre-authenticated by the WebSocket path at connection_init; HTTP/SSE leave it unset. */
  viewer?: Viewer | null;
  /** Set by the WebSocket and graphql-sse paths; HTTP (and yoga's SSE) is derived per request. */
  transport?: Transport;
}

/** What resolvers receive. */
export interface GraphQLContext extends ServerContext {
  viewer: Viewer;
  loaders: Loaders;
  transport: Transport;
  /** The HTTP request (yoga's, on HTTP and SSE): its signal aborts when the client goes away. */
  request?: Request;
}

/**
 * yoga's context factory — the same on HTTP, SSE and WebSocket because graphql-ws runs
 * yoga's envelop pipeline too. The viewer was authenticated before parsing (at
 * connection_init for WebSocket, by the access plugin for HTTP and SSE); no viewer →
 * UNAUTHENTICATED (HTTP 401).
 */
export async function createContext(
  initial: ServerContext & Partial<YogaInitialContext>,
): Promise<Pick<GraphQLContext, "viewer" | "loaders" | "transport">> {
  const request = initial.request;
  const viewer = initial.viewer ?? requestViewer(request);
  if (!viewer) throw unauthenticated();
  const transport =
    initial.transport ?? (request?.headers.get("accept")?.includes("text/event-stream") ? "sse" : "http");
  return { viewer, loaders: createLoaders(initial.runtime.db, viewer.namespace), transport };
}

/** A copy of `ctx` with fresh loaders: each live event is resolved against current data. */
export function freshContext(ctx: GraphQLContext): GraphQLContext {
  return { ...ctx, loaders: createLoaders(ctx.runtime.db, ctx.viewer.namespace) };
}
