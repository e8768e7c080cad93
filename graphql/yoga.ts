import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { getOperationAST } from "graphql";
import { createGraphQLError, createYoga, isAsyncIterable, type Plugin, type YogaLogger } from "graphql-yoga";
import { env } from "../lib/env";
import { log } from "../lib/log";
import { metrics } from "../lib/metrics";
import { createContext, type GraphQLContext, type ServerContext } from "./context";
import { jsonBytesUpTo, MAX_BODY_BYTES } from "./edge";
import { domainErrorOf, logResultErrors, maskError, wasLogged } from "./errors";
import type { Access } from "./guard/access";
import { costLimitPlugin, MAX_QUERY_COST } from "./guard/cost";
import { accessPlugin } from "./guard/plugin";
import { sharedEventExecutionPlugin } from "./live/shared-execution";
import { buildSchema } from "./resolvers/index";
import { graphqlSsePlugin } from "./sse";
import { unbufferedStreamsPlugin } from "./sse-headers";

export const GRAPHQL_PATH = "/api/graphql";
export const GRAPHQL_SSE_PATH = "/api/graphql/stream";

/** Document limits (GraphQL Armor), the same on every transport. README "Security and limits". */
const LIMITS = { tokens: 5_000, depth: 12, aliases: 30, directives: 20, cost: MAX_QUERY_COST } as const;

/** Domain errors are answers, not failures: keep them out of the error log. */
const logger: YogaLogger = {
  debug: (...args) => log.debug({ args }, "graphql"),
  info: (...args) => log.info({ args }, "graphql"),
  warn: (...args) => log.warn({ args }, "graphql"),
  error: (...args) => {
    const err = args[0];
    if (domainErrorOf(err)) log.debug({ err }, "graphql domain error");
    else if (!wasLogged(err)) log.error({ err }, "graphql error");
  },
};

/**
 * CORS: any origin may call with a bearer token (integrations, dashboards); only
 * SIGNALBOX_ALLOWED_ORIGINS may send credentials (the session cookie) cross-origin.
 */
function cors(request: Request) {
  const origin = request.headers.get("origin");
  const credentials = !!origin && env().SIGNALBOX_ALLOWED_ORIGINS.includes(origin);
  return {
    origin: credentials && origin ? origin : "*",
    credentials,
    methods: ["GET", "POST"],
    allowedHeaders: ["authorization", "content-type", "accept", "x-graphql-yoga-csrf", "x-request-id"],
    exposedHeaders: ["x-request-id"],
  };
}

/**
 * Unexpected errors are logged with the operation's request id (on the context) before
 * yoga's masking, which runs after every plugin here and has no context. Live events'
 * results are logged where they are executed (live/shared-execution.ts), so no hook runs
 * per delivery.
 */
function errorLogPlugin(): Plugin {
  return {
    onExecute: ({ args }) => ({
      onExecuteDone({ result }) {
        if (!isAsyncIterable(result)) logResultErrors(result, args.contextValue);
      },
    }),
    onSubscribe: ({ args }) => ({
      onSubscribeResult({ result }) {
        if (!isAsyncIterable(result)) logResultErrors(result, args.contextValue);
      },
    }),
  };
}

/** Counts operations that got past validation: the proof that a rejected one ran nothing. */
function executedOperationsPlugin(): Plugin {
  const count = (args: { document: unknown; operationName?: string | null; contextValue: unknown }) => {
    const op = getOperationAST(args.document as never, args.operationName)?.operation ?? "unknown";
    metrics.operations.inc({ transport: (args.contextValue as GraphQLContext).transport ?? "http", operation: op });
  };
  return {
    onExecute: ({ args }) => count(args),
    onSubscribe: ({ args }) => count(args),
  };
}

/**
 * The response-size cap (SIGNALBOX_MAX_RESPONSE_BYTES, 16 MiB): an operation whose result
 * would serialize larger gets one BAD_INPUT error instead, on every transport, before any
 * of it is turned into JSON or queued for a socket. Live events are bounded by the payload
 * limits where they are written, so only executed (query and mutation) results are measured.
 */
function responseSizePlugin(limit: number): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (isAsyncIterable(result)) return;
        const size = jsonBytesUpTo(result, limit);
        if (size <= limit) return;
        metrics.rejected.inc({ reason: "response_too_large" });
        setResult({
          data: null,
          errors: [
            createGraphQLError(
              `the response is over ${limit} bytes (the limit, SIGNALBOX_MAX_RESPONSE_BYTES); ask for less: page with \`first\` and \`after\`, or select fewer fields`,
              { extensions: { code: "BAD_INPUT", limit } },
            ),
          ],
        });
      },
    }),
  };
}

/**
 * The yoga instance: schema, auth, limits and masking. Every transport runs this envelop
 * pipeline — HTTP and yoga's SSE directly, graphql-sse through its plugin, WebSocket
 * through `yoga.getEnveloped` in graphql-ws `onSubscribe`. Order matters: the access
 * plugin authenticates before anything is parsed and checks the document's length before
 * the token limit parses it.
 */
export function createYogaServer(access: Access, schema = buildSchema()) {
  return createYoga<ServerContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: createContext,
    graphiql: false, // rendered at /graphiql by graphql/server.ts
    landingPage: false,
    // One operation per request: a batch would multiply every limit below.
    batching: false,
    // Uploads are not part of the API, and multipart is a CORS-"simple" content type.
    multipart: false,
    // The edge (graphql/edge.ts) already counts every body; yoga's own check agrees with it.
    maxRequestBodySize: MAX_BODY_BYTES,
    cors,
    logging: logger,
    // yoga passes (error, message, isDev): only the error is ours to read.
    maskedErrors: { maskError: (error) => maskError(error) },
    plugins: [
      graphqlSsePlugin(GRAPHQL_SSE_PATH, access),
      unbufferedStreamsPlugin(),
      accessPlugin(access),
      maxTokensPlugin({ n: LIMITS.tokens }),
      maxDepthPlugin({ n: LIMITS.depth, ignoreIntrospection: true, flattenFragments: true }),
      maxAliasesPlugin({ n: LIMITS.aliases }),
      maxDirectivesPlugin({ n: LIMITS.directives }),
      // Cost scales with list sizes (`first`); checked with the variables, before execution.
      costLimitPlugin(LIMITS.cost),
      executedOperationsPlugin(),
      errorLogPlugin(),
      responseSizePlugin(env().SIGNALBOX_MAX_RESPONSE_BYTES),
      sharedEventExecutionPlugin(),
    ],
  });
}

export type SignalboxYoga = ReturnType<typeof createYogaServer>;
