/**
 * Access hardening against the real server: token administration and live revocation,
 * no token in logs or answers, the Origin check on cookie upgrades, CSRF prevention for
 * cookie requests, per-IP brute-force limiting, and cross-namespace probes that look
 * exactly like missing objects.
 */
import { randomUUID } from "node:crypto";
import { createClient as createSseClient } from "graphql-sse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeToken } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import {
  APPROVE,
  collect,
  type ExecutionResult,
  gql,
  gqlData,
  makeTokens,
  RUN_EVENTS,
  type ServerProc,
  SUBMIT,
  startServer,
  type Tokens,
  testDb,
  wsClient,
} from "./graphql-harness";
import { eventually, metric, metricsText, post, rawSocket, request, sleep, upgradeStatus } from "./hardening-helpers";

const ALLOWED = "https://console.example";
let server: ServerProc;
let db: Db;
let mine: Tokens;
let theirs: Tokens;

const gated = { name: "access", nodes: [{ id: "g", kind: "gate", with: { title: "hold" } }] };
const submitGated = async (token: string) =>
  (await gqlData(server, token, SUBMIT, { input: { spec: gated } })).submitRun.id as string;

const CREATE = /* GraphQL */ `
  mutation($input: CreateTokenInput!) { createToken(input: $input) { secret token { id name role namespace revokedAt } } }`;
const REVOKE = /* GraphQL */ `mutation($id: ID!) { revokeToken(id: $id) { id revokedAt } }`;

async function newToken(role = "VIEWER", name = `t-${randomUUID().slice(0, 6)}`) {
  const { createToken } = await gqlData(server, mine.admin, CREATE, { input: { name, role } });
  return { id: createToken.token.id as string, secret: createToken.secret as string };
}

beforeAll(async () => {
  db = testDb();
  mine = await makeTokens(db);
  theirs = await makeTokens(db);
  server = await startServer({ env: { SIGNALBOX_ALLOWED_ORIGINS: ALLOWED, LOG_LEVEL: "debug" } });
});
afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
});

