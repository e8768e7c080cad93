/**
 * The SDK's client against the real server process: typed errors, and `watchRun` yielding
 * every event once in seq order — straight, across a server restart on the same port, and
 * through a proxy that refuses WebSocket (SSE fallback) and then cuts every connection, and
 * through one that also buffers SSE (polling).
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { type RunEvent, SignalboxClient, SignalboxError, type WatchStatus } from "../../sdk/src/index";
import { makeTokens, type ServerProc, startServer, type Tokens, testDb } from "./graphql-harness";
import { allEvents, waitForNode } from "./helpers";
import { startProxy } from "./test-proxy";

let db: Db;
let t: Tokens;
let server: ServerProc;
const started: { stop(): Promise<void> }[] = [];

const gated = {
  name: "sdk-watch",
  nodes: [
    { id: "warm", kind: "sleep", with: { ms: 50 } },
    { id: "items", kind: "transform", needs: ["warm"], with: { expression: "[1..12]" } },
    { id: "hold", kind: "gate", needs: ["items"], with: { title: "Go on?" } },
    {
      id: "each",
      kind: "map",
      needs: ["hold", "items"],
      with: { over: "inputs.items", node: { kind: "sleep", with: { ms: 20 } } },
    },
  ],
};

async function setup() {
  db = testDb();
  t = await makeTokens(db);
  server = await startServer();
  started.push(server);
}

afterAll(async () => {
  for (const s of started.reverse()) await s.stop();
  await db?.$disconnect();
});

async function collect(it: AsyncIterable<RunEvent>, onEach?: (ev: RunEvent) => void | Promise<void>) {
  const seen: RunEvent[] = [];
  for await (const ev of it) {
    seen.push(ev);
    await onEach?.(ev);
  }
  return seen;
}

async function expectWholeLog(runId: string, seen: RunEvent[]) {
  const stored = await allEvents(db, runId);
  expect(seen.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
  expect(seen.map((e) => e.type)).toEqual(stored.map((e) => e.type));
  expect(seen.at(-1)?.type).toBe("RUN_COMPLETED");
}

describe("SignalboxClient", () => {
  it("typed errors: no token, a viewer submitting, an invalid spec with every problem, another namespace's run", async () => {
    await setup();
    const bad = new SignalboxClient({ url: server.url, token: "sbx_not_a_real_token_000000000000000" });
    await expect(bad.listRuns()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const viewer = new SignalboxClient({ url: server.url, token: t.viewer });
    await expect(viewer.submitRun({ spec: gated })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const op = new SignalboxClient({ url: server.url, token: t.operator });
    const invalid = await op
      .submitRun({
        spec: {
          name: "bad",
          nodes: [
            { id: "a", kind: "nope" },
            { id: "b", kind: "sleep", needs: ["zz"] },
          ],
        },
      })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(SignalboxError);
    expect(invalid.code).toBe("INVALID_SPEC");
    expect(invalid.problems.length).toBeGreaterThanOrEqual(2);
    expect(invalid.problems.every((p: { path: string }) => typeof p.path === "string")).toBe(true);
    const other = await makeTokens(db);
    const theirs = await new SignalboxClient({ url: server.url, token: other.operator }).submitRun({ spec: gated });
    await expect(op.getRun(theirs.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await new SignalboxClient({ url: server.url, token: other.operator }).cancelRun(theirs.id);
    const down = new SignalboxClient({ url: "http://127.0.0.1:9", token: t.operator });
    await expect(down.listRuns()).rejects.toMatchObject({ code: "CONNECTION" });
  });

  it("submit, decide and watch: every event once, in seq order, ending after RUN_COMPLETED", async () => {
    const sbx = new SignalboxClient({ url: server.url, token: t.operator });
    const run = await sbx.submitRun({ spec: gated, label: "sdk" });
    expect(run.status).toMatch(/QUEUED|RUNNING/);
    const seen = await collect(sbx.watchRun(run.id, { afterSeq: 0 }), async (ev) => {
      if (ev.type === "GATE_WAITING") await sbx.decide({ runId: run.id, nodeKey: "hold", decision: "APPROVE" });
    });
    await expectWholeLog(run.id, seen);
    expect((await sbx.getRun(run.id)).status).toBe("SUCCEEDED");
    // Resuming from the middle gives exactly the rest.
    const half = Math.floor(seen.length / 2);
    const rest = await collect(sbx.watchRun(run.id, { afterSeq: half }));
    expect(rest.map((e) => e.seq)).toEqual(seen.slice(half).map((e) => e.seq));
  });

  it("across a server killed with SIGKILL and restarted on the same port the watch resumes with no gap and no repeat", async () => {
    const port = new URL(server.url).port;
    const sbx = new SignalboxClient({ url: server.url, token: t.operator });
    const run = await sbx.submitRun({ spec: gated });
    const statuses: WatchStatus[] = [];
    let restarted = false;
    const seen = await collect(
      sbx.watchRun(run.id, { onStatus: (s) => statuses.push(s), backoff: { initialMs: 100, maxMs: 1000 } }),
      async (ev) => {
        if (ev.type !== "GATE_WAITING" || restarted) return;
        restarted = true;
        await new Promise((r) => {
          server.child.once("exit", r);
          server.child.kill("SIGKILL");
        });
        server = await startServer({ env: { PORT: port } });
        started.push(server);
        await sbx.decide({ runId: run.id, nodeKey: "hold", decision: "APPROVE" });
      },
    );
    expect(restarted).toBe(true);
    expect(statuses.some((s) => s.state === "retrying")).toBe(true);
    await expectWholeLog(run.id, seen);
  });

  it("behind a proxy that refuses WebSocket it falls back to SSE, and survives the proxy cutting every connection", async () => {
    const proxy = await startProxy(server.url, { refuseUpgrades: true });
    started.push({ stop: () => proxy.close() });
    const sbx = new SignalboxClient({ url: proxy.url, token: t.operator });
    const run = await sbx.submitRun({ spec: gated });
    await waitForNode(db, run.id, "hold", "WAITING");
    const statuses: WatchStatus[] = [];
    let cut = false;
    const seen = await collect(
      sbx.watchRun(run.id, { onStatus: (s) => statuses.push(s), backoff: { initialMs: 100, maxMs: 1000 } }),
      async (ev) => {
        if (ev.type === "GATE_WAITING") await sbx.decide({ runId: run.id, nodeKey: "hold", decision: "APPROVE" });
        if (ev.__typename === "NodeStateEvent" && ev.node.parentKey === "each" && !cut) {
          cut = true;
          proxy.cut();
        }
      },
    );
    expect(proxy.upgradesSeen).toBeGreaterThan(0);
    expect(statuses.filter((s) => s.state === "live").map((s) => s.transport)).toContain("sse");
    expect(cut).toBe(true);
    // Live over SSE, cut, live again (resumed after the last seq it yielded).
    expect(statuses.filter((s) => s.state === "live").length).toBeGreaterThanOrEqual(2);
    await expectWholeLog(run.id, seen);
  });

  it("behind a proxy that refuses WebSocket and buffers SSE it polls: every event once, in order", async () => {
    const proxy = await startProxy(server.url, { refuseUpgrades: true, bufferEventStreams: true });
    started.push({ stop: () => proxy.close() });
    const sbx = new SignalboxClient({ url: proxy.url, token: t.operator });
    const run = await sbx.submitRun({ spec: gated });
    const statuses: WatchStatus[] = [];
    const seen = await collect(
      sbx.watchRun(run.id, { onStatus: (s) => statuses.push(s), backoff: { initialMs: 100, maxMs: 1000 } }),
      async (ev) => {
        if (ev.type === "GATE_WAITING") await sbx.decide({ runId: run.id, nodeKey: "hold", decision: "APPROVE" });
      },
    );
    expect(proxy.upgradesSeen).toBeGreaterThan(0);
    expect(proxy.eventStreamsSeen).toBeGreaterThan(0);
    expect(statuses.filter((s) => s.state === "live").map((s) => s.transport)).toEqual(["poll"]);
    await expectWholeLog(run.id, seen);
  });

  it("polling, it climbs back to WebSocket once the proxy lets streams through, without a gap", {
    timeout: 90_000,
  }, async () => {
    const proxy = await startProxy(server.url, { refuseUpgrades: true, bufferEventStreams: true });
    started.push({ stop: () => proxy.close() });
    const sbx = new SignalboxClient({ url: proxy.url, token: t.operator });
    const run = await sbx.submitRun({ spec: gated });
    const statuses: WatchStatus[] = [];
    let climbed: () => void = () => {};
    const onWs = new Promise<void>((resolve) => {
      climbed = resolve;
    });
    const seen = await collect(
      sbx.watchRun(run.id, {
        onStatus: (s) => {
          statuses.push(s);
          if (s.state === "live" && s.transport === "ws") climbed();
        },
        backoff: { initialMs: 100, maxMs: 1000 },
      }),
      async (ev) => {
        if (ev.type !== "GATE_WAITING") return;
        proxy.bufferEventStreams = false;
        proxy.refuseUpgrades = false;
        // Not awaited: the watch must keep pulling to climb (within its 30 s climb interval).
        void onWs.then(() => sbx.decide({ runId: run.id, nodeKey: "hold", decision: "APPROVE" }));
      },
    );
    const live = statuses.filter((s) => s.state === "live").map((s) => s.transport);
    expect(live[0]).toBe("poll");
    expect(live).toContain("ws");
    await expectWholeLog(run.id, seen);
  });

  it("a watch of an unknown run, or with a viewer of another namespace, fails with its code instead of retrying", async () => {
    const sbx = new SignalboxClient({ url: server.url, token: t.viewer });
    const missing = "00000000-0000-4000-8000-000000000000";
    await expect(collect(sbx.watchRun(missing))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
