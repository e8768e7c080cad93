import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Viewer } from "../lib/auth/tokens";
import { env } from "../lib/env";
import { log } from "../lib/log";
import { metrics } from "../lib/metrics";
import { CLIENT_ADDRESS_HEADER } from "../lib/net/client-address";
import type { Runtime } from "../lib/runtime";
import { bearerToken, originAllowed, sessionCookie } from "./auth";
import type { ServerContext } from "./context";
import { API_CSP, logUnlessRefused } from "./edge";
import { isUnavailable, maskError } from "./errors";
import { Access } from "./guard/access";
import { EventStreams } from "./http-streams";
import { RunsChangedHub } from "./live/runs-changed";
import { type LocalExecute, localExecutor } from "./local";
import { METRICS_PATH, serveOps } from "./ops";
import { buildSchema } from "./resolvers/index";
import { clientIp, createWsServer, headersOf, setLiveLease } from "./ws";
import { createYogaServer, GRAPHQL_PATH, GRAPHQL_SSE_PATH } from "./yoga";

const GRAPHIQL_PATH = "/graphiql";

/** The GraphQL API as the custom server sees it: a request router and an upgrade handler. */
export interface GraphQLServer {
  /** Serve the request if it is for the API, GraphiQL or an ops endpoint; false leaves it to Next. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Accept a WebSocket upgrade on the API path; false leaves it alone (e.g. Next's HMR). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Graceful shutdown, step one: readiness turns 503, live subscriptions end with a
   * retryable error, WebSockets close with 1012, SSE streams end. In-flight requests go on.
   */
  close(): Promise<void>;
  /** Step two, once in-flight requests have finished: release yoga's resources. */
  dispose(): Promise<void>;
  /** The app's documents executed in-process for server rendering (local.ts). */
  execute: LocalExecute;
}

const pathOf = (req: IncomingMessage) => (req.url ?? "/").split("?")[0];

/** `x-request-id` as sent (if it is a sane token, so logs cannot be forged), else a new one. */
function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers["x-request-id"];
  const id = Array.isArray(sent) ? sent[0] : sent;
  return id && /^[\w.:@/+=-]{1,128}$/.test(id) ? id : randomUUID();
}

