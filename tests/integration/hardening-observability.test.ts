/**
 * Observability of the real server: /api/health, /api/ready, /api/metrics (Prometheus text;
 * connections, subscriptions and deliveries by transport — SSE included —, events appended,
 * commit→send latency, slow-consumer closes, lease expiries), request ids echoed and in the
 * structured logs, and GraphiQL for authenticated users only, with no external asset.
 */
import { describe, expect, it } from "vitest";
import {
  APPROVE,
  collect,
  type ExecutionResult,
  gqlData,
  RUN_EVENTS,
  type ServerProc,
  SUBMIT,
  serveForTests,
  sseClient,
  type Tokens,
  wsClient,
} from "./graphql-harness";
import { eventually, metric, metricsText, post, rawSocket, request, sleep, upgradeStatus } from "./hardening-helpers";

let server: ServerProc;
let t: Tokens;

serveForTests({ env: { LOG_LEVEL: "debug" } }, (h) => {
  ({ server, t } = h);
});

const gated = { name: "observed", nodes: [{ id: "g", kind: "gate", with: { title: "hold" } }] };

describe("health, readiness, metrics", () => {
  it("/api/health is 200, /api/ready is 200 with the database and listener up", async () => {
    const health = await request(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: "ok" });
    const ready = await request(`${server.url}/api/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: "ready", database: true, listener: true });
  });

  it("/api/metrics is Prometheus text with every series the operators need (for an ADMIN token)", async () => {
    const res = await request(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${t.admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      "signalbox_open_connections",
      "signalbox_open_subscriptions",
      "signalbox_events_appended_total",
      "signalbox_events_delivered_total",
      "signalbox_commit_to_send_seconds",
      "signalbox_slow_consumer_closes_total",
      "signalbox_lease_expiries_total",
      "signalbox_outbound_buffered_bytes",
      "signalbox_graphql_operations_total",
      "signalbox_process_resident_memory_bytes",
    ]) {
      expect(res.text, name).toContain(`# TYPE ${name} `);
    }
  });

  it("connections, subscriptions and deliveries are counted per transport, SSE included; appends and latency too", async () => {
    const runId = (await gqlData(server, t.operator, SUBMIT, { input: { spec: gated } })).submitRun.id;
    const base = await metricsText(server);
    const m = (text: string, name: string, transport: string) => metric(text, name, { transport });

    const ws = wsClient(server, t.viewer);
    const seen = { ws: [] as ExecutionResult[], gsse: [] as ExecutionResult[] };
    const wsSub = collect(ws, RUN_EVENTS, { runId }, (r) => void seen.ws.push(r));
    const gsse = sseClient(server, t.viewer);
    const gsseSub = collect(gsse, RUN_EVENTS, { runId }, (r) => void seen.gsse.push(r));
    const ac = new AbortController();
    const yoga = await fetch(
      `${server.api}?query=${encodeURIComponent(RUN_EVENTS)}&variables=${encodeURIComponent(JSON.stringify({ runId }))}`,
      { headers: { accept: "text/event-stream", authorization: `Bearer ${t.viewer}` }, signal: ac.signal },
    );
    let yogaText = "";
    const yogaRead = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of yoga.body as unknown as AsyncIterable<Uint8Array>) yogaText += decoder.decode(chunk);
    })().catch(() => {});
    await eventually(
      async () =>
        seen.ws.some((r) => r.data?.runEvents.type === "GATE_WAITING") &&
        seen.gsse.some((r) => r.data?.runEvents.type === "GATE_WAITING") &&
        yogaText.includes("GATE_WAITING"),
    );
    const open = await metricsText(server);
    for (const transport of ["ws", "graphql-sse", "sse"]) {
      expect(m(open, "signalbox_open_connections", transport), transport).toBe(
        m(base, "signalbox_open_connections", transport) + 1,
      );
      expect(m(open, "signalbox_open_subscriptions", transport), transport).toBe(
        m(base, "signalbox_open_subscriptions", transport) + 1,
      );
      expect(m(open, "signalbox_events_delivered_total", transport), transport).toBeGreaterThan(
        m(base, "signalbox_events_delivered_total", transport),
      );
    }
    // Live events (after the subscriptions started) feed the commit→send histogram.
    const latencyBefore = metric(open, "signalbox_commit_to_send_seconds_count");
    await gqlData(server, t.operator, APPROVE, { runId, key: "g" });
    await wsSub.done;
    await gsseSub.done;
    await yogaRead;
    const after = await eventually(async () => {
      const text = await metricsText(server);
      return m(text, "signalbox_open_subscriptions", "sse") === m(base, "signalbox_open_subscriptions", "sse")
        ? text
        : null;
    });
    expect(metric(after, "signalbox_commit_to_send_seconds_count")).toBeGreaterThanOrEqual(latencyBefore + 3);
    expect(metric(after, "signalbox_events_appended_total")).toBeGreaterThan(
      metric(base, "signalbox_events_appended_total"),
    );
    await ws.dispose();
    gsse.dispose();
    ac.abort();
    const closed = await eventually(async () => {
      const text = await metricsText(server);
      return ["ws", "graphql-sse", "sse"].every(
        (x) => m(text, "signalbox_open_connections", x) === m(base, "signalbox_open_connections", x),
      )
        ? text
        : null;
    });
    for (const transport of ["ws", "graphql-sse", "sse"]) {
      expect(m(closed, "signalbox_open_subscriptions", transport)).toBe(
        m(base, "signalbox_open_subscriptions", transport),
      );
    }
  });

  it("a lease that expires is counted", async () => {
    const before = metric(await metricsText(server), "signalbox_lease_expiries_total");
    const spec = {
      name: "lost-worker",
      nodes: [{ id: "x", kind: "external", with: { queue: "lost", leaseMs: 1000 } }],
    };
    await gqlData(server, t.operator, SUBMIT, { input: { spec } });
    await eventually(
      async () =>
        (await gqlData(server, t.operator, `mutation { claimNode(queue: "lost", leaseMs: 1000) { nodeId } }`))
          .claimNode,
    );
    // The worker "dies": no heartbeat. The server's reaper expires the lease.
    await eventually(
      async () => metric(await metricsText(server), "signalbox_lease_expiries_total") > before,
      15_000,
      "the lease expiry to be counted",
    );
  });
});

