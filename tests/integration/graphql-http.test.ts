import { serverAudits } from "graphql-http";
import { describe, expect, it } from "vitest";
import { collect, gql, type ServerProc, serveForTests, sseClient, type Tokens, wsClient } from "./graphql-harness";

let server: ServerProc;
let t: Tokens;

serveForTests({ worker: false }, (h) => {
  ({ server, t } = h);
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(server.api, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${t.viewer}`, ...headers },
    body,
  });

/** No response body may reveal internals. */
function expectNoLeak(text: string) {
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|postgres|prisma|SELECT|127\.0\.0\.1|\/work\//i);
}

describe("GraphQL over HTTP", () => {
  it("passes every MUST audit of graphql-http", async () => {
    const audits = serverAudits({
      url: server.api,
      fetchFn: (input: RequestInfo, init?: RequestInit) =>
        fetch(input, {
          ...init,
          headers: { ...Object.fromEntries(new Headers(init?.headers)), authorization: `Bearer ${t.viewer}` },
        }),
    });
    const failures: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (audit.name.startsWith("MUST") && result.status !== "ok") failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
    expect(audits.filter((a) => a.name.startsWith("MUST")).length).toBeGreaterThan(10);
  });

  it("bad documents, unknown fields and malformed variables are GraphQL errors, never a 500", async () => {
    const cases: [string, string, number][] = [
      ["syntax error", JSON.stringify({ query: "{ runs( }" }), 400],
      ["unknown field", JSON.stringify({ query: "{ runs { nodes { nope } } }" }), 400],
      [
        "wrong variable type",
        JSON.stringify({ query: "query($id: ID!) { run(id: $id) { id } }", variables: { id: {} } }),
        200,
      ],
      ["missing variable", JSON.stringify({ query: "query($id: ID!) { run(id: $id) { id } }" }), 200],
      ["variables not an object", JSON.stringify({ query: "{ viewer { name } }", variables: "[1" }), 400],
      ["invalid JSON body", "{ not json", 400],
      ["no query", JSON.stringify({}), 400],
      [
        "too deep",
        JSON.stringify({
          query: `{ runs { nodes { ${"nodes { run { ".repeat(6)}id${" } }".repeat(6)} } } }`,
        }),
        400,
      ],
    ];
    for (const [name, body, status] of cases) {
      const res = await post(body, { accept: "application/graphql-response+json" });
      const text = await res.text();
      expect(res.status, `${name}: ${text}`).toBeLessThan(500);
      if (res.headers.get("content-type")?.includes("json")) {
        expect(JSON.parse(text).errors?.length ?? 0, `${name}: ${text}`).toBeGreaterThan(0);
      }
      expect([status, 200, 400], name).toContain(res.status);
      expectNoLeak(text);
    }
    // A mutation over GET is refused (405), not executed.
    const get = await fetch(`${server.api}?query=${encodeURIComponent('mutation { cancelRun(id: "x") { id } }')}`, {
      headers: { authorization: `Bearer ${t.operator}`, accept: "application/json" },
    });
    expect(get.status).toBe(405);
  });

  it("unexpected errors are masked: no SQL, stack or host in the response", async () => {
    // PostgreSQL rejects NUL bytes in text: a database error the API did not anticipate.
    const r = await gql(server, t.viewer, `query($p: String) { runs(pipeline: $p) { nodes { id } } }`, {
      p: "a\u0000b",
    });
    expect(r.status).toBe(200);
    expect(r.errors?.[0]).toMatchObject({
      message: "Unexpected error.",
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expectNoLeak(JSON.stringify(r));
  });

  it("the same bad documents over WebSocket and graphql-sse give errors, and the connection stays usable", async () => {
    const ws = wsClient(server, t.viewer);
    const bad = await collect(ws, "{ runs { nodes { nope } } }", {}).done.catch((e) => e);
    expect(JSON.stringify(bad)).toContain("Cannot query field");
    const ok = await collect(ws, "{ viewer { role } }", {}).done;
    expect(ok[0].data).toEqual({ viewer: { role: "VIEWER" } });
    const malformed = await collect(ws, "query($id: ID!) { run(id: $id) { id } }", { id: [1, 2] }).done.catch((e) => e);
    expect(JSON.stringify(malformed)).toMatch(/ID|Variable/);
    await ws.dispose();
    const sse = sseClient(server, t.viewer);
    const syntax = await collect(sse, "{ runs( }", {}).done.catch((e) => e);
    expect(JSON.stringify(syntax)).not.toContain("node_modules");
    const good = await collect(sse, "{ viewer { role } }", {}).done;
    expect(good[0].data).toEqual({ viewer: { role: "VIEWER" } });
    sse.dispose();
  });

  it("serves GraphiQL at /graphiql to authenticated users", async () => {
    expect((await fetch(`${server.url}/graphiql`)).status).toBe(401);
    const res = await fetch(`${server.url}/graphiql`, { headers: { authorization: `Bearer ${t.viewer}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Signalbox GraphiQL");
    expect(html).toContain("/api/graphql");
  });
});
