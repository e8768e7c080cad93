/**
 * Server-level faults against the real process: PostgreSQL unreachable (a TCP proxy in
 * front of it is cut) → requests fail fast with a retryable SERVICE_UNAVAILABLE (HTTP 503,
 * a WebSocket `error` message, 1013 at connection_init), readiness says so, nothing crashes,
 * and everything recovers; SIGTERM → graceful shutdown within 30 s (WebSocket 1012, SSE
 * streams end, in-flight requests finish, new connections refused, exit 0).
 */
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { gqlData, makeTokens, type ServerProc, SUBMIT, startServer, type Tokens, testDb } from "./graphql-harness";
import { ackedSocket, eventually, post, rawSocket, request, sleep } from "./hardening-helpers";
import { databaseUrl } from "./helpers";

/** A TCP proxy in front of PostgreSQL that the test can cut (every connection reset, new ones refused). */
class PgProxy {
  private sockets = new Set<net.Socket>();
  private up = true;
  readonly server: net.Server;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (!this.up) return client.destroy();
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return (this.server.address() as net.AddressInfo).port;
  }

  cut() {
    this.up = false;
    for (const s of this.sockets) s.destroy();
  }

  restore() {
    this.up = true;
  }

  close() {
    this.cut();
    this.server.close();
  }
}

let db: Db;
let t: Tokens;
beforeAll(async () => {
  db = testDb();
  t = await makeTokens(db);
});
afterAll(async () => {
  await db?.$disconnect();
});

const gated = { name: "faults", nodes: [{ id: "g", kind: "gate", with: { title: "hold" } }] };
const WATCH = "subscription($r: ID!) { runEvents(runId: $r) { seq type } }";

describe("database outage", () => {
  let proxy: PgProxy;
  let server: ServerProc;

  beforeAll(async () => {
    const target = new URL(databaseUrl());
    proxy = new PgProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const via = new URL(databaseUrl());
    via.host = `127.0.0.1:${await proxy.listen()}`;
    server = await startServer({ env: { DATABASE_URL: via.toString() } });
  });
  afterAll(async () => {
    await server?.stop();
    proxy?.close();
  });

  it("fails fast with a retryable error on every transport, reports not-ready, never crashes, and recovers", async () => {
    const runId = (await gqlData(server, t.operator, SUBMIT, { input: { spec: gated } })).submitRun.id;
    const live = await ackedSocket(server, t.viewer);
    expect((await request(`${server.url}/api/ready`)).status).toBe(200);

    proxy.cut();

    // HTTP: 503 SERVICE_UNAVAILABLE, fast (no waiting out a 30 s timeout).
    const started = Date.now();
    const r = await post(server, t.viewer, { query: "{ runs { nodes { id } } }" });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(r.status).toBe(503);
    expect(r.json().errors[0]).toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE" } });
    expect(r.text).not.toMatch(/ECONN|postgres|127\.0\.0\.1|prisma/i);
    // graphql-sse: the same answer.
    const sse = await request(`${server.url}/api/graphql/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${t.viewer}` },
      body: JSON.stringify({ query: WATCH, variables: { r: runId } }),
    });
    expect(sse.status).toBe(503);
    expect(sse.text).toContain("SERVICE_UNAVAILABLE");

    // WebSocket, already connected: the operation gets an `error` message; the socket stays open.
    live.send({ id: "1", type: "subscribe", payload: { query: WATCH, variables: { r: runId } } });
    const err = await live.waitFor((m) => m.id === "1" && (m.type === "error" || m.type === "next"));
    expect(JSON.stringify(err)).toContain("SERVICE_UNAVAILABLE");
    expect(live.ws.readyState).toBe(live.ws.OPEN);
    // WebSocket, new: its address's connection cap cannot be checked → the upgrade answers
    // 503 (graphql-ws clients retry a failed connect), never a 4500/1011 close.
    const refused = await rawSocket(server).then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(refused?.status).toBe(503);

    // Readiness: 503 (database and listener down); liveness: still 200.
    const ready = await eventually(async () => {
      const x = await request(`${server.url}/api/ready`);
      return x.status === 503 && x.json().listener === false ? x : null;
    });
    expect(ready.json()).toMatchObject({ status: "unavailable", database: false, listener: false });
    expect((await request(`${server.url}/api/health`)).status).toBe(200);

    proxy.restore();
    await eventually(async () => (await request(`${server.url}/api/ready`)).status === 200, 20_000, "readiness");
    expect((await post(server, t.viewer, { query: "{ viewer { name } }" })).status).toBe(200);
    // The connection that lived through the outage works again, and the run is still there.
    live.send({ id: "2", type: "subscribe", payload: { query: WATCH, variables: { r: runId } } });
    const next = await live.waitFor((m) => m.id === "2" && m.type === "next");
    expect(next.payload.data.runEvents.seq).toBe(1);
    live.ws.close();
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toMatch(/uncaught exception|unhandled rejection/);
  });
});

describe("graceful shutdown on SIGTERM", () => {
  it("closes WebSockets with 1012, ends SSE streams, finishes in-flight requests, refuses new ones, exits 0 in time", async () => {
    const server = await startServer();
    const runId = (await gqlData(server, t.operator, SUBMIT, { input: { spec: gated } })).submitRun.id;
    const ws = await ackedSocket(server, t.viewer);
    ws.send({ id: "w", type: "subscribe", payload: { query: WATCH, variables: { r: runId } } });
    await ws.waitFor((m) => m.id === "w" && m.type === "next");
    // graphql-sse stream, read raw.
    let sseText = "";
    const sseEnded = new Promise<void>((resolve, reject) => {
      const req = http.request(
        `${server.url}/api/graphql/stream`,
        {
          method: "POST",
          agent: false,
          headers: {
            "content-type": "application/json",
            accept: "text/event-stream",
            authorization: `Bearer ${t.viewer}`,
          },
        },
        (res) => {
          res.setEncoding("utf8");
          res.on("data", (d) => {
            sseText += d;
          });
          res.on("end", resolve);
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ query: WATCH, variables: { r: runId } }));
    });
    await eventually(async () => sseText.includes("event: next"));
    // An in-flight request: headers and half the body sent before SIGTERM, the rest after.
    const body = JSON.stringify({ query: "{ viewer { name } }" });
    let inflightText = "";
    let inflightStatus = 0;
    const inflight = new Promise<void>((resolve, reject) => {
      const req = http.request(
        server.api,
        {
          method: "POST",
          agent: false,
          headers: {
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
            authorization: `Bearer ${t.viewer}`,
          },
        },
        (res) => {
          inflightStatus = res.statusCode ?? 0;
          res.setEncoding("utf8");
          res.on("data", (d) => {
            inflightText += d;
          });
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 1_000);
    });
    await sleep(200);

    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      server.child.once("exit", (code) => resolve({ code, at: Date.now() })),
    );
    const signalledAt = Date.now();
    server.child.kill("SIGTERM");

    expect((await ws.closed).code).toBe(1012);
    await sseEnded;
    expect(sseText).toContain("SERVICE_UNAVAILABLE");
    await inflight;
    expect(inflightStatus).toBe(200);
    expect(JSON.parse(inflightText).data.viewer.name).toBe("viewer-test");
    await expect(request(`${server.url}/api/health`)).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(30_000);
    await server.stop();
  });
});