describe("token administration", () => {
  it("admins create (secret shown once), list and revoke tokens; others are FORBIDDEN", async () => {
    const created = await gqlData(server, mine.admin, CREATE, { input: { name: "ci-bot", role: "OPERATOR" } });
    const { secret, token } = created.createToken;
    expect(secret).toMatch(/^sbx_/);
    expect(token).toMatchObject({ name: "ci-bot", role: "OPERATOR", namespace: mine.namespace, revokedAt: null });
    expect((await gqlData(server, secret, "{ viewer { name role } }")).viewer).toEqual({
      name: "ci-bot",
      role: "OPERATOR",
    });
    const listed = await gqlData(server, mine.admin, "{ tokens { id name role revokedAt } }");
    expect(listed.tokens.map((x: { id: string }) => x.id)).toContain(token.id);
    expect(JSON.stringify(listed)).not.toContain(secret);
    // The SDL has no field that could return a secret or its hash again.
    const schemaProbe = await gql(server, mine.admin, "{ tokens { secret } }");
    expect(schemaProbe.errors?.[0].message).toContain("Cannot query field");
    for (const who of [mine.viewer, mine.operator]) {
      expect((await gql(server, who, "{ tokens { id } }")).errors?.[0].extensions?.code).toBe("FORBIDDEN");
      const r = await gql(server, who, CREATE, { input: { name: "x", role: "ADMIN" } });
      expect(r.errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect((await gql(server, who, REVOKE, { id: token.id })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const revoked = await gqlData(server, mine.admin, REVOKE, { id: token.id });
    expect(revoked.revokeToken.revokedAt).toBeTruthy();
    expect((await gql(server, secret, "{ viewer { name } }")).status).toBe(401);
  });
});

describe("revocation ends live subscriptions", () => {
  it("graphql-ws is closed with 4403 and both SSE flavours end within 10 s; nothing arrives afterwards", async () => {
    const runId = await submitGated(mine.operator);
    const { id, secret } = await newToken();
    const seen = { ws: [] as ExecutionResult[], sse: [] as ExecutionResult[] };

    const ws = wsClient(server, secret);
    const wsSub = collect(ws, RUN_EVENTS, { runId }, (r) => void seen.ws.push(r));
    const wsDone = wsSub.done.then(
      () => ({ code: 0 }),
      (e) => e as { code: number },
    );
    const sse = createSseClient({
      url: `${server.url}/api/graphql/stream`,
      headers: { authorization: `Bearer ${secret}` },
      retryAttempts: 0,
    });
    const sseSub = collect(sse, RUN_EVENTS, { runId }, (r) => void seen.sse.push(r));
    // yoga's built-in SSE (GET with Accept: text/event-stream), read raw.
    const yogaSse = await fetch(
      `${server.api}?query=${encodeURIComponent(RUN_EVENTS)}&variables=${encodeURIComponent(JSON.stringify({ runId }))}`,
      { headers: { accept: "text/event-stream", authorization: `Bearer ${secret}` } },
    );
    expect(yogaSse.status).toBe(200);
    let yogaText = "";
    const yogaDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of yogaSse.body as unknown as AsyncIterable<Uint8Array>) yogaText += decoder.decode(chunk);
    })();
    // Everyone is live: the gate is waiting.
    await eventually(async () => seen.ws.length > 0 && seen.sse.length > 0 && yogaText.includes("GATE_WAITING"));
    const gateWaiting = (r: ExecutionResult[]) => r.some((x) => x.data?.runEvents?.type === "GATE_WAITING");
    await eventually(async () => gateWaiting(seen.ws) && gateWaiting(seen.sse), 10_000, "gate waiting");

    const revokedAt = Date.now();
    await gqlData(server, mine.admin, REVOKE, { id });
    expect((await wsDone).code).toBe(4403);
    const sseResults = await sseSub.done;
    await yogaDone;
    expect(Date.now() - revokedAt).toBeLessThan(10_000);
    expect(sseResults.at(-1)?.errors?.[0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(yogaText).toContain("UNAUTHENTICATED");
    expect(yogaText).toMatch(/event: complete/);

    // The run goes on; the revoked token's subscribers get nothing more.
    const counts = { ws: seen.ws.length, sse: seen.sse.length, yoga: yogaText.length };
    await gqlData(server, mine.operator, APPROVE, { runId, key: "g" });
    await sleep(1_000);
    expect({ ws: seen.ws.length, sse: seen.sse.length, yoga: yogaText.length }).toEqual(counts);
    await ws.dispose();
    sse.dispose();
  });

  it("a revocation by another process (straight in the database) closes the socket within 10 s", async () => {
    const runId = await submitGated(mine.operator);
    const { id, secret } = await newToken();
    const ws = wsClient(server, secret);
    const got: ExecutionResult[] = [];
    const done = collect(ws, RUN_EVENTS, { runId }, (r) => void got.push(r)).done.catch((e) => e);
    await eventually(async () => got.length > 0);
    const revokedAt = Date.now();
    await revokeToken(db, id, mine.namespace);
    expect((await done).code).toBe(4403);
    const took = Date.now() - revokedAt;
    expect(took).toBeLessThan(10_000);
    await ws.dispose();
  });
});

describe("secrets stay secret", () => {
  it("no token in logs, errors or close reasons, after failed and successful authentication", async () => {
    const canary = `sbx_canary_${randomUUID().replaceAll("-", "")}`;
    const { secret } = await newToken("OPERATOR");
    // Failed: bearer, cookie, graphql-ws init, graphql-sse, and a token in the URL (never accepted).
    const bodies: string[] = [];
    bodies.push((await post(server, canary, { query: "{ viewer { name } }" })).text);
    bodies.push(
      (
        await post(
          server,
          null,
          { query: "{ viewer { name } }" },
          { headers: { cookie: `signalbox_session=${canary}` } },
        )
      ).text,
    );
    const url = await request(`${server.api}?query=${encodeURIComponent("{ viewer { name } }")}&token=${canary}`);
    expect(url.status).toBe(401);
    bodies.push(url.text);
    const s = await rawSocket(server);
    s.send({ type: "connection_init", payload: { authorization: `Bearer ${canary}` } });
    const close = await s.closed;
    expect(close.code).toBe(4403);
    bodies.push(close.reason);
    const sse = await request(`${server.url}/api/graphql/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${canary}` },
      body: JSON.stringify({ query: "{ viewer { name } }" }),
    });
    expect(sse.status).toBe(401);
    bodies.push(sse.text);
    // Successful, including an operation that fails inside (NOT_FOUND, a masked error).
    await gqlData(server, secret, "{ viewer { name } }");
    bodies.push(JSON.stringify(await gql(server, secret, `mutation { cancelRun(id: "${randomUUID()}") { id } }`)));
    bodies.push(JSON.stringify(await gql(server, secret, `{ runs(pipeline: "a\\u0000b") { nodes { id } } }`)));
    const ws = wsClient(server, secret);
    bodies.push(JSON.stringify(await collect(ws, "{ viewer { role } }", {}).done));
    await ws.dispose();
    await sleep(300); // let the logs flush
    const logs = server.output();
    expect(logs.length).toBeGreaterThan(1_000); // debug logging is on: there is something to search
    for (const s of [canary, secret]) {
      expect(logs).not.toContain(s);
      for (const b of bodies) expect(b).not.toContain(s);
    }
  });
});

describe("WebSocket upgrades with a cookie need an allowed Origin", () => {
  const cookie = () => `signalbox_session=${mine.viewer}`;

  it("refuses another site's origin, and a missing one, with HTTP 403 before any GraphQL", async () => {
    const before = metric(await metricsText(server), "signalbox_graphql_rejected_total", { reason: "origin" });
    const opened = metric(await metricsText(server), "signalbox_open_connections", { transport: "ws" });
    const attempts: Record<string, string>[] = [
      { cookie: cookie(), origin: "https://evil.example" },
      { cookie: cookie() },
    ];
    for (const headers of attempts) {
      expect((await upgradeStatus(server, { headers })).status, JSON.stringify(headers)).toBe(403);
    }
    const text = await metricsText(server);
    expect(metric(text, "signalbox_graphql_rejected_total", { reason: "origin" })).toBe(before + 2);
    expect(metric(text, "signalbox_open_connections", { transport: "ws" })).toBe(opened);
  });

  it("accepts our own origin and SIGNALBOX_ALLOWED_ORIGINS, and bearer-only upgrades from anywhere", async () => {
    for (const origin of [server.url, ALLOWED]) {
      const s = await rawSocket(server, { headers: { cookie: cookie(), origin } });
      s.send({ type: "connection_init" });
      expect((await s.waitFor((m) => m.type === "connection_ack")).type).toBe("connection_ack");
      s.ws.close();
    }
    const s = await rawSocket(server, { headers: { origin: "https://integration.example" } });
    s.send({ type: "connection_init", payload: { authorization: `Bearer ${mine.viewer}` } });
    await s.waitFor((m) => m.type === "connection_ack");
    s.ws.close();
  });
});

describe("CSRF prevention for cookie-authenticated HTTP", () => {
  const cookie = () => ({ cookie: `signalbox_session=${mine.operator}` });
  const q = encodeURIComponent("{ viewer { name } }");

  it("refuses 'simple' cookie requests (form or text/plain POST, header-less GET) with 403", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const r = await request(server.api, {
        method: "POST",
        headers: { ...cookie(), "content-type": type, accept: "application/json" },
        body: JSON.stringify({ query: "{ viewer { name } }" }),
      });
      expect(r.status, type).toBe(403);
      expect(r.text).toContain("CSRF");
    }
    expect(
      (await request(`${server.api}?query=${q}`, { headers: { ...cookie(), accept: "application/json" } })).status,
    ).toBe(403);
  });

  it("accepts cookie requests with a JSON body or the x-graphql-yoga-csrf header, and bearer GETs", async () => {
    const json = await post(server, null, { query: "{ viewer { name } }" }, { headers: cookie() });
    expect(json.status).toBe(200);
    const get = await request(`${server.api}?query=${q}`, {
      headers: { ...cookie(), accept: "application/json", "x-graphql-yoga-csrf": "1" },
    });
    expect(get.status).toBe(200);
    const bearer = await request(`${server.api}?query=${q}`, {
      headers: { authorization: `Bearer ${mine.viewer}`, accept: "application/json" },
    });
    expect(bearer.status).toBe(200);
    // Mutations never run over GET, whatever the credentials.
    const m = await request(`${server.api}?query=${encodeURIComponent('mutation { cancelRun(id: "x") { id } }')}`, {
      headers: { authorization: `Bearer ${mine.operator}`, accept: "application/json" },
    });
    expect(m.status).toBe(405);
  });
});

