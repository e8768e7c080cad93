/**
 * GraphQL limits on every transport (HTTP, yoga's SSE, graphql-sse, WebSocket) against the
 * real server: over-deep and over-aliased documents are rejected alike with no resolver run
 * (no operation executed, no run created), plus tokens, directives, cost, length, batching,
 * argument bounds, introspection / suggestions for unauthenticated callers, and the
 * per-token operation rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import {
  collect,
  gql,
  gqlData,
  type ServerProc,
  SUBMIT,
  serveForTests,
  startServer,
  type Tokens,
  wsClient,
} from "./graphql-harness";
import { ackedSocket, metric, metricsText, post, request } from "./hardening-helpers";

let server: ServerProc;
let db: Db;
let t: Tokens;
let runId: string;

serveForTests({ worker: false }, async (h) => {
  ({ server, db, t } = h);
  runId = (
    await gqlData(server, t.operator, SUBMIT, {
      input: { spec: { name: "limits", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] } },
    })
  ).submitRun.id;
});

const spec = { name: "attack", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] };
/** 13 levels: over the depth limit of 12. The mutation would create a run if anything ran. */
const deepMutation = (label: string) =>
  `mutation($spec: JSON) { submitRun(input: { spec: $spec, label: "${label}" }) { ${"nodes { run { ".repeat(6)}id${" } }".repeat(6)} } }`;
/** 31 aliases: over the limit of 30. */
const aliasedMutation = (label: string) =>
  `mutation($spec: JSON) { ${Array.from({ length: 31 }, (_, i) => `a${i}: submitRun(input: { spec: $spec, label: "${label}" }) { id }`).join(" ")} }`;

const executed = async () => metric(await metricsText(server), "signalbox_graphql_operations_total");
const runsLabelled = (label: string) => db.run.count({ where: { label } });

/** Send `query` over one transport; the text of whatever came back. */
async function over(transport: string, query: string, variables: Record<string, unknown> = { spec }): Promise<string> {
  switch (transport) {
    case "http":
      return (await post(server, t.operator, { query, variables })).text;
    case "sse": {
      const r = await request(server.api, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          authorization: `Bearer ${t.operator}`,
        },
        body: JSON.stringify({ query, variables }),
      });
      return `${r.status} ${r.text}`;
    }
    case "graphql-sse": {
      // graphql-sse's distinct-connections mode, as its client sends it.
      const r = await request(`${server.url}/api/graphql/stream`, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          accept: "text/event-stream",
          authorization: `Bearer ${t.operator}`,
        },
        body: JSON.stringify({ query, variables }),
      });
      return `${r.status} ${r.text}`;
    }
    case "ws": {
      const s = await ackedSocket(server, t.operator);
      s.send({ id: "1", type: "subscribe", payload: { query, variables } });
      const m = await s.waitFor((x) => x.id === "1" && x.type !== "complete");
      s.ws.close();
      return JSON.stringify(m);
    }
    default:
      throw new Error(transport);
  }
}

const TRANSPORTS = ["http", "sse", "graphql-sse", "ws"];

describe("depth and aliases on every transport", () => {
  for (const transport of TRANSPORTS) {
    it(`${transport}: an over-deep and an over-aliased mutation are rejected and nothing runs`, async () => {
      const before = await executed();
      const deep = await over(transport, deepMutation(`deep-${transport}`));
      expect(deep).toMatch(/Query depth limit of 12 exceeded/);
      const aliased = await over(transport, aliasedMutation(`alias-${transport}`));
      expect(aliased).toMatch(/Aliases limit of 30 exceeded/);
      expect(await executed()).toBe(before);
      expect(await runsLabelled(`deep-${transport}`)).toBe(0);
      expect(await runsLabelled(`alias-${transport}`)).toBe(0);
      // The counter does move for an operation that runs (the proof above can fail).
      await over(
        transport,
        `mutation($spec: JSON) { submitRun(input: { spec: $spec, label: "ok-${transport}" }) { id } }`,
      );
      expect(await executed()).toBe(before + 1);
      expect(await runsLabelled(`ok-${transport}`)).toBe(1);
    });
  }
});

describe("other document limits", () => {
  const node =
    "{ id key kind label status attempt needs progress output metrics cost error startedAt finishedAt durationMs dynamic parentKey runId gate { title description presentation decision { decision feedback patch decidedBy decidedAt } } }";
  const costly = () => {
    let inner = node;
    // A node's fields again at each of 3 levels under 20 lists of runs: far over the cost limit (lists count
    // as many times as their `first`), within every other limit.
    for (let i = 0; i < 3; i++) inner = `${node.slice(0, -2)} run { id nodes ${inner} } }`;
    return `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: runs { nodes { nodes ${inner} } }`).join(" ")} }`;
  };
  const cases: [string, string, RegExp][] = [
    ["tokens", `{ viewer { ${"name ".repeat(5_001)} } }`, /Token limit of 5000 exceeded/],
    ["directives", `{ viewer { name ${"@include(if: true) ".repeat(21)} } }`, /Directives limit of 20 exceeded/],
    ["cost", costly(), /Cost limit of 100000 exceeded/],
    ["length", `{ viewer { name } }\n#${"x".repeat(64 * 1024)}`, /longer than 65536 bytes/],
  ];
  for (const [name, query, message] of cases) {
    it(`${name}: rejected over HTTP (4xx) and WebSocket, nothing executed`, async () => {
      const before = await executed();
      const http = await post(server, t.viewer, { query });
      expect(http.status, http.text.slice(0, 300)).toBeLessThan(500);
      expect(http.text).toMatch(message);
      expect(http.json().data ?? null).toBeNull();
      expect(await over("ws", query, {})).toMatch(message);
      expect(await executed()).toBe(before);
    });
  }

  it("batching is off: an array of operations is refused without running any", async () => {
    const before = await executed();
    const r = await post(server, t.viewer, [{ query: "{ viewer { name } }" }, { query: "{ viewer { role } }" }]);
    expect(r.status).toBe(400);
    expect(await executed()).toBe(before);
  });
});