function refuseUpgrade(socket: Duplex, status: 403 | 429 | 503, requestId: string, error?: unknown) {
  const text = { 403: "Forbidden", 429: "Too Many Requests", 503: "Service Unavailable" }[status];
  // With an error: a GraphQL-style JSON body saying why (e.g. which cap was reached).
  const e = error ? maskError(error) : null;
  const body = e ? JSON.stringify({ errors: [{ message: e.message, extensions: { code: e.extensions.code } }] }) : "";
  const type = body ? "Content-Type: application/json; charset=utf-8\r\n" : "";
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n\r\n${body}`,
  );
}

const sha256 = (s: string) => createHash("sha256").update(s).digest();

/**
 * GraphiQL's own CSP: its inline scripts by hash (the page is rendered once, so the hashes
 * are computed once), its editor's workers from blob: URLs, inline styles and data: fonts
 * and icons; requests only to this origin (the API over HTTP and WebSocket).
 */
function graphiqlCsp(html: string): string {
  const hashes = [...html.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/g)]
    .filter((m) => m[1].trim())
    .map((m) => `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'`);
  return [
    "default-src 'none'",
    `script-src ${hashes.join(" ")}`,
    "worker-src blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * /api/metrics is not public by default (it tells an outsider how busy the server is and
 * how it is built): it needs `Authorization: Bearer <token>` with SIGNALBOX_METRICS_TOKEN
 * or an ADMIN token, unless SIGNALBOX_METRICS_PUBLIC=1. Failed attempts count toward the
 * address's failed-authentication limit like any other. Null when allowed.
 */
async function metricsRefusal(
  access: Access,
  req: IncomingMessage,
): Promise<{ status: 401 | 403 | 429 | 503; message: string } | null> {
  const secret = bearerToken(headersOf(req)("authorization"));
  const dedicated = env().SIGNALBOX_METRICS_TOKEN;
  if (secret && dedicated && timingSafeEqual(sha256(secret), sha256(dedicated))) return null;
  const need = "/api/metrics needs Authorization: Bearer <an ADMIN token or SIGNALBOX_METRICS_TOKEN>";
  let viewer: Viewer | null;
  try {
    viewer = await access.authenticate(secret, clientIp(req));
  } catch (err) {
    const status = (maskError(err).extensions.http as { status?: number } | undefined)?.status;
    if (status !== 429) log.warn({ err }, "metrics: authentication failed");
    return status === 429
      ? { status: 429, message: "too many failed authentications from your address; slow down" }
      : { status: 503, message: "the database is unavailable; try again shortly" };
  }
  if (!viewer) return { status: 401, message: need };
  if (viewer.role !== "ADMIN") return { status: 403, message: need };
  return null;
}

function rateLimitOpts() {
  const e = env();
  return {
    rate: { perSecond: e.SIGNALBOX_RATE_LIMIT.perSecond, burst: e.SIGNALBOX_RATE_LIMIT.burst },
    caps: {
      connectionsPerToken: e.SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN,
      connectionsPerAddress: e.SIGNALBOX_MAX_CONNECTIONS_PER_ADDRESS,
      subscriptionsPerToken: e.SIGNALBOX_MAX_SUBSCRIPTIONS_PER_TOKEN,
      heartbeatMs: e.SIGNALBOX_LIVE_HEARTBEAT_MS,
    },
  };
}

/**
 * Wire every transport to one schema (SPEC §7): GraphQL-over-HTTP and yoga's SSE at
 * /api/graphql, graphql-sse at /api/graphql/stream, graphql-ws on /api/graphql upgrades,
 * GraphiQL at /graphiql, and /api/health, /api/ready, /api/metrics (ops.ts).
 */
export function createGraphQL(runtime: Runtime): GraphQLServer {
  const access = new Access(runtime.db, rateLimitOpts());
  const runsChanged = new RunsChangedHub(runtime);
  const serverContext: ServerContext = { runtime, runsChanged, access };
  const schema = buildSchema();
  const yoga = createYogaServer(access, schema);
  const ws = createWsServer(yoga, serverContext);
  const streams = new EventStreams();
  const state = { stopping: false };
  // GraphiQL with its assets inlined (no CDN; works offline): ~9 MB, so loaded and
  // rendered on first use, then kept.
  let graphiql: Promise<{ html: string; csp: string }> | undefined;
  const renderedGraphiql = () =>
    (graphiql ??= import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) => {
      const html = renderGraphiQL({
        title: "Signalbox GraphiQL",
        endpoint: GRAPHQL_PATH,
        subscriptionsProtocol: "WS",
        credentials: "same-origin",
        defaultQuery:
          "{\n  viewer { name namespace role }\n  runs(first: 10) { nodes { id label status progress } }\n}\n",
      });
      return { html, csp: graphiqlCsp(html) };
    }));

  /** GraphiQL needs a session (cookie) or a bearer token: the schema is for callers only. */
  async function serveGraphiql(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const header = headersOf(req);
    const { secret } = access.credential(header);
    let viewer = null;
    try {
      viewer = await access.authenticate(secret, clientIp(req));
    } catch {
      // rate limited or database down: treated as not logged in
    }
    if (!viewer) {
      const next = `/login?next=${encodeURIComponent(GRAPHIQL_PATH)}`;
      res.writeHead(401, { "content-type": "text/html; charset=utf-8", "x-request-id": requestId });
      res.end(`<!doctype html><title>Signalbox GraphiQL</title><p>Please <a href="${next}">log in</a> first.</p>`);
      return;
    }
    const { html, csp } = await renderedGraphiql();
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": csp,
      "x-request-id": requestId,
    });
    res.end(html);
  }

  return {
    execute: localExecutor(schema, serverContext),
    handle(req, res) {
      const path = pathOf(req);
      const requestId = requestIdOf(req);
      res.setHeader("x-request-id", requestId); // on Next's pages too
      // The API (Next's routes under /api too) is never a document: nothing may load or frame it.
      if (path.startsWith("/api/") || path === GRAPHIQL_PATH) res.setHeader("content-security-policy", API_CSP);
      // Next's route handlers cannot see the socket: hand them the client address (never the client's own header).
      req.headers[CLIENT_ADDRESS_HEADER] = clientIp(req);
      const isApi = path === GRAPHQL_PATH || path === GRAPHQL_SSE_PATH;
      if (!isApi && path !== GRAPHIQL_PATH) {
        if (
          path === METRICS_PATH &&
          !env().SIGNALBOX_METRICS_PUBLIC &&
          (req.method === "GET" || req.method === "HEAD")
        ) {
          metricsRefusal(access, req).then(
            (refused) => {
              if (!refused) return void serveOps(runtime, state, path, req, res);
              res.writeHead(refused.status, {
                "content-type": "application/json; charset=utf-8",
                "cache-control": "no-store",
                ...(refused.status === 401 ? { "www-authenticate": 'Bearer realm="signalbox metrics"' } : {}),
              });
              res.end(JSON.stringify({ error: refused.message }));
            },
            (err) => {
              log.error({ err, requestId }, "metrics failed");
              if (!res.headersSent) res.writeHead(500).end();
            },
          );
          return true;
        }
        return serveOps(runtime, state, path, req, res);
      }
      const started = Date.now();
      res.once("finish", () => {
        const entry = { requestId, method: req.method, path, status: res.statusCode, ms: Date.now() - started };
        if (res.statusCode >= 500) log.warn(entry, "request failed");
        else log.debug(entry, "request");
      });
      if (path === GRAPHIQL_PATH) {
        if (req.method !== "GET") res.writeHead(405).end();
        else
          serveGraphiql(req, res, requestId).catch((err) => {
            log.error({ err, requestId }, "GraphiQL failed");
            if (!res.headersSent) res.writeHead(500).end();
          });
        return true;
      }
      streams.track(req, res, path === GRAPHQL_SSE_PATH ? "graphql-sse" : "sse");
      const perRequest: ServerContext = { ...serverContext, ip: clientIp(req), requestId };
      Promise.resolve(yoga(req, res, perRequest)).catch((err) => {
        logUnlessRefused(res, err, "graphql request failed", { requestId });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
      return true;
    },
    upgrade(req, socket, head) {
      if (pathOf(req) !== GRAPHQL_PATH) return false;
      const requestId = requestIdOf(req);
      const header = headersOf(req);
      // Refused before any GraphQL processing: a session cookie from an origin that is not
      // ours or allowed (a cross-site page must not open a WebSocket with the user's session),
      // or an address over its connection cap (429 with a JSON body saying which).
      if (sessionCookie(header("cookie")) && !(header("origin") && originAllowed(header))) {
        metrics.rejected.inc({ reason: "origin" });
        refuseUpgrade(socket, 403, requestId);
        return true;
      }
      if (state.stopping) {
        socket.destroy();
        return true;
      }
      (req as { requestId?: string }).requestId = requestId;
      access.caps.open("connection", null, clientIp(req), "ws").then(
        (lease) => {
          // Released when the connection ends, however it ends (refused handshake included).
          socket.once("close", () => lease.release());
          if (socket.destroyed || state.stopping) {
            lease.release();
            socket.destroy();
            return;
          }
          setLiveLease(req, lease);
          ws.wss.handleUpgrade(req, socket, head, (client) => ws.wss.emit("connection", client, req));
        },
        (err) => refuseUpgrade(socket, isUnavailable(err) ? 503 : 429, requestId, err),
      );
      return true;
    },
    async close() {
      state.stopping = true;
      access.close(); // live subscriptions end with a retryable error
      runtime.workBell.close(); // long-polling claims answer now (null)
      runsChanged.close();
      await Promise.all([ws.dispose(), streams.close()]);
      await access.caps.close();
    },
    async dispose() {
      await yoga.dispose();
    },
  };
}
