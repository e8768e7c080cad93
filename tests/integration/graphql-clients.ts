/**
 * Real clients for the GraphQL API tests — plain fetch (GraphQL over HTTP), the graphql-ws
 * and graphql-sse client packages — and the documents and spec the tests share.
 */
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";

/** Where a server listens (see graphql-harness.ts). */
export interface Endpoint {
  url: string;
  api: string;
  wsUrl: string;
}

/** Response data is inspected structurally in tests. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;
/** A result as both subscription clients deliver it. */
export type ExecutionResult = { data?: Json; errors?: readonly Json[] };

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** POST one operation (GraphQL-over-HTTP). */
export async function gql<T = Record<string, Json>>(
  server: Pick<Endpoint, "api">,
  token: string | null,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GqlResponse<T>> {
  const res = await fetch(server.api, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

/** Like `gql`, but fails on any error and returns `data`. */
export async function gqlData<T = Record<string, Json>>(
  server: Pick<Endpoint, "api">,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const r = await gql<T>(server, token, query, variables);
  if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors ?? r)}`);
  return r.data;
}

export function wsClient(server: Endpoint, token: string | null) {
  return createWsClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export function sseClient(server: Endpoint, token: string) {
  return createSseClient({
    url: `${server.url}/api/graphql/stream`,
    headers: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

type Subscriber = {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: { next(v: ExecutionResult): void; error(e: unknown): void; complete(): void },
  ): () => void;
};

/**
 * Subscribe with a real client; `onResult` may act on each result (e.g. approve a gate).
 * Resolves with every result once the server completes the subscription.
 */
export function collect(
  client: Subscriber,
  query: string,
  variables: Record<string, unknown>,
  onResult: (r: ExecutionResult) => void | Promise<void> = () => {},
): { done: Promise<ExecutionResult[]>; cancel: () => void } {
  const results: ExecutionResult[] = [];
  let cancel = () => {};
  const done = new Promise<ExecutionResult[]>((resolve, reject) => {
    cancel = client.subscribe(
      { query, variables },
      {
        next: (r) => {
          results.push(r);
          Promise.resolve(onResult(r)).catch(reject);
        },
        error: reject,
        complete: () => resolve(results),
      },
    );
  });
  return { done, cancel: () => cancel() };
}

/** A spec with sleep, transform, map and gate nodes (the acceptance run). */
export const GATED_SPEC = {
  name: "gql-acceptance",
  params: { n: 3 },
  nodes: [
    { id: "warm", kind: "sleep", with: { ms: 30 } },
    { id: "items", kind: "transform", needs: ["warm"], with: { expression: "[1..$$.params.n]" } },
    { id: "review", kind: "gate", needs: ["items"], with: { title: "Fan out?", show: "inputs.items" } },
    {
      id: "each",
      kind: "map",
      needs: ["review"],
      with: { over: "inputs.review", node: { kind: "sleep", with: { ms: 20 } } },
    },
    { id: "sum", kind: "transform", needs: ["each"], with: { expression: "$count(inputs.each)" } },
  ],
};

export const RUN_EVENTS = /* GraphQL */ `
  subscription Watch($runId: ID!, $afterSeq: Int, $types: [EventType!]) {
    runEvents(runId: $runId, afterSeq: $afterSeq, types: $types) {
      __typename seq type runId
      ... on NodeStateEvent { node { id key status } }
      ... on GateWaitingEvent { node { key } gate { title presentation } }
      ... on RunCompletedEvent { status nodesSucceeded }
    }
  }`;

export const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitRunInput!) { submitRun(input: $input) { id status lastSeq } }`;

export const APPROVE = /* GraphQL */ `
  mutation Approve($runId: ID!, $key: String!) {
    humanDecision(input: { runId: $runId, nodeKey: $key, decision: APPROVE }) { key status }
  }`;

export const seqsOf = (results: ExecutionResult[]) =>
  results.map((r) => (r.data as { runEvents: { seq: number } }).runEvents.seq);

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export interface RunChange {
  id: string;
  status: string;
}

/**
 * Watch `runsChanged` over `client`, resolved once the subscription is demonstrably live:
 * the server registers it asynchronously, so probe runs are submitted (through `via`)
 * until one of them is seen. `waitFor` resolves when the changes seen so far satisfy `pred`.
 */
export async function watchRuns(client: ReturnType<typeof wsClient>, via: Pick<Endpoint, "api">, operator: string) {
  const seen: RunChange[] = [];
  const waiters = new Set<() => void>();
  const stop = client.subscribe(
    { query: "subscription { runsChanged { id status } }" },
    {
      next: (r) => {
        seen.push((r.data as { runsChanged: RunChange }).runsChanged);
        for (const w of [...waiters]) w();
      },
      error: () => {},
      complete: () => {},
    },
  );
  const waitFor = (pred: (seen: RunChange[]) => boolean, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pred(seen)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`runsChanged: condition not met; saw ${JSON.stringify(seen.slice(-10))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const probeSpec = { name: "probe", nodes: [{ id: "p", kind: "sleep", with: { ms: 1 } }] };
  for (let attempt = 0; ; attempt++) {
    const probe = (await gqlData(via, operator, SUBMIT, { input: { spec: probeSpec } })).submitRun.id;
    try {
      await waitFor((s) => s.some((c) => c.id === probe), 1_000);
      break;
    } catch (err) {
      if (attempt >= 10) throw err;
    }
  }
  return { seen, waitFor, stop };
}
