/**
 * Real processes and real clients for the GraphQL API tests: `server.ts` (API only:
 * SIGNALBOX_NO_NEXT=1, so no `next build` is needed) and `cli/worker.ts` as child
 * processes on the test database; graphql-ws and graphql-sse client packages.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";
import { createToken, type Role } from "../../lib/auth/tokens";
import { createDb, type Db } from "../../lib/db/client";
import { databaseUrl } from "./helpers";

/** Response data is inspected structurally in tests. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;
/** A result as both subscription clients deliver it. */
export type ExecutionResult = { data?: Json; errors?: readonly Json[] };

const ROOT = path.resolve(import.meta.dirname, "../..");
export const ADMIN_TOKEN = "sbx_test_admin_token_graphql";

export interface Proc {
  child: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

function spawnTs(entry: string, env: Record<string, string>, readyLine: RegExp): Promise<Proc & { match: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-gql-"));
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      SIGNALBOX_DATA_DIR: dataDir,
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      SIGNALBOX_LEASE_MS: "3000",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    }).finally(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = readyLine.exec(out);
      if (m) resolve({ child, stop, match: m[1] ?? m[0] });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
      if (process.env.SBX_TEST_VERBOSE) process.stderr.write(d);
    });
    child.once("exit", (code) => reject(new Error(`${entry} exited early (${code}):\n${out.slice(-2000)}`)));
  });
}

export interface ServerProc extends Proc {
  /** `http://127.0.0.1:<port>` */
  url: string;
  api: string;
  wsUrl: string;
}

/** Start `server.ts` on a free port. `worker: false` leaves node execution to other processes. */
export async function startServer(opts: { worker?: boolean; env?: Record<string, string> } = {}): Promise<ServerProc> {
  const p = await spawnTs(
    "server.ts",
    { PORT: "0", SIGNALBOX_NO_NEXT: "1", SIGNALBOX_IN_PROCESS_WORKER: opts.worker === false ? "0" : "1", ...opts.env },
    /Signalbox is running at (http:\/\/\S+)/,
  );
  const url = p.match;
  return { ...p, url, api: `${url}/api/graphql`, wsUrl: `${url.replace("http", "ws")}/api/graphql` };
}

/** Start `npm run worker`'s entry point. */
export async function startWorker(): Promise<Proc> {
  return spawnTs("cli/worker.ts", { LOG_LEVEL: "info" }, /worker started/);
}

export interface Tokens {
  namespace: string;
  viewer: string;
  operator: string;
  admin: string;
}

/** A fresh namespace with one token per role. */
export async function makeTokens(db: Db, namespace = `gql-${randomUUID().slice(0, 8)}`): Promise<Tokens> {
  const make = async (role: Role) =>
    (await createToken(db, { namespace, name: `${role.toLowerCase()}-test`, role })).secret;
  return { namespace, viewer: await make("VIEWER"), operator: await make("OPERATOR"), admin: await make("ADMIN") };
}

export const testDb = () => createDb(databaseUrl(), { max: 4 });

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** POST one operation (GraphQL-over-HTTP). */
export async function gql<T = Record<string, Json>>(
  server: Pick<ServerProc, "api">,
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
  server: Pick<ServerProc, "api">,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const r = await gql<T>(server, token, query, variables);
  if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors ?? r)}`);
  return r.data;
}

export function wsClient(server: ServerProc, token: string | null) {
  return createWsClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export function sseClient(server: ServerProc, token: string) {
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
