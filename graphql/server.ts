import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { renderGraphiQL } from "graphql-yoga";
import { log } from "../lib/log";
import type { Runtime } from "../lib/runtime";
import type { ServerContext } from "./context";
import { RunsChangedHub } from "./live/runs-changed";
import { createWsServer } from "./ws";
import { createYogaServer, GRAPHQL_PATH, GRAPHQL_SSE_PATH } from "./yoga";

export const GRAPHIQL_PATH = "/graphiql";
/**
 * Largest request body (and WebSocket message): a spec may be 1 MiB (SPEC §4) and is
 * sent as JSON inside the variables, so allow some room, but never buffer unbounded input.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The GraphQL API as the custom server sees it: a request router and an upgrade handler. */
export interface GraphQLServer {
  /** Serve the request if it is for the API or GraphiQL; false leaves it to Next. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Accept a WebSocket upgrade on the API path; false leaves it alone (e.g. Next's HMR). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Close live connections and subscriptions. */
  close(): Promise<void>;
}

const pathOf = (req: IncomingMessage) => (req.url ?? "/").split("?")[0];

/**
 * Wire every transport to one schema (SPEC §7): GraphQL-over-HTTP and yoga's SSE at
 * /api/graphql, graphql-sse at /api/graphql/stream, graphql-ws on /api/graphql upgrades,
 * GraphiQL at /graphiql.
 */
export function createGraphQL(runtime: Runtime): GraphQLServer {
  const runsChanged = new RunsChangedHub(runtime);
  const serverContext: ServerContext = { runtime, runsChanged };
  const yoga = createYogaServer();
  const ws = createWsServer(yoga, serverContext, MAX_BODY_BYTES);
  const graphiql = renderGraphiQL({
    title: "Signalbox GraphiQL",
    endpoint: GRAPHQL_PATH,
    subscriptionsProtocol: "WS",
    credentials: "same-origin",
    defaultQuery: "{\n  viewer { name namespace role }\n  runs(first: 10) { nodes { id label status progress } }\n}\n",
  });

  return {
    handle(req, res) {
      const path = pathOf(req);
      if (path === GRAPHIQL_PATH && req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(graphiql);
        return true;
      }
      if (path !== GRAPHQL_PATH && path !== GRAPHQL_SSE_PATH) return false;
      if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
        res.writeHead(413, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: "request body too large", extensions: { code: "BAD_INPUT" } }] }));
        return true;
      }
      Promise.resolve(yoga(req, res, serverContext)).catch((err) => {
        log.error({ err }, "graphql request failed");
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
      return true;
    },
    upgrade(req, socket, head) {
      if (pathOf(req) !== GRAPHQL_PATH) return false;
      ws.wss.handleUpgrade(req, socket, head, (client) => ws.wss.emit("connection", client, req));
      return true;
    },
    async close() {
      runsChanged.close();
      await ws.dispose();
      await new Promise<void>((resolve) => ws.wss.close(() => resolve()));
      await yoga.dispose();
    },
  };
}