describe("argument bounds", () => {
  it("first / afterSeq / after out of range or malformed are BAD_INPUT on queries and subscriptions", async () => {
    const bad: [string, Record<string, unknown>][] = [
      ["query($r: ID!, $n: Int) { events(runId: $r, first: $n) { nextSeq } }", { r: runId, n: 0 }],
      ["query($r: ID!, $n: Int) { events(runId: $r, first: $n) { nextSeq } }", { r: runId, n: 1_001 }],
      ["query($r: ID!, $n: Int) { events(runId: $r, first: $n) { nextSeq } }", { r: runId, n: -1 }],
      ["query($r: ID!, $s: Int) { events(runId: $r, afterSeq: $s) { nextSeq } }", { r: runId, s: -1 }],
      ["query($r: ID!, $s: Int) { run(id: $r) { events(afterSeq: $s) { nextSeq } } }", { r: runId, s: -5 }],
      ["query($r: ID!, $n: Int) { run(id: $r) { events(first: $n) { nextSeq } } }", { r: runId, n: 5_000 }],
      ["query($n: Int) { runs(first: $n) { nodes { id } } }", { n: 0 }],
      ["query($n: Int) { runs(first: $n) { nodes { id } } }", { n: 201 }],
      ["query($a: String) { runs(after: $a) { nodes { id } } }", { a: "garbage" }],
      ["query($a: String) { runs(after: $a) { nodes { id } } }", { a: Buffer.from("run:nope").toString("base64url") }],
      ["query($a: String) { runs(after: $a) { nodes { id } } }", { a: "'; DROP TABLE runs; --" }],
    ];
    for (const [query, variables] of bad) {
      const r = await gql(server, t.viewer, query, variables);
      expect(r.status, `${query} ${JSON.stringify(variables)}`).toBeLessThan(500);
      expect(r.errors?.[0].extensions?.code, `${query} ${JSON.stringify(variables)}`).toBe("BAD_INPUT");
    }
    // The largest valid cursor is fine; one past 32 bits is a GraphQL input error (no 5xx).
    const max = await gqlData(
      server,
      t.viewer,
      "query($r: ID!) { events(runId: $r, afterSeq: 2147483647) { hasMore } }",
      {
        r: runId,
      },
    );
    expect(max.events.hasMore).toBe(false);
    const huge = await gql(server, t.viewer, "query($r: ID!) { events(runId: $r, afterSeq: 2147483648) { hasMore } }", {
      r: runId,
    });
    expect(huge.status).toBeLessThan(500);
    expect(huge.errors?.[0].message).toMatch(/Int cannot represent/);
    const ws = wsClient(server, t.viewer);
    const sub = await collect(ws, "subscription($r: ID!) { runEvents(runId: $r, afterSeq: -1) { seq } }", {
      r: runId,
    }).done.catch((e) => e);
    expect(JSON.stringify(sub)).toContain("BAD_INPUT");
    await ws.dispose();
  });
});

describe("what unauthenticated callers learn", () => {
  it("no introspection and no field suggestions without a token; both with one", async () => {
    const introspect = "{ __schema { types { name } } }";
    const anon = await post(server, null, { query: introspect });
    expect(anon.status).toBe(401);
    expect(anon.text).not.toContain("RunEvent");
    const typo = await post(server, null, { query: "{ runz { nodes { id } } }" });
    expect(typo.status).toBe(401);
    expect(typo.text).not.toMatch(/Did you mean|runs/);
    const authed = await gqlData(server, t.viewer, introspect);
    expect(authed.__schema.types.map((x: { name: string }) => x.name)).toContain("RunEvent");
    const hint = await post(server, t.viewer, { query: "{ runz { nodes { id } } }" });
    expect(hint.json().errors[0].message).toMatch(/Did you mean .*"runs"/);
  });
});

describe("per-token operation rate limit", () => {
  let limited: ServerProc;
  beforeAll(async () => {
    limited = await startServer({ worker: false, env: { SIGNALBOX_RATE_LIMIT: "5,10" } });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it("past its burst a token gets RATE_LIMITED (429 / WebSocket error message); other tokens are unaffected; it refills", async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, () => post(limited, t.viewer, { query: "{ viewer { name } }" })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(15);
    const refused = results.find((r) => r.status === 429);
    expect(refused?.json().errors[0].extensions.code).toBe("RATE_LIMITED");
    // Another token has its own bucket.
    expect((await post(limited, t.operator, { query: "{ viewer { name } }" })).status).toBe(200);
    // WebSocket: past the burst, operations get an error message; the connection stays.
    const s = await ackedSocket(limited, t.viewer);
    for (let i = 1; i <= 15; i++)
      s.send({ id: String(i), type: "subscribe", payload: { query: "{ viewer { name } }" } });
    const err = await s.waitFor((m) => m.type === "error");
    expect(err.payload[0].extensions.code).toBe("RATE_LIMITED");
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    await new Promise((r) => setTimeout(r, 1_200)); // 5 ops/s refill
    s.send({ id: "later", type: "subscribe", payload: { query: "{ viewer { name } }" } });
    expect((await s.waitFor((m) => m.id === "later")).type).toBe("next");
    s.ws.close();
  });
});
