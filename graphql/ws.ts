import type { IncomingMessage } from "node:http";
import { type ExecutionArgs, GraphQLError, getOperationAST } from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer as attachGraphqlWs } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Viewer } from "../lib/auth/tokens";
import { isDomainError } from "../lib/errors";
import { log } from "../lib/log";
import { metrics } from "../lib/metrics";
import { clientAddress } from "../lib/net/client-address";
import { bearerToken, type HeaderGetter, originAllowed, sessionCookie } from "./auth";
import type { ServerContext } from "./context";
import { isUnavailable, maskError } from "./errors";
import { rateLimited } from "./guard/access";
import { type Lease, LIVE_LEASE } from "./guard/connection-caps";
import { FrameSocket, frameReplacer, serializedOnce, watchSlowSockets, wireError } from "./live/frames";
import type { SignalboxYoga } from "./yoga";

/** Ping every 12 s; a peer that misses a pong is terminated (graphql-ws `useServer`). */
const KEEPALIVE_MS = 12_000;
/** graphql-ws closes a connection without `connection_init` after this with 4408. */
const INIT_TIMEOUT_MS = 3_000;
/** Live operations per connection; the next one gets an `error` message (RATE_LIMITED). */
const MAX_OPERATIONS_PER_CONNECTION = 100;
/** Largest message a client may send; larger ones close the connection with 1009. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Close codes we use besides graphql-ws' own (README "Security and limits"). */
const WS_CLOSE = {
  forbidden: CloseCode.Forbidden, // 4403: no/invalid/revoked token, or too many failed authentications
  tryAgainLater: 1013, // database unavailable at connection_init, or a slow consumer
  serviceRestart: 1012, // graceful shutdown
  policyViolation: 1008, // the token's connection cap is reached (SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN)
} as const;

type Enveloped = ReturnType<SignalboxYoga["getEnveloped"]>;
type Extra = { viewer?: Viewer; unwatch?: () => void; leases?: Map<string, Lease> };

export const headersOf =
  (req: IncomingMessage): HeaderGetter =>
  (name) => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };

/** The client's address (SIGNALBOX_TRUSTED_PROXIES: lib/net/client-address.ts), computed once per request. */
export const clientIp = (req: IncomingMessage): string => {
  const r = req as IncomingMessage & { clientAddress?: string };
  r.clientAddress ??= clientAddress(req);
  return r.clientAddress;
};

/** The connection's lease (counted at the upgrade by address; by token at connection_init). */
const connectionLeases = new WeakMap<IncomingMessage, Lease>();
export const setLiveLease = (req: IncomingMessage, lease: Lease) => connectionLeases.set(req, lease);

/** A hook's failure as GraphQL errors: graphql-ws would close the socket with 4500 on a throw. */
const asErrors = (err: unknown, requestId?: string) => [maskError(err, requestId)];
const requestIdOf = (args: ExecutionArgs) => (args.contextValue as { requestId?: string }).requestId;

/**
 * graphql-ws (subprotocol `graphql-transport-ws`) on a `noServer` ws server. Auth once at
 * connection_init (the `{authorization}` payload, else the session cookie — the upgrade's
 * Origin was checked by graphql/server.ts); every operation runs yoga's envelop pipeline,
 * so limits, context and error masking are those of HTTP. Protocol violations get
 * graphql-ws' own close codes (4400, 4401, 4408, 4409, 4429); nothing transient ever
 * closes with 4500 (clients stop reconnecting on it): hooks turn failures into `error`
 * messages, and a database outage at connection_init closes with 1013.
 */
