/**
 * graphql-ws protocol abuse over raw sockets against the real server: every violation gets
 * exactly the close code of graphql-ws' PROTOCOL.md, oversize messages 1009, and the
 * per-connection operation cap answers with an `error` message while the connection lives.
 */
import { describe, expect, it } from "vitest";
import { gqlData, type ServerProc, SUBMIT, serveForTests, type Tokens } from "./graphql-harness";
import { ackedSocket, rawSocket } from "./hardening-helpers";

let server: ServerProc;
let t: Tokens;
let runId: string;

const gated = { name: "ws-protocol", nodes: [{ id: "g", kind: "gate", with: { title: "hold" } }] };
const subscribe = (id: string, query = "subscription($r: ID!) { runEvents(runId: $r) { seq } }") => ({
  id,
  type: "subscribe",
  payload: { query, variables: { r: runId } },
});

serveForTests({}, async (h) => {
  ({ server, t } = h);
  runId = (await gqlData(server, t.operator, SUBMIT, { input: { spec: gated } })).submitRun.id;
});

describe("graphql-ws close codes (PROTOCOL.md)", () => {
  it("4400 for a message that is not JSON, has an unknown or server-only type, or lacks its fields", async () => {
    for (const bad of [
      "not json",
      JSON.stringify({ type: "nope" }),
      JSON.stringify({ type: "subscribe" }),
      JSON.stringify([1, 2]),
      // Server-to-client types sent by a client (graphql-ws itself would close with 4500).
      JSON.stringify({ type: "connection_ack" }),
      JSON.stringify({ id: "1", type: "next", payload: { data: {} } }),
      JSON.stringify({ id: "1", type: "error", payload: [] }),
    ]) {
      const s = await ackedSocket(server, t.viewer);
      s.send(bad);
      expect((await s.closed).code, bad).toBe(4400);
    }
  });

  it("4401 for subscribe before connection_ack", async () => {
    const s = await rawSocket(server);
    s.send(subscribe("1"));
    expect(await s.closed).toEqual({ code: 4401, reason: "Unauthorized" });
  });

  it("4408 when connection_init does not come within 3 s", async () => {
    const s = await rawSocket(server);
    const started = Date.now();
    const { code } = await s.closed;
    expect(code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it("4409 for a second subscribe with an id that is still live", async () => {
    const s = await ackedSocket(server, t.viewer);
    s.send(subscribe("dup"));
    s.send(subscribe("dup"));
    expect((await s.closed).code).toBe(4409);
  });

  it("4429 for a second connection_init", async () => {
    const s = await ackedSocket(server, t.viewer);
    s.send({ type: "connection_init", payload: { authorization: `Bearer ${t.viewer}` } });
    expect(await s.closed).toEqual({ code: 4429, reason: "Too many initialisation requests" });
  });

  it("4403 for a missing, unknown or malformed token", async () => {
    for (const payload of [undefined, {}, { authorization: "Bearer sbx_unknown" }, { authorization: 42 }]) {
      const s = await rawSocket(server);
      s.send({ type: "connection_init", payload });
      expect(await s.closed, JSON.stringify(payload)).toEqual({ code: 4403, reason: "Forbidden" });
    }
  });

  it("4406 without the graphql-transport-ws subprotocol", async () => {
    const s = await rawSocket(server, { protocol: null });
    expect(await s.closed).toEqual({ code: 4406, reason: "Subprotocol not acceptable" });
  });

  it("1009 for a message over 1 MiB; 1 MiB of variables minus a little still works", async () => {
    const s = await ackedSocket(server, t.viewer);
    const query = "query($p: String) { runs(pipeline: $p) { nodes { id } } }";
    s.send({ id: "ok", type: "subscribe", payload: { query, variables: { p: "x".repeat(1024 * 1024 - 200) } } });
    await s.waitFor((m) => m.id === "ok" && m.type === "complete");
    s.send({ id: "big", type: "subscribe", payload: { query, variables: { p: "x".repeat(1024 * 1024) } } });
    expect((await s.closed).code).toBe(1009);
  });
});

describe("operations per connection", () => {
  it("the 101st live operation gets an error message (RATE_LIMITED); the connection and the other 100 live on", async () => {
    const s = await ackedSocket(server, t.viewer);
    for (let i = 1; i <= 101; i++) s.send(subscribe(String(i)));
    const err = await s.waitFor((m) => m.type === "error");
    expect(err.id).toBe("101");
    expect(err.payload[0].extensions).toEqual({ code: "RATE_LIMITED" }); // no HTTP status on a socket
    // Still usable: end one, and a new one is admitted.
    s.send({ id: "50", type: "complete" });
    await new Promise((r) => setTimeout(r, 200));
    s.send({ id: "q", type: "subscribe", payload: { query: "{ viewer { role } }" } });
    const q = await s.waitFor((m) => m.id === "q" && m.type === "next");
    expect(q.payload.data.viewer.role).toBe("VIEWER");
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    expect(s.messages.filter((m) => m.type === "error")).toHaveLength(1);
    s.ws.close();
  });

  it("a failing operation is an error message, never a 4500 close", async () => {
    const s = await ackedSocket(server, t.viewer);
    s.send(subscribe("bad-id", 'subscription { runEvents(runId: "not-a-uuid") { seq } }'));
    s.send({ id: "nul", type: "subscribe", payload: { query: '{ runs(pipeline: "a\\u0000b") { nodes { id } } }' } });
    const a = await s.waitFor((m) => m.id === "bad-id" && (m.type === "error" || m.type === "next"));
    const b = await s.waitFor((m) => m.id === "nul" && (m.type === "error" || m.type === "next"));
    expect(JSON.stringify(a)).toMatch(/NOT_FOUND|BAD_INPUT/);
    expect(JSON.stringify(b)).toContain("INTERNAL_SERVER_ERROR");
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    s.ws.close();
  });
});