describe("brute-force token guessing is limited per client address", () => {
  it("after 20 failed authentications in a minute an address gets RATE_LIMITED (429) for its failures, never for a valid token", async () => {
    const attacker = { localAddress: "127.0.0.2" };
    for (let i = 0; i < 20; i++) {
      const r = await post(server, `sbx_guess_${i}`, { query: "{ viewer { name } }" }, attacker);
      expect(r.status).toBe(401);
    }
    const limited = await post(server, "sbx_guess_next", { query: "{ viewer { name } }" }, attacker);
    expect(limited.status).toBe(429);
    expect(limited.json().errors[0].extensions.code).toBe("RATE_LIMITED");
    // A valid token from that address still works (limiting must never lock out the owner),
    // and so does the WebSocket upgrade (its token comes with connection_init)…
    expect((await post(server, mine.viewer, { query: "{ viewer { name } }" }, attacker)).status).toBe(200);
    expect((await upgradeStatus(server, attacker)).status).toBe(101);
    expect(metric(await metricsText(server), "signalbox_graphql_rejected_total", { reason: "address_blocked" })).toBe(
      1,
    );
    // …and everyone else is unaffected.
    expect((await post(server, mine.viewer, { query: "{ viewer { name } }" })).status).toBe(200);
    expect((await upgradeStatus(server)).status).toBe(101);
  });
});

