/**
 * Connection and subscription caps against two real server processes on one database: the
 * counts live in PostgreSQL, so a cap holds across both processes (WebSocket, yoga's SSE and
 * graphql-sse alike), a freed slot is usable on the other process, and the rows of a
 * process killed with -9 stop counting within a few heartbeats. The per-token operation
 * budget is shared by both processes too.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import { type ServerProc, startServer, testDb } from "./graphql-harness";
import { eventually, post, type RawSocket, rawSocket, sleep } from "./hardening-helpers";

const CAPS = {
  SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN: "4",
  SIGNALBOX_MAX_CONNECTIONS_PER_ADDRESS: "5",
  SIGNALBOX_MAX_SUBSCRIPTIONS_PER_TOKEN: "4",
  SIGNALBOX_LIVE_HEARTBEAT_MS: "300",
  SIGNALBOX_RATE_LIMIT: "2,40",
};
const RUNS_CHANGED = "subscription { runsChanged { id status } }";

let db: Db;
let a: ServerProc;
let b: ServerProc;
const open: { close(): void }[] = [];

beforeAll(async () => {
  db = testDb();
  [a, b] = await Promise.all([startServer({ worker: false, env: CAPS }), startServer({ worker: false, env: CAPS })]);
});
afterAll(async () => {
  for (const o of open) o.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.$disconnect();
});

/** A fresh token (caps are per token) of a fresh namespace. */
async function token(): Promise<string> {
  const { secret } = await createToken(db, {
    namespace: `caps-${randomUUID().slice(0, 8)}`,
    name: "caps",
    role: "VIEWER",
  });
  return secret;
}

/** Each test's own source address, so address caps of other tests (and files) never interfere. */
let nextAddress = 10;
const address = () => `127.0.42.${nextAddress++}`;

const track = <T extends { ws: { close(): void } }>(s: T): T => {
  open.push({ close: () => s.ws.close() });
  return s;
};

/** A WebSocket past connection_init: acked, or the close it got instead. */
async function connect(server: ServerProc, secret: string, localAddress: string) {
  const s = track(await rawSocket(server, { localAddress }));
  s.send({ type: "connection_init", payload: { authorization: `Bearer ${secret}` } });
  const outcome = await Promise.race([
    s.waitFor((m) => m?.type === "connection_ack").then(() => "ack" as const),
    s.closed,
  ]);
  return { s, outcome };
}

/**
 * An SSE request: resolves with the status and, when accepted (200), the first chunk (the
 * stream stays open until `close`), else the whole body — JSON from graphql-sse, one error
 * event from yoga's SSE. `kind`: yoga's SSE on /api/graphql, or graphql-sse on /api/graphql/stream.
 */
function stream(
  server: ServerProc,
  secret: string,
  kind: "sse" | "graphql-sse",
  localAddress: string,
): Promise<{ status: number; first: string; close(): void }> {
  const url = kind === "sse" ? server.api : `${server.url}/api/graphql/stream`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        localAddress,
        agent: false,
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          authorization: `Bearer ${secret}`,
        },
      },
      (res) => {
        res.setEncoding("utf8");
        let body = "";
        res.on("data", (d: string) => {
          body += d;
          if (res.statusCode === 200) resolve({ status: 200, first: body, close });
        });
        res.once("end", () => resolve({ status: res.statusCode ?? 0, first: body, close }));
      },
    );
    const close = () => req.destroy();
    open.push({ close });
    req.on("error", reject);
    req.end(JSON.stringify({ query: RUNS_CHANGED }));
  });
}

/** Subscribe `runsChanged` on an acked socket: "live" (no answer within 500 ms) or the error message. */
async function subscribe(s: RawSocket, id: string) {
  s.send({ id, type: "subscribe", payload: { query: RUNS_CHANGED } });
  return Promise.race([s.waitFor((m) => m?.id === id && m.type !== "next"), sleep(500).then(() => "live" as const)]);
}

