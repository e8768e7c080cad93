import {
  type AnyVariables,
  Client,
  createRequest,
  type DocumentInput,
  fetchExchange,
  mapExchange,
  type SSRExchange,
  ssrExchange,
  stringifyDocument,
  subscriptionExchange,
} from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { graphcacheConfig } from "./graphcache";
import { browserTabSharing } from "./tab-channel";
import { TabSharedConnection } from "./tab-shared-connection";
import { type LiveConnection, LiveTransport } from "./transport";

const GRAPHQL_PATH = "/api/graphql";
const GRAPHQL_SSE_PATH = "/api/graphql/stream";

/** What the web app's client components share: one urql client over the browser's one live connection. */
export interface Live {
  client: Client;
  transport: LiveConnection;
  ssr: SSRExchange;
}

/**
 * Exchanges: graphcache (normalized cache, list updates) → ssr (data the server component
 * already read from PostgreSQL) → subscriptions over the live transport → HTTP.
 */
function createLive(): Live {
  const { protocol, host } = window.location;
  const urls = {
    http: GRAPHQL_PATH,
    ws: `${protocol === "https:" ? "wss" : "ws"}://${host}${GRAPHQL_PATH}`,
    sse: GRAPHQL_SSE_PATH,
    health: "/api/health",
  };
  // One connection per browser: the leader tab holds it, the others relay through it.
  const transport = new TabSharedConnection(() => new LiveTransport(urls), browserTabSharing());
  const ssr = ssrExchange({ isClient: true });
  const client = new Client({
    url: GRAPHQL_PATH,
    fetchOptions: { credentials: "same-origin" },
    preferGetMethod: false,
    exchanges: [
      // An action's effects show at once, also on the polling tier.
      mapExchange({ onResult: (r) => void (r.operation.kind === "mutation" && transport.nudge()) }),
      cacheExchange(graphcacheConfig),
      ssr,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: transport.subscribe(
              () => ({ query: request.query ?? "", variables: request.variables as Record<string, unknown> }),
              sink,
            ),
          }),
        }),
      }),
      fetchExchange,
    ],
  });
  return { client, transport, ssr };
}

let browserLive: Live | null = null;

/**
 * The browser's singleton. During server rendering client components get an inert client
 * (no exchanges: nothing is fetched) — they render the data their server page passed in.
 */
export function getLive(): Live {
  if (typeof window === "undefined") {
    const transport = new LiveTransport({ http: "", ws: "", sse: "", health: "" });
    return { client: new Client({ url: GRAPHQL_PATH, exchanges: [] }), transport, ssr: ssrExchange() };
  }
  browserLive ??= createLive();
  return browserLive;
}

/**
 * Hand the result a server component already read to the cache, as if the query had just
 * run: the matching `useQuery` then starts from it without a network round trip.
 */
export function seedQuery<V extends AnyVariables>(live: Live, query: DocumentInput, variables: V, data: unknown) {
  if (typeof window === "undefined") return;
  const key = createRequest(query, variables as Record<string, unknown>).key;
  live.ssr.restoreData({ [key]: { data: JSON.stringify(data), hasNext: false } });
}

export const printDocument = (doc: DocumentInput): string => stringifyDocument(doc);
