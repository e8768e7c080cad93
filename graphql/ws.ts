import type { IncomingMessage } from "node:http";
import type { ExecutionArgs } from "graphql";
import { useServer as attachGraphqlWs } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { authenticate, type Viewer } from "../lib/auth/tokens";
import type { Db } from "../lib/db/client";
import { metrics } from "../lib/metrics";
import { bearerToken, type HeaderGetter, originAllowed, sessionCookie } from "./auth";
import type { ServerContext } from "./context";
import { maskError } from "./errors";
import { FrameSocket, frameReplacer, serializedOnce } from "./live/frames";
import type { SignalboxYoga } from "./yoga";

/** Ping every 12 s; a peer that misses a pong is terminated (graphql-ws `useServer`). */
const KEEPALIVE_MS = 12_000;

type Enveloped = ReturnType<SignalboxYoga["getEnveloped"]>;
type Extra = {
  viewer?: Viewer;
};

const headersOf =
  (req: IncomingMessage): HeaderGetter =>
  (name) => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };

/**
 * The connection's viewer: `connection_init` payload `{authorization: "Bearer …"}`, else
 * the session cookie of the upgrade request when its Origin is allowed.
 */
async function connectionViewer(db: Db, req: IncomingMessage, params: unknown): Promise<Viewer | null> {
  const auth = (params as { authorization?: unknown } | undefined)?.authorization;
  const header = headersOf(req);
  const secret =
    bearerToken(typeof auth === "string" ? auth : null) ??
    (originAllowed(header) ? sessionCookie(header("cookie")) : null);
  return secret ? authenticate(db, secret) : null;
}

/**
 * graphql-ws (subprotocol `graphql-transport-ws`) on a `noServer` ws server. Auth once at
 * connection_init (invalid → close 4403); every operation runs yoga's envelop pipeline,
 * so limits, context and error masking are those of HTTP.
 */
export function createWsServer(yoga: SignalboxYoga, serverContext: ServerContext, maxPayload: number) {
  const wss = new WebSocketServer({ noServer: true, maxPayload, WebSocket: FrameSocket });
  const server = attachGraphqlWs<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: 10_000,
      // Each live result is serialized once for all subscribers (live/frames.ts).
      onNext: (_ctx, _id, _payload, _args, result) => serializedOnce(result) as never,
      jsonMessageReplacer: frameReplacer,
      onConnect: async (ctx) => {
        const viewer = await connectionViewer(serverContext.runtime.db, ctx.extra.request, ctx.connectionParams);
        if (!viewer) return false;
        ctx.extra.viewer = viewer;
        return true;
      },
      execute: (args: ExecutionArgs) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({
          ...serverContext,
          viewer: ctx.extra.viewer,
          transport: "ws",
          params: payload,
        });
        try {
          const document = enveloped.parse(payload.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors;
          return {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: await enveloped.contextFactory(),
            // graphql-ws calls `execute`/`subscribe` above with these args: carry yoga's.
            rootValue: enveloped,
          };
        } catch (err) {
          return [maskError(err)];
        }
      },
    },
    wss,
    KEEPALIVE_MS,
  );
  wss.on("connection", (socket) => {
    metrics.connections.inc({ transport: "ws" });
    socket.once("close", () => metrics.connections.dec({ transport: "ws" }));
  });
  return { wss, dispose: () => server.dispose() };
}