describe("connection caps are shared by all server processes", () => {
  it("a token's connections are capped across both processes (WebSocket 1008, SSE 429); a closed one frees a slot", async () => {
    const secret = await token();
    const from = address();
    expect((await connect(a, secret, from)).outcome).toBe("ack");
    const second = await connect(b, secret, from);
    expect(second.outcome).toBe("ack");
    expect((await connect(a, secret, from)).outcome).toBe("ack");
    expect((await connect(b, secret, from)).outcome).toBe("ack");
    // The 5th, on either process: closed after connection_init with a clear reason.
    const refused = await connect(b, secret, from);
    expect(refused.outcome).toEqual({ code: 1008, reason: "Too many connections for this token" });
    // An SSE stream is a connection too: 429 RATE_LIMITED on both SSE flavours.
    const viaGraphqlSse = await stream(a, secret, "graphql-sse", from);
    expect(viaGraphqlSse.status).toBe(429);
    expect(JSON.parse(viaGraphqlSse.first).errors[0]).toMatchObject({
      message: expect.stringContaining("SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN"),
      extensions: { code: "RATE_LIMITED" },
    });
    const viaSse = await stream(b, secret, "sse", from);
    expect(viaSse.status).toBe(429);
    expect(viaSse.first).toContain('"code":"RATE_LIMITED"');
    expect(viaSse.first).toContain("SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN");
    // Another token is not affected.
    expect((await connect(b, await token(), address())).outcome).toBe("ack");
    // Closing one connection (on B) frees a slot for the token (on A).
    second.s.ws.close();
    await second.s.closed;
    await eventually(async () => (await connect(a, secret, from)).outcome === "ack", 5_000, "a freed slot");
  });

  it("an address's connections are capped at the upgrade: HTTP 429 with a JSON body, on either process", async () => {
    const from = address();
    for (let i = 0; i < 5; i++) track(await rawSocket(i % 2 ? a : b, { localAddress: from }));
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(a.api, {
        localAddress: from,
        agent: false,
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": Buffer.from(randomUUID().slice(0, 16)).toString("base64"),
          "sec-websocket-protocol": "graphql-transport-ws",
        },
      });
      req.on("response", (r) => {
        let body = "";
        r.setEncoding("utf8");
        r.on("data", (d) => {
          body += d;
        });
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on("upgrade", (r, socket) => {
        socket.destroy();
        resolve({ status: r.statusCode ?? 0, body: "" });
      });
      req.on("error", reject);
      req.end();
    });
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body).errors[0]).toMatchObject({
      message: expect.stringContaining("connections from your address"),
      extensions: { code: "RATE_LIMITED" },
    });
    // Other addresses still connect.
    expect((await connect(b, await token(), address())).outcome).toBe("ack");
  });
});

describe("subscription caps are shared by all server processes", () => {
  it("a token's live subscriptions are capped across WebSocket and SSE on both processes; ending one frees a slot", async () => {
    const secret = await token();
    const from = address();
    const onA = (await connect(a, secret, from)).s;
    const onB = (await connect(b, secret, from)).s;
    expect(await subscribe(onA, "1")).toBe("live");
    expect(await subscribe(onA, "2")).toBe("live");
    const sse = await stream(b, secret, "sse", from); // a stream: a connection and a subscription
    expect(sse.status).toBe(200);
    expect(await subscribe(onB, "3")).toBe("live");
    // The 5th live subscription: an `error` message over WebSocket (the socket stays) …
    const refused = (await subscribe(onB, "4")) as { type: string; payload: { extensions: { code: string } }[] };
    expect(refused.type).toBe("error");
    expect(refused.payload[0].extensions.code).toBe("RATE_LIMITED");
    expect(onB.ws.readyState).toBe(onB.ws.OPEN);
    // … and 429 over both SSE flavours.
    const viaGraphqlSse = await stream(a, secret, "graphql-sse", from);
    expect(viaGraphqlSse.status).toBe(429);
    expect(JSON.parse(viaGraphqlSse.first).errors[0].message).toContain("SIGNALBOX_MAX_SUBSCRIPTIONS_PER_TOKEN");
    const viaSse = await stream(a, secret, "sse", from);
    expect(viaSse.status).toBe(429);
    expect(viaSse.first).toContain("SIGNALBOX_MAX_SUBSCRIPTIONS_PER_TOKEN");
    // Completing one on A frees a slot, usable on B; so does closing the SSE stream.
    onA.send({ id: "1", type: "complete" });
    await eventually(async () => (await subscribe(onB, `again-${randomUUID()}`)) === "live", 5_000, "a freed slot");
    expect(await subscribe(onA, "5")).toMatchObject({ type: "error" });
    sse.close();
    await eventually(async () => (await subscribe(onA, `sse-${randomUUID()}`)) === "live", 5_000, "the stream's slot");
  });
});