describe("request ids", () => {
  it("are echoed when sane, generated otherwise, sent on the WebSocket upgrade, and carried in the logs", async () => {
    const given = await post(
      server,
      t.viewer,
      { query: "{ viewer { name } }" },
      { headers: { "x-request-id": "req-abc-123" } },
    );
    expect(given.headers["x-request-id"]).toBe("req-abc-123");
    const generated = await post(server, t.viewer, { query: "{ viewer { name } }" });
    expect(generated.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await post(
      server,
      t.viewer,
      { query: "{ viewer { name } }" },
      { headers: { "x-request-id": `x${"y".repeat(300)}` } },
    );
    expect(forged.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect((await request(`${server.url}/api/health`)).headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const upgrade = await upgradeStatus(server, { headers: { "x-request-id": "ws-req-42" } });
    expect(upgrade.status).toBe(101);
    expect(upgrade.headers["x-request-id"]).toBe("ws-req-42");
    await sleep(300);
    const lines = server
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.requestId === "req-abc-123" && l.msg === "request")).toMatchObject({
      level: 20,
      method: "POST",
      status: 200,
    });
    expect(lines.find((l) => l.requestId === "ws-req-42")).toMatchObject({ msg: "ws connected" });
  });
});

describe("masked errors", () => {
  it("are logged once with their request id, over HTTP and WebSocket alike", async () => {
    // PostgreSQL refuses NUL in text: an error the API does not anticipate.
    const query = `{ runs(pipeline: "a\\u0000b") { nodes { id } } }`;
    const http = await post(server, t.viewer, { query }, { headers: { "x-request-id": "http-mask-8" } });
    expect(http.json().errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    const s = await rawSocket(server, { headers: { "x-request-id": "ws-mask-7" } });
    s.send({ type: "connection_init", payload: { authorization: `Bearer ${t.viewer}` } });
    await s.waitFor((m) => m.type === "connection_ack");
    s.send({ id: "1", type: "subscribe", payload: { query } });
    const m = await s.waitFor((x) => x.id === "1" && x.type === "next");
    expect(m.payload.errors[0].message).toBe("Unexpected error.");
    s.ws.close();
    await sleep(300);
    const masked = server
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .filter((l) => l.level === 50);
    expect(masked.filter((l) => l.requestId === "http-mask-8")).toHaveLength(1);
    expect(masked.filter((l) => l.requestId === "ws-mask-7")).toHaveLength(1);
    expect(masked.find((l) => l.requestId === "ws-mask-7").err.message).toMatch(/\S/);
  });
});

describe("GraphiQL", () => {
  it("is served only to authenticated users (bearer or session cookie), with every asset inline", async () => {
    const anon = await request(`${server.url}/graphiql`);
    expect(anon.status).toBe(401);
    expect(anon.text).toContain("/login?next=%2Fgraphiql");
    expect(anon.text).not.toContain("YogaGraphiQL");
    const bearer = await request(`${server.url}/graphiql`, { headers: { authorization: `Bearer ${t.viewer}` } });
    const cookie = await request(`${server.url}/graphiql`, { headers: { cookie: `signalbox_session=${t.viewer}` } });
    for (const res of [bearer, cookie]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain("<title>Signalbox GraphiQL</title>");
      expect(res.text).toContain('"endpoint":"/api/graphql"');
      // Offline: no script, style, font, icon or module fetched from another host.
      expect(res.text).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+/i);
      expect(res.text).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
      expect(res.text).not.toMatch(/@import\s+(?:url\()?["']?(?:https?:)?\/\//i);
      expect(res.text).not.toMatch(/import\s*\(\s*["'](?:https?:)?\/\//i);
      expect(res.text).not.toMatch(/unpkg\.com|jsdelivr|cdnjs|googleapis/i);
    }
  });
});