export function createWsServer(yoga: SignalboxYoga, serverContext: ServerContext) {
  const { access } = serverContext;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, WebSocket: FrameSocket });
  const server = attachGraphqlWs<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: INIT_TIMEOUT_MS,
      // Each live result is serialized once for all subscribers (live/frames.ts).
      onNext: (_ctx, _id, _payload, _args, result) => serializedOnce(result) as never,
      jsonMessageReplacer: frameReplacer,
      onError: (_ctx, _id, _payload, errors) => errors.map(wireError) as never,
      onConnect: async (ctx) => {
        const { request, socket } = ctx.extra;
        const auth = (ctx.connectionParams as { authorization?: unknown } | undefined)?.authorization;
        const header = headersOf(request);
        const secret =
          bearerToken(typeof auth === "string" ? auth : null) ??
          (originAllowed(header) ? sessionCookie(header("cookie")) : null);
        try {
          const viewer = await access.authenticate(secret, clientIp(request));
          // Gone while we looked the token up: register nothing (onClose has already run).
          if (!viewer || socket.readyState !== socket.OPEN) return false;
          const lease = connectionLeases.get(request);
          if (lease) {
            try {
              await access.caps.attachToken(lease, viewer.tokenId);
            } catch (err) {
              if (!isDomainError(err, "RATE_LIMITED")) throw err;
              // Over the token's connection cap: a clear reason, and no retry loop (1008 is final for graphql-ws clients).
              socket.close(WS_CLOSE.policyViolation, "Too many connections for this token");
              return false;
            }
            if (socket.readyState !== socket.OPEN) return false;
          }
          ctx.extra.viewer = viewer;
          // A revoked token's connection ends, whichever process revoked it.
          ctx.extra.unwatch = access.live.watch(viewer.tokenId, () => socket.close(WS_CLOSE.forbidden, "Forbidden"));
          return true;
        } catch (err) {
          if (!isUnavailable(err)) return false; // RATE_LIMITED (blocked address) or anything else: 4403
          socket.close(WS_CLOSE.tryAgainLater, "Try again later");
          return false;
        }
      },
      onClose: (ctx) => {
        ctx.extra.unwatch?.();
        for (const lease of ctx.extra.leases?.values() ?? []) lease.release();
      },
      onComplete: (ctx, id) => {
        ctx.extra.leases?.get(id)?.release();
        ctx.extra.leases?.delete(id);
      },
      execute: async (args: ExecutionArgs) => {
        try {
          return await (args.rootValue as Enveloped).execute(args);
        } catch (err) {
          return { errors: asErrors(err, requestIdOf(args)) };
        }
      },
      subscribe: async (args: ExecutionArgs) => {
        try {
          return await (args.rootValue as Enveloped).subscribe(args);
        } catch (err) {
          return { errors: asErrors(err, requestIdOf(args)) };
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        let lease: Lease | undefined;
        try {
          // graphql-ws registered this id before calling us, so the count includes it.
          if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_CONNECTION) {
            metrics.rejected.inc({ reason: "ws_operations" });
            return asErrors(rateLimited(`operations on one connection (at most ${MAX_OPERATIONS_PER_CONNECTION})`));
          }
          const enveloped = yoga.getEnveloped({
            ...serverContext,
            viewer: ctx.extra.viewer,
            transport: "ws",
            params: payload,
            requestId: (ctx.extra.request as { requestId?: string }).requestId,
          });
          const document = enveloped.parse(payload.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors;
          const contextValue = await enveloped.contextFactory();
          if (getOperationAST(document, payload.operationName)?.operation === "subscription" && ctx.extra.viewer) {
            // The token's subscription cap (all processes): RATE_LIMITED as an `error` message.
            lease = await access.caps.open("subscription", ctx.extra.viewer.tokenId, clientIp(ctx.extra.request), "ws");
            if (!(id in ctx.subscriptions)) {
              lease.release(); // completed by the client meanwhile
              return [new GraphQLError("completed")];
            }
            ctx.extra.leases ??= new Map();
            ctx.extra.leases.set(id, lease);
            (contextValue as Record<symbol, unknown>)[LIVE_LEASE] = lease;
          }
          return {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue,
            // graphql-ws calls `execute`/`subscribe` above with these args: carry yoga's.
            rootValue: enveloped,
          };
        } catch (err) {
          lease?.release();
          const e = asErrors(err, (ctx.extra.request as { requestId?: string }).requestId);
          return e.every((x) => x instanceof GraphQLError) ? e : [new GraphQLError("Unexpected error.")];
        }
      },
    },
    wss,
    KEEPALIVE_MS,
  );
  const stopWatching = watchSlowSockets(wss);
  // Echo the request id on the 101 response, as on every HTTP response.
  wss.on("headers", (headers, req) => {
    const requestId = (req as { requestId?: string }).requestId;
    if (requestId) headers.push(`x-request-id: ${requestId}`);
  });
  wss.on("connection", (socket, req) => {
    metrics.connections.inc({ transport: "ws" });
    const requestId = (req as { requestId?: string }).requestId;
    log.debug({ requestId, ip: clientIp(req) }, "ws connected");
    socket.once("close", (code) => {
      metrics.connections.dec({ transport: "ws" });
      log.debug({ requestId, code }, "ws closed");
    });
  });
  return {
    wss,
    /** Close every connection with 1012 "service restart" (clients reconnect elsewhere / later). */
    async dispose() {
      stopWatching();
      for (const socket of wss.clients) socket.close(WS_CLOSE.serviceRestart, "Service restart");
      // A peer that does not answer the close handshake is cut off.
      const deadline = Date.now() + 2_000;
      while (wss.clients.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const socket of wss.clients) socket.terminate();
      await server.dispose();
    },
  };
}
