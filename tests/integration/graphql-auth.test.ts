import { randomUUID } from "node:crypto";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { revokeToken } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import {
  collect,
  gql,
  gqlData,
  makeTokens,
  RUN_EVENTS,
  type ServerProc,
  SUBMIT,
  sseClient,
  startServer,
  type Tokens,
  testDb,
  wsClient,
} from "./graphql-harness";

let server: ServerProc;
let db: Db;
let mine: Tokens;
let theirs: Tokens;
let theirRun: string;
let myRun: string;

const gatedSpec = { name: "authz", nodes: [{ id: "g", kind: "gate", with: { title: "ok?" } }] };

beforeAll(async () => {
  db = testDb();
  mine = await makeTokens(db);
  theirs = await makeTokens(db);
  server = await startServer();
  myRun = (await gqlData(server, mine.operator, SUBMIT, { input: { spec: gatedSpec } })).submitRun.id;
  theirRun = (await gqlData(server, theirs.operator, SUBMIT, { input: { spec: gatedSpec } })).submitRun.id;
});
afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
});

/** Every mutation with arguments aimed at `runId`; each needs the role given. */
const mutations = (runId: string): [string, string, Record<string, unknown>][] => [
  ["OPERATOR", SUBMIT, { input: { spec: gatedSpec } }],
  ["OPERATOR", `mutation($id: ID!) { pauseRun(id: $id) { id } }`, { id: runId }],
  ["OPERATOR", `mutation($id: ID!) { resumeRun(id: $id) { id } }`, { id: runId }],
  ["OPERATOR", `mutation($id: ID!) { setBudget(id: $id, budget: 10) { id } }`, { id: runId }],
  [
    "OPERATOR",
    `mutation($id: ID!) { humanDecision(input: { runId: $id, nodeKey: "g", decision: REJECT }) { id } }`,
    { id: runId },
  ],
  ["OPERATOR", `mutation($id: ID!) { cancelRun(id: $id) { id } }`, { id: runId }],
  ["OPERATOR", `mutation { claimNode(queue: "none") { nodeId } }`, {}],
  ["ADMIN", `mutation($id: ID!) { promoteRun(runId: $id, name: "x") { id } }`, { id: runId }],
];

describe("authentication", () => {
  it("HTTP without or with an unknown/revoked token is 401 UNAUTHENTICATED", async () => {
    const revoked = await makeTokens(db);
    const row = await db.apiToken.findFirstOrThrow({ where: { namespace: revoked.namespace, role: "VIEWER" } });
    await revokeToken(db, row.id, revoked.namespace);
    for (const token of [null, "sbx_nope", revoked.viewer]) {
      const r = await gql(server, token, `{ viewer { name } }`);
      expect(r.status).toBe(401);
      expect(r.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
      expect(r.data ?? null).toBeNull();
    }
    const sse = await fetch(`${server.api}?query=${encodeURIComponent("subscription { runsChanged { id } }")}`, {
      headers: { accept: "text/event-stream" },
    });
    expect(sse.status).toBe(401);
  });

  it("WebSocket: a bad connection_init token is closed with 4403", async () => {
    for (const token of [null, "sbx_nope"]) {
      const client = wsClient(server, token);
      const err = await collect(client, `{ viewer { name } }`, {}).done.catch((e) => e);
      expect(err.code).toBe(4403);
      await client.dispose();
    }
  });

  it("the session cookie works from our own origin, never from another site", async () => {
    const post = (origin?: string) =>
      fetch(server.api, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie: `signalbox_session=${mine.operator}`,
          ...(origin ? { origin } : {}),
        },
        body: JSON.stringify({ query: "{ viewer { namespace } }" }),
      });
    expect((await post()).status).toBe(200);
    expect((await post(server.url)).status).toBe(200);
    expect((await post("https://evil.example")).status).toBe(401);
    const ws = (origin: string) =>
      createClient({
        url: server.wsUrl,
        retryAttempts: 0,
        webSocketImpl: class extends WebSocket {
          constructor(url: string, protocols: string) {
            super(url, protocols, { headers: { cookie: `signalbox_session=${mine.viewer}`, origin } });
          }
        },
      });
    const ok = ws(server.url);
    expect((await collect(ok, `{ viewer { namespace } }`, {}).done)[0].data).toEqual({
      viewer: { namespace: mine.namespace },
    });
    await ok.dispose();
    // Refused at the upgrade (HTTP 403), before any GraphQL: see hardening-access.test.ts.
    const evil = ws("https://evil.example");
    const refused = await collect(evil, `{ viewer { namespace } }`, {}).done.catch((e) => e);
    expect(String(refused?.message ?? refused?.error?.message)).toContain("403");
    await evil.dispose();
  });
});

