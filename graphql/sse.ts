import { type DocumentNode, type ExecutionResult, type GraphQLError, getOperationAST } from "graphql";
import type { RequestContext } from "graphql-sse/lib/use/fetch";
import { createGraphQLError, isAsyncIterable, type Plugin } from "graphql-yoga";
import type { Viewer } from "../lib/auth/tokens";
import { log } from "../lib/log";
import type { ServerContext } from "./context";
import { MASKED_MESSAGE, maskError, unauthenticated } from "./errors";
import { type Access, checkCsrf } from "./guard/access";
import { type Lease, LIVE_LEASE } from "./guard/connection-caps";
import { createSseFetchHandler, serializedOnceSse } from "./live/sse-frames";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** A graphql-sse handler response: the errors as GraphQL-over-HTTP JSON. */
function reject(status: number, errors: readonly unknown[]) {
  const body = errors.map((e) => {
    const { http: _http, ...extensions } = maskError(e).toJSON().extensions ?? {};
    return { ...maskError(e).toJSON(), extensions };
  });
  return respond(status, { errors: body });
}

function respond(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): [string, { status: number; statusText: string; headers: Record<string, string> }] {
  const statusText =
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      405: "Method Not Allowed",
      406: "Not Acceptable",
      429: "Too Many Requests",
      503: "Service Unavailable",
    }[status] ?? "Error";
  // A fresh headers object each time: the Response adds content-length to the one it gets.
  return [JSON.stringify(body), { status, statusText, headers: { ...JSON_HEADERS, ...headers } }];
}

/** graphql-sse's stream reservation token, as a header or a query parameter. */
const STREAM_TOKEN_HEADER = "x-graphql-event-stream-token";
const STREAM_TOKEN_QUERY = "token";

/**
 * graphql-sse's "single connection mode" (PUT reserves a stream, then GET/POST/DELETE
 * with its token) is refused: it kept reservations in process memory with no owner, no
 * expiry and no bound, and the web app does not use it. Only the "distinct connections
 * mode" is served: one GET or POST per operation with `Accept: text/event-stream`,
 * authenticated like any request. Checked before anything is read or reserved.
 */
function refuseSingleConnectionMode(req: Request): ReturnType<typeof respond> | null {
  const hint = "use the distinct connections mode: one POST (or GET) per operation with Accept: text/event-stream";
  if (req.method === "PUT" || req.method === "DELETE") {
    return respond(
      405,
      { errors: [{ message: `graphql-sse single connection mode is not supported; ${hint}` }] },
      { allow: "GET, POST" },
    );
  }
  if (req.method !== "GET" && req.method !== "POST") {
    return respond(405, { errors: [{ message: `method not allowed; ${hint}` }] }, { allow: "GET, POST" });
  }
  if (req.headers.has(STREAM_TOKEN_HEADER) || new URL(req.url).searchParams.has(STREAM_TOKEN_QUERY)) {
    return respond(400, {
      errors: [{ message: `graphql-sse single connection mode (stream tokens) is not supported; ${hint}` }],
    });
  }
  // graphql-sse itself matches the header exactly; anything else would be taken for
  // the single connection mode.
  if (req.headers.get("accept") !== "text/event-stream") {
    return respond(406, { errors: [{ message: `this endpoint only streams; ${hint}` }] });
  }
  return null;
}

/**
 * Authenticate a graphql-sse request from its headers alone, before its body is read: the
 * viewer, or the error response (401, 403 for a cookie without CSRF proof, 429 for a
 * blocked address, 503 when the database is down).
 */
async function authenticateStream(
  access: Access,
  raw: Request,
  ip: string,
): Promise<{ viewer: Viewer } | { refused: ReturnType<typeof respond> }> {
  const { secret, via } = access.credential((h) => raw.headers.get(h));
  try {
    const viewer = await access.authenticate(secret, ip);
    if (!viewer) return { refused: reject(401, [unauthenticated()]) };
    if (via === "cookie") await checkCsrf(raw);
    return { viewer };
  } catch (err) {
    return { refused: reject(statusOf(maskError(err)), [err]) };
  }
}

const statusOf = (e: GraphQLError) => (e.extensions.http as { status?: number } | undefined)?.status ?? 400;

