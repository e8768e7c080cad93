/**
 * Fair share between namespaces on the real server and its in-process worker (default
 * SIGNALBOX_WORKER_CONCURRENCY 64): namespace A floods the queue with 64 long sleeps (as
 * 64 runs, or as one map of 64 children), yet a run submitted in namespace B starts within
 * a second — A holds at most three quarters of the worker's slots, claims go round-robin
 * across namespaces, and queued runs start round-robin too.
 */
import { describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { cancelRun } from "../../lib/engine/control";
import { gqlData, makeTokens, type ServerProc, SUBMIT, serveForTests, type Tokens } from "./graphql-harness";
import { eventually, sleep } from "./hardening-helpers";

let server: ServerProc;
let db: Db;

serveForTests({ env: { SIGNALBOX_WORKER_CONCURRENCY: "64" } }, (h) => {
  ({ server, db } = h);
});

/** Long enough to outlast the test on a slow machine; every run is cancelled at the end. */
const SLEEP_MS = 300_000;
const longSleep = (name: string) => ({ name, nodes: [{ id: "s", kind: "sleep", with: { ms: SLEEP_MS } }] });

const runningIn = (namespace: string) =>
  db.runNode.count({ where: { status: "RUNNING", kind: "sleep", run: { namespace } } });

async function submit(token: string, spec: unknown): Promise<string> {
  return (await gqlData(server, token, SUBMIT, { input: { spec } })).submitRun.id;
}

/** Wait until A's running count stops growing (the worker is as full of A as it gets). */
async function saturated(namespace: string, atLeast: number): Promise<number> {
  await eventually(async () => (await runningIn(namespace)) >= atLeast, 60_000, `${atLeast} running in ${namespace}`);
  let n = await runningIn(namespace);
  for (;;) {
    await sleep(300);
    const m = await runningIn(namespace);
    if (m === n) return m;
    n = m;
  }
}

/**
 * Submit a run in B; how long its first node waited to start: from the run's creation to
 * the node's start, both stamped by the server (so a slow client or HTTP round trip does
 * not count), polled in the database.
 */
async function timeToStart(b: Tokens): Promise<{ ms: number; runId: string }> {
  const runId = await submit(b.operator, longSleep("b-run"));
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const node = await db.runNode.findUnique({ where: { runId_key: { runId, key: "s" } } });
    if (node?.startedAt) return { ms: node.startedAt.getTime() - run.createdAt.getTime(), runId };
    if (Date.now() > deadline) return { ms: Number.POSITIVE_INFINITY, runId };
    await sleep(20);
  }
}

async function cancelAll(runIds: string[]) {
  for (const id of runIds) await cancelRun(db, id).catch(() => {});
}

describe("fair share between namespaces", () => {
  it("64 runs of long sleeps in A: A gets 48 of 64 slots, and a run in B starts within a second", async () => {
    const a = await makeTokens(db);
    const b = await makeTokens(db);
    const runs: string[] = [];
    try {
      for (let i = 0; i < 64; i += 16)
        runs.push(...(await Promise.all(Array.from({ length: 16 }, () => submit(a.operator, longSleep("flood"))))));
      const held = await saturated(a.namespace, 48);
      expect(held).toBe(48); // three quarters of 64: the rest stays free for other namespaces
      const { ms, runId } = await timeToStart(b);
      runs.push(runId);
      expect(ms).toBeLessThan(1_000);
      // A's 16 other sleeps still wait: B's run took a reserved slot, not one of A's.
      expect(await runningIn(a.namespace)).toBe(48);
    } finally {
      await cancelAll(runs);
    }
  }, 120_000);

  it("one map of 64 long sleeps in A: a run in B still starts within a second", async () => {
    const a = await makeTokens(db);
    const b = await makeTokens(db);
    const runs: string[] = [];
    try {
      runs.push(
        await submit(a.operator, {
          name: "flood-map",
          nodes: [
            {
              id: "fan",
              kind: "map",
              with: { over: "[1..64]", concurrency: 64, node: { kind: "sleep", with: { ms: SLEEP_MS } } },
            },
          ],
        }),
      );
      expect(await saturated(a.namespace, 48)).toBe(48);
      const { ms, runId } = await timeToStart(b);
      runs.push(runId);
      expect(ms).toBeLessThan(1_000);
    } finally {
      await cancelAll(runs);
    }
  }, 120_000);

  it("queued runs start round-robin: B's run is not queued behind 80 of A's", async () => {
    // A fills its share with long sleeps, then queues 80 more runs at once; B submits one.
    const a = await makeTokens(db);
    const b = await makeTokens(db);
    const runs: string[] = [];
    try {
      const flood = Array.from({ length: 80 }, () => longSleep("queued-flood"));
      for (let i = 0; i < flood.length; i += 20)
        runs.push(...(await Promise.all(flood.slice(i, i + 20).map((s) => submit(a.operator, s)))));
      const { ms, runId } = await timeToStart(b);
      runs.push(runId);
      expect(ms).toBeLessThan(1_000);
    } finally {
      await cancelAll(runs);
    }
  }, 120_000);
});