describe("the per-token operation budget is shared by all server processes", () => {
  it("a token's operations count on every process: after its budget is spent on one, the other refuses it too", async () => {
    // SIGNALBOX_RATE_LIMIT=2,40: 40 operations per 20 s window, all processes together.
    const secret = await token();
    const run = async (server: ServerProc, n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await post(server, secret, { query: "{ viewer { name } }" })).status);
      return statuses;
    };
    const burst: Awaited<ReturnType<typeof post>>[] = [];
    for (let i = 0; i < 4; i++)
      burst.push(
        ...(await Promise.all(Array.from({ length: 10 }, () => post(a, secret, { query: "{ viewer { name } }" })))),
      );
    expect(burst.filter((r) => r.status === 200).length, burst.map((r) => r.text).join("\n")).toBeGreaterThanOrEqual(
      38,
    );
    await sleep(500); // A's last counts reach the database
    // B has never seen this token and its own bucket is full (40), yet it admits only what
    // the shared budget refills (2/s) — by itself it would admit all 20.
    const started = Date.now();
    const onB = await run(b, 20);
    const refill = Math.ceil(((Date.now() - started) / 1000) * 2) + 2;
    expect(onB.filter((s) => s === 200).length).toBeLessThanOrEqual(Math.min(refill, 12));
    expect(onB.filter((s) => s === 429).length).toBeGreaterThanOrEqual(8);
    // Another token is unaffected.
    expect((await post(b, await token(), { query: "{ viewer { name } }" })).status).toBe(200);
  });
});

describe("a process swept while it was slow", () => {
  it("registers again at its next connection instead of refusing it until a heartbeat notices", async () => {
    const secret = await token();
    const from = address();
    for (let i = 0; i < 3; i++) {
      // What another process's sweep does to a process silent for 3 heartbeats (rows cascade).
      await db.$executeRaw`DELETE FROM server_instances`;
      // At once, well inside the 300 ms before either heartbeat would notice.
      expect((await connect(i % 2 ? b : a, secret, from)).outcome).toBe("ack");
    }
  });
});

describe("a killed process's connections stop counting", () => {
  it("after kill -9 of one process, its rows no longer count toward the caps on the other", async () => {
    // B goes (this is the file's last test).
    const secret = await token();
    const from = address();
    for (let i = 0; i < 4; i++) expect((await connect(b, secret, from)).outcome).toBe("ack");
    expect((await connect(a, secret, from)).outcome).toMatchObject({ code: 1008 });
    b.child.kill("SIGKILL");
    const started = Date.now();
    await eventually(
      // Until then a try is refused by the token cap (1008), or — while the row of a try just
      // refused is still being deleted — by the address cap at the upgrade (429).
      async () => (await connect(a, secret, from).catch(() => null))?.outcome === "ack",
      10_000,
      "the dead rows to stop counting",
    );
    // Three missed heartbeats of 300 ms, plus a little.
    expect(Date.now() - started).toBeLessThan(5_000);
    // And swept from the table (with their rows: ON DELETE CASCADE), not only ignored.
    await eventually(
      async () =>
        Number(
          (
            await db.$queryRaw<{ n: bigint }[]>`
              SELECT count(*) AS n FROM server_instances WHERE expires_at < now() - interval '2 seconds'`
          )[0].n,
        ) === 0,
      5_000,
      "the sweep",
    );
  });
});