describe("another namespace is indistinguishable from nothing", () => {
  it("runs, events, gates, decisions, subscriptions and tokens of another namespace look missing", async () => {
    const theirRun = await submitGated(theirs.operator);
    const missing = randomUUID();
    const theirToken = (await db.apiToken.findFirstOrThrow({ where: { namespace: theirs.namespace } })).id;
    const same = async (query: string, vars: (id: string) => Record<string, unknown>, foreign: string) => {
      const a = await gql(server, mine.admin, query, vars(foreign));
      const b = await gql(server, mine.admin, query, vars(missing));
      expect(a.errors?.[0].extensions?.code, query).toBe("NOT_FOUND");
      expect({ ...a, errors: a.errors?.map((e) => e.message) }, query).toEqual({
        ...b,
        errors: b.errors?.map((e) => e.message),
      });
    };
    await same(REVOKE, (id) => ({ id }), theirToken);
    await same(`query($id: ID!) { events(runId: $id) { nextSeq } }`, (id) => ({ id }), theirRun);
    await same(
      `mutation($id: ID!) { humanDecision(input: { runId: $id, nodeKey: "g", decision: APPROVE }) { id } }`,
      (id) => ({ id }),
      theirRun,
    );
    const reads = await gqlData(
      server,
      mine.admin,
      `query($id: ID!, $ns: String) { run(id: $id) { id } gates(namespace: $ns) { id } tokens(namespace: $ns) { id } }`,
      { id: theirRun, ns: theirs.namespace },
    );
    expect(reads).toEqual({ run: null, gates: [], tokens: [] });
    const create = await gql(server, mine.admin, CREATE, {
      input: { name: "x", role: "ADMIN", namespace: theirs.namespace },
    });
    expect(create.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    // Subscriptions over WebSocket: the same error for their run as for none.
    const ws = wsClient(server, mine.viewer);
    const errOf = async (runId: string) =>
      JSON.stringify(await collect(ws, RUN_EVENTS, { runId }).done.catch((e) => e));
    const foreignErr = await errOf(theirRun);
    expect(foreignErr).toContain("NOT_FOUND");
    expect(foreignErr).toBe(await errOf(missing));
    const changed = await collect(ws, "subscription($ns: String) { runsChanged(namespace: $ns) { id } }", {
      ns: theirs.namespace,
    }).done.catch((e) => e);
    expect(JSON.stringify(changed)).toContain("NOT_FOUND");
    await ws.dispose();
  });
});
