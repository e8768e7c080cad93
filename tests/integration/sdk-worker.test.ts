/**
 * createWorker and `claimNode(waitMs:)` against the real server: jobs run once each with
 * their reports recorded, a throw fails the node with its message, a cancel aborts
 * `job.signal`, an idle worker is woken by new work (not by polling), and a graceful stop
 * finishes or releases what runs.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { createWorker, type Job, SignalboxClient, type Worker } from "../../sdk/src/index";
import { gql, makeTokens, type ServerProc, startServer, type Tokens, testDb } from "./graphql-harness";
import { allEvents, completionsByNode, waitForNode, waitForRun } from "./helpers";

let db: Db;
let t: Tokens;
let server: ServerProc;
const workers: Worker[] = [];

afterAll(async () => {
  for (const w of workers) await w.stop({ deadlineMs: 0 });
  await server?.stop();
  await db?.$disconnect();
});

const external = (queue: string, ids: string[], input: Record<string, unknown> = {}, extra = {}) => ({
  name: "sdk-worker",
  nodes: ids.map((id) => ({ id, kind: "external", with: { queue, input: { ...input, id }, leaseMs: 3000 }, ...extra })),
});

function worker(queue: string, handler: (job: Job) => unknown, opts: { concurrency?: number; name?: string } = {}) {
  const w = createWorker({ url: server.url, token: t.operator, queue, leaseMs: 3000, handler, ...opts });
  workers.push(w);
  return w;
}

describe("createWorker", () => {
  it("runs every node once across two workers, with logs, progress, cost, metrics and results recorded", async () => {
    db = testDb();
    t = await makeTokens(db);
    server = await startServer();
    const queue = `q-${randomUUID().slice(0, 6)}`;
    const ids = Array.from({ length: 8 }, (_, i) => `n${i}`);
    const ran: string[] = [];
    const handler = async (job: Job) => {
      ran.push(job.nodeKey);
      job.log(`scoring ${job.nodeKey}`);
      job.progress(0.5);
      job.cost(0.01);
      job.metric("loss", 0.25);
      job.result({ node: job.nodeKey, score: 1 });
      await new Promise((r) => setTimeout(r, 30));
      return { done: (job.input as { id: string }).id };
    };
    const a = worker(queue, handler, { concurrency: 2, name: "a" });
    const b = worker(queue, handler, { concurrency: 2, name: "b" });
    await a.start();
    await b.start();
    const sbx = new SignalboxClient({ url: server.url, token: t.operator });
    const run = await sbx.submitRun({ spec: external(queue, ids) });
    const done = await waitForRun(db, run.id, (r) => r.finishedAt !== null);
    expect(done.status).toBe("SUCCEEDED");
    expect(ran.sort()).toEqual([...ids].sort());
    const events = await allEvents(db, run.id);
    for (const [key, n] of completionsByNode(events)) if (ids.includes(key)) expect(n).toBe(1);
    const nodes = await db.runNode.findMany({ where: { runId: run.id } });
    for (const n of nodes) {
      expect(n.output).toEqual({ done: n.key });
      expect(n.metrics).toMatchObject({ loss: 0.25 });
      expect(n.cost).toBeCloseTo(0.01);
    }
    expect(events.filter((e) => e.type === "LOG" && String(e.payload.message).startsWith("scoring")).length).toBe(8);
    expect(done.spent).toBeCloseTo(0.08);
    const results = await db.$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM run_results WHERE run_id = ${run.id}::uuid`;
    expect(Number(results[0].n)).toBe(8);
  });

  it("a throw fails the node with its message; a cancel aborts job.signal", async () => {
    const queue = `q-${randomUUID().slice(0, 6)}`;
    let aborted: unknown = null;
    const w = worker(queue, async (job) => {
      if ((job.input as { id: string }).id === "bad") throw new Error("model diverged");
      await new Promise<void>((resolve) => job.signal.addEventListener("abort", () => resolve(), { once: true }));
      aborted = job.signal.reason;
      return null;
    });
    await w.start();
    const sbx = new SignalboxClient({ url: server.url, token: t.operator });
    const failing = await sbx.submitRun({ spec: external(queue, ["bad"]) });
    const failed = await waitForRun(db, failing.id, (r) => r.finishedAt !== null);
    expect(failed.status).toBe("FAILED");
    expect((await waitForNode(db, failing.id, "bad", "FAILED")).error).toContain("model diverged");
    const slow = await sbx.submitRun({ spec: external(queue, ["slow"]) });
    await waitForNode(db, slow.id, "slow", "RUNNING");
    await sbx.cancelRun(slow.id);
    const deadline = Date.now() + 10_000;
    while (!aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(aborted).toMatchObject({ code: "LEASE_LOST" });
    expect(w.running).toBe(0);
  });

  it("an idle worker is woken by new work rather than by polling: one request held, answered when a node is queued", async () => {
    const queue = `q-${randomUUID().slice(0, 6)}`;
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const w = createWorker({ url: server.url, token: t.operator, queue, fetch: counting, handler: () => ({ ok: 1 }) });
    workers.push(w);
    await w.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(requests).toBe(1); // one long-poll claim, held by the server
    const sbx = new SignalboxClient({ url: server.url, token: t.operator });
    const run = await sbx.submitRun({ spec: external(queue, ["x"]) });
    // Well before the 25 s long-poll would end by itself.
    const done = await waitForRun(db, run.id, (r) => r.finishedAt !== null, 5_000);
    expect(done.status).toBe("SUCCEEDED");
    await w.stop();
  });

  it("stop() is graceful: claiming stops, a running job finishes; past the deadline the lease is released without spending the attempt", async () => {
    const queue = `q-${randomUUID().slice(0, 6)}`;
    const sbx = new SignalboxClient({ url: server.url, token: t.operator });
    const quick = worker(queue, async () => {
      await new Promise((r) => setTimeout(r, 300));
      return { finished: true };
    });
    await quick.start();
    const run1 = await sbx.submitRun({ spec: external(queue, ["a"]) });
    await waitForNode(db, run1.id, "a", "RUNNING");
    await quick.stop();
    expect((await waitForNode(db, run1.id, "a", "SUCCEEDED")).output).toEqual({ finished: true });

    const stuck = worker(queue, (job) => new Promise((resolve) => job.signal.addEventListener("abort", resolve)));
    await stuck.start();
    const run2 = await sbx.submitRun({ spec: external(queue, ["b"]) });
    const running = await waitForNode(db, run2.id, "b", "RUNNING");
    await stuck.stop({ deadlineMs: 200 });
    const requeued = await waitForNode(db, run2.id, "b", "QUEUED");
    expect(requeued.attempt).toBe(running.attempt - 1);
    const next = worker(queue, () => ({ second: true }));
    await next.start();
    const done = await waitForNode(db, run2.id, "b", "SUCCEEDED");
    expect(done.attempt).toBe(running.attempt);
    await next.stop();
  });
});

describe("claimNode(waitMs:)", () => {
  it("is bounded, answers null when nothing comes, and ends at once when the server shuts down", async () => {
    const queue = `q-${randomUUID().slice(0, 6)}`;
    const claim = (waitMs: number) =>
      gql(server, t.operator, `mutation($q: String!, $w: Int) { claimNode(queue: $q, waitMs: $w) { nodeId } }`, {
        q: queue,
        w: waitMs,
      });
    expect((await claim(60_000)).errors?.[0]?.extensions?.code).toBe("BAD_INPUT");
    const t0 = Date.now();
    expect((await claim(600)).data).toEqual({ claimNode: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    const held = claim(25_000);
    await new Promise((r) => setTimeout(r, 300));
    const stopAt = Date.now();
    const stopped = server.stop();
    const answer = await held.catch((e) => e);
    await stopped;
    // The held claim answered (null) or its connection closed — within the shutdown, not 25 s later.
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    if (!(answer instanceof Error)) expect(answer.data).toEqual({ claimNode: null });
  });
});