describe("roles", () => {
  it("a viewer can read and subscribe but every mutation is FORBIDDEN", async () => {
    const { run } = await gqlData(server, mine.viewer, `query($id: ID!) { run(id: $id) { id } }`, { id: myRun });
    expect(run.id).toBe(myRun);
    for (const [, query, vars] of mutations(myRun)) {
      const r = await gql(server, mine.viewer, query, vars);
      expect(r.errors?.[0].extensions?.code, query).toBe("FORBIDDEN");
    }
  });

  it("an operator may do everything but promote", async () => {
    for (const [role, query, vars] of mutations(myRun)) {
      const r = await gql(server, mine.operator, query, vars);
      const code = r.errors?.[0].extensions?.code;
      if (role === "ADMIN") expect(code, query).toBe("FORBIDDEN");
      else expect(code, query).not.toBe("FORBIDDEN");
    }
  });
});

describe("namespaces", () => {
  it("another namespace's run looks exactly like a missing one", async () => {
    const missing = randomUUID();
    const read = `query($id: ID!) { run(id: $id) { id } }`;
    expect((await gqlData(server, mine.admin, read, { id: theirRun })).run).toBeNull();
    for (const [, query] of mutations(theirRun).filter(([, q]) => q.includes("$id"))) {
      const foreign = await gql(server, mine.admin, query, { id: theirRun });
      const absent = await gql(server, mine.admin, query, { id: missing });
      expect(foreign.errors?.[0].extensions?.code, query).toBe("NOT_FOUND");
      expect(foreign.errors?.[0].message).toBe(absent.errors?.[0].message);
    }
    const events = await gql(server, mine.viewer, `query($id: ID!) { events(runId: $id) { nextSeq } }`, {
      id: theirRun,
    });
    expect(events.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const sub = sseClient(server, mine.viewer);
    const err = await collect(sub, RUN_EVENTS, { runId: theirRun }).done.catch((e) => e);
    expect(JSON.stringify(err)).toContain("NOT_FOUND");
    sub.dispose();
  });

  it("lists never show another namespace, and asking for one returns nothing", async () => {
    const other = theirs.namespace;
    const data = await gqlData(
      server,
      mine.admin,
      `query($ns: String) {
        mine: runs { nodes { id namespace } }
        foreign: runs(namespace: $ns) { nodes { id } }
        gates(namespace: $ns) { id }
        pipelines(namespace: $ns) { id }
        myGates: gates { runId }
      }`,
      { ns: other },
    );
    expect(data.mine.nodes.every((r: { namespace: string }) => r.namespace === mine.namespace)).toBe(true);
    expect(data.mine.nodes.map((r: { id: string }) => r.id)).not.toContain(theirRun);
    expect(data.foreign.nodes).toEqual([]);
    expect(data.gates).toEqual([]);
    expect(data.pipelines).toEqual([]);
    expect(data.myGates.map((g: { runId: string }) => g.runId)).not.toContain(theirRun);
    const submit = await gql(server, mine.admin, SUBMIT, { input: { namespace: other, spec: gatedSpec } });
    expect(submit.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});