/**
 * The graphql-sse protocol (distinct connections mode only) at `endpoint`, running
 * yoga's envelop pipeline like every other transport. In place of
 * `@graphql-yoga/plugin-graphql-sse`, whose handler turns a thrown error (bad token,
 * syntax error) into an HTTP 500 carrying the stack trace and drops error-only results:
 * here request errors are 400/401 JSON, operation errors are GraphQL results, and
 * mutations over GET are refused (a cookie-authenticated GET must never write).
 */
export function graphqlSsePlugin(endpoint: string, access: Access): Plugin<ServerContext> {
  const serverContexts = new WeakMap<Request, ServerContext>();
  const viewers = new WeakMap<Request, Viewer>();
  let handler: (req: Request) => Promise<Response>;
  return {
    onYogaInit({ yoga }) {
      handler = createSseFetchHandler(
        {
          // Each live result is serialized once for all subscribers (live/sse-frames.ts).
          onNext: (_ctx, req, result) => serializedOnceSse(req.raw as Request, result as ExecutionResult),
          // Runs first, before graphql-sse reads the body or reserves anything: refuse the
          // single connection mode, then authenticate (the body is read only for a viewer).
          async authenticate(req) {
            const raw = req.raw as Request;
            const refused = refuseSingleConnectionMode(raw);
            if (refused) return refused;
            const auth = await authenticateStream(access, raw, serverContexts.get(raw)?.ip ?? "unknown");
            if ("refused" in auth) return auth.refused;
            viewers.set(raw, auth.viewer);
            return null; // no stream token: distinct connections mode only
          },
          async onSubscribe(req, params) {
            const raw = req.raw as Request;
            const serverContext = serverContexts.get(raw);
            const viewer = viewers.get(raw);
            if (!viewer) return reject(401, [unauthenticated()]);
            const enveloped = yoga.getEnveloped({
              ...serverContext,
              viewer,
              transport: "graphql-sse",
              request: raw,
              params,
            });
            let document: DocumentNode;
            try {
              document = enveloped.parse(params.query);
            } catch (err) {
              return reject(statusOf(maskError(err)), [err]);
            }
            let invalid: readonly GraphQLError[];
            try {
              // GraphQL Armor's limits throw their first violation rather than report it.
              invalid = enveloped.validate(enveloped.schema, document);
            } catch (err) {
              return reject(statusOf(maskError(err)), [err]);
            }
            if (invalid.length) return reject(400, invalid);
            const operation = getOperationAST(document, params.operationName)?.operation;
            if (!operation) return reject(400, [createGraphQLError("no operation to run")]);
            if (operation === "mutation" && req.method === "GET") {
              return respond(405, { errors: [{ message: "mutations need POST" }] });
            }
            let contextValue: object;
            try {
              contextValue = await enveloped.contextFactory();
            } catch (err) {
              return reject(statusOf(maskError(err)), [err]);
            }
            let lease: Lease | undefined;
            if (operation === "subscription") {
              // The connection and subscription caps (guard/connection-caps.ts): 429 when reached.
              try {
                lease = await access.caps.open("stream", viewer.tokenId, serverContext?.ip ?? "unknown", "graphql-sse");
              } catch (err) {
                return reject(statusOf(maskError(err)), [err]);
              }
              (contextValue as Record<symbol, unknown>)[LIVE_LEASE] = lease; // freed by guard/plugin.ts
            }
            const args = {
              schema: enveloped.schema,
              document,
              contextValue,
              variableValues: params.variables,
              operationName: params.operationName,
            };
            try {
              const run = operation === "subscription" ? enveloped.subscribe : enveloped.execute;
              const result = await run(args);
              // graphql-sse only recognizes results with a `data` key.
              return isAsyncIterable(result)
                ? (result as AsyncIterable<ExecutionResult>)
                : { data: null, ...(result as ExecutionResult) };
            } catch (err) {
              lease?.release();
              return { data: null, errors: [maskError(err)] };
            }
          },
        },
        yoga.fetchAPI as Partial<RequestContext>,
      );
    },
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      serverContexts.set(request, serverContext as unknown as ServerContext);
      return handler(request).then(endResponse, (err) => {
        log.error({ err }, "graphql-sse request failed");
        const body = JSON.stringify({ errors: [{ message: MASKED_MESSAGE }] });
        endResponse(new fetchAPI.Response(body, { status: 500, headers: { ...JSON_HEADERS } }));
      });
    },
  };
}
