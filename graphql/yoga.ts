import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { createYoga, type YogaLogger } from "graphql-yoga";
import { env } from "../lib/env";
import { log } from "../lib/log";
import { createContext, type ServerContext } from "./context";
import { domainErrorOf, maskError } from "./errors";
import { sharedEventExecutionPlugin } from "./live/shared-execution";
import { buildSchema } from "./resolvers/index";
import { graphqlSsePlugin } from "./sse";

export const GRAPHQL_PATH = "/api/graphql";
export const GRAPHQL_SSE_PATH = "/api/graphql/stream";

/** Domain errors are answers, not failures: keep them out of the error log. */
const logger: YogaLogger = {
  debug: (...args) => log.debug({ args }, "graphql"),
  info: (...args) => log.info({ args }, "graphql"),
  warn: (...args) => log.warn({ args }, "graphql"),
  error: (...args) => {
    const err = args[0];
    if (domainErrorOf(err)) log.debug({ err }, "graphql domain error");
    else log.error({ err }, "graphql error");
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
    allowedHeaders: ["authorization", "content-type", "accept"],
  };
}

/**
 * The yoga instance: schema, auth (context), limits and masking. Every transport runs
 * this envelop pipeline — HTTP and yoga's SSE directly, graphql-sse through its plugin,
 * WebSocket through `yoga.getEnveloped` in graphql-ws `onSubscribe`.
 */
export function createYogaServer() {
  return createYoga<ServerContext>({
    schema: buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    context: createContext,
    graphiql: false, // rendered at /graphiql by graphql/server.ts
    landingPage: false,
    // Uploads are not part of the API, and multipart is a CORS-"simple" content type.
    multipart: false,
    cors,
    logging: logger,
    maskedErrors: { maskError },
    plugins: [
      maxTokensPlugin({ n: 5_000 }),
      maxDepthPlugin({ n: 12, ignoreIntrospection: true, flattenFragments: true }),
      maxAliasesPlugin({ n: 30 }),
      costLimitPlugin({ maxCost: 50_000, ignoreIntrospection: true }),
      graphqlSsePlugin(GRAPHQL_SSE_PATH),
      sharedEventExecutionPlugin(),
    ],
  });
}

export type SignalboxYoga = ReturnType<typeof createYogaServer>;
