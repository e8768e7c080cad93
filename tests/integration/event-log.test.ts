import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents, appendEventsNow } from "../../lib/events/append";
import { doorbell } from "../../lib/events/doorbell";
import { readEvents } from "../../lib/events/read";
import type { RunEventRecord } from "../../lib/events/types";
import { metrics } from "../../lib/metrics";
import { buildRig, submit, type TestRig } from "./helpers";

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig({ worker: false });
});
afterAll(async () => rig.stop());

/** A run that no worker touches: its log grows only by what the test appends. */
async function idleRun() {
  return submit(rig, { name: "log", nodes: [{ id: "a", kind: "gate", with: { title: "never" } }] });
}

async function appendLogs(runId: string, writer: number, batches: number, perBatch: number) {
  for (let b = 0; b < batches; b++) {
    // Inside a transaction, as engine state changes append; the doorbell rings after commit.
    const r = await rig.db.$transaction((tx) =>
      appendEvents(
        tx,
        runId,
        Array.from({ length: perBatch }, (_, i) => ({
          type: "LOG" as const,
          payload: { level: "INFO", message: `w${writer} b${b} i${i}`, nodeKey: "a" },
        })),
      ),
    );
    if (r) doorbell(rig.db).events(runId, r.lastSeq);
  }
}

describe("event log", () => {
  it("64 concurrent appenders produce seq exactly 1..N; a cursor reader sees every event exactly once", async () => {
    const run = await idleRun(); // seq 1 = RUN_STATUS QUEUED
    const seen: number[] = [];
    let stop = false;
    const reader = (async () => {
      let cursor = 0;
      while (!stop || cursor < 1 + 64 * 5 * 3) {
        const page = await readEvents(rig.db, run.id, { afterSeq: cursor, limit: 1000 });
        for (const e of page.events) seen.push(e.seq);
        cursor = page.nextSeq;
        if (!page.events.length) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all(Array.from({ length: 64 }, (_, w) => appendLogs(run.id, w, 5, 3)));
    stop = true;
    await reader;
    const n = 1 + 64 * 5 * 3;
    const rows = await rig.db.runEvent.findMany({
      where: { runId: run.id },
      select: { seq: true },
      orderBy: { seq: "asc" },
    });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect((await rig.db.run.findUniqueOrThrow({ where: { id: run.id } })).lastSeq).toBe(n);
  });

  it("a rolled-back append gives its seqs back (no gap)", async () => {
    const run = await idleRun();
    await rig.db
      .$transaction(async (tx) => {
        await appendEvents(tx, run.id, [{ type: "LOG", payload: { level: "INFO", message: "lost", nodeKey: null } }]);
        throw new Error("rollback");
      })
      .catch(() => {});
    await appendEventsNow(rig.db, run.id, [
      { type: "LOG", payload: { level: "INFO", message: "kept", nodeKey: null } },
    ]);
    const page = await readEvents(rig.db, run.id);
    expect(page.events.map((e) => [e.seq, e.payload.message ?? e.type])).toEqual([
      [1, "RUN_STATUS"],
      [2, "kept"],
    ]);
  });

  it("readEvents pages by seq, caps limit at 1000 and filters by type", async () => {
    const run = await idleRun();
    await appendLogs(run.id, 0, 3, 500);
    const p1 = await readEvents(rig.db, run.id, { afterSeq: 0, limit: 5000 });
    expect(p1.events).toHaveLength(1000);
    expect(p1.hasMore).toBe(true);
    const p2 = await readEvents(rig.db, run.id, { afterSeq: p1.nextSeq, limit: 5000 });
    expect(p2.events[0].seq).toBe(1001);
    expect(p2.hasMore).toBe(false);
    const statuses = await readEvents(rig.db, run.id, { types: ["RUN_STATUS"] });
    expect(statuses.events.map((e) => e.seq)).toEqual([1]);
  });

  it("stream(afterSeq = k) yields exactly k+1..N across the backlog/live boundary, then ends after RUN_COMPLETED", async () => {
    const run = await idleRun();
    await appendLogs(run.id, 0, 3, 700); // backlog 1..2101: more than one page
    const k = 777;
    const got: RunEventRecord[] = [];
    const ac = new AbortController();
    const consumer = (async () => {
      for await (const e of rig.events.stream(run.id, k, { signal: ac.signal })) got.push(e);
    })();
    // Live writes while the consumer is still paging the backlog.
    const writers = Promise.all(Array.from({ length: 8 }, (_, w) => appendLogs(run.id, w, 10, 4)));
    await writers;
    await appendEventsNow(rig.db, run.id, [
      { type: "RUN_COMPLETED", payload: { status: "SUCCEEDED", nodesSucceeded: 0, nodesFailed: 0, durationMs: 0 } },
    ]);
    const timeout = setTimeout(() => ac.abort(), 15_000);
    await consumer;
    clearTimeout(timeout);
    const last = 1 + 2100 + 8 * 10 * 4 + 1;
    expect(got.map((e) => e.seq)).toEqual(Array.from({ length: last - k }, (_, i) => k + 1 + i));
    expect(got.at(-1)?.type).toBe("RUN_COMPLETED");
    // Sealed: nothing is appended after RUN_COMPLETED.
    const after = await rig.db.$transaction((tx) =>
      appendEvents(tx, run.id, [{ type: "LOG", payload: { level: "INFO", message: "late", nodeKey: null } }]),
    );
    expect(after).toBeNull();
  });

  it("many subscribers of one run share one live feed and all see the same sequence", async () => {
    const run = await idleRun();
    const lists = Array.from({ length: 50 }, () => [] as number[]);
    const consumers = lists.map(async (list) => {
      for await (const e of rig.events.stream(run.id, 0)) list.push(e.seq);
    });
    await new Promise((r) => setTimeout(r, 100));
    // One feed for the run, whatever the number of subscribers …
    expect(rig.events.watchedRuns).toBe(1);
    const reads = async () => (await metrics.feedReads.get()).values.reduce((sum, v) => sum + v.value, 0);
    const before = await reads();
    await Promise.all(Array.from({ length: 4 }, (_, w) => appendLogs(run.id, w, 5, 5)));
    await appendEventsNow(rig.db, run.id, [
      { type: "RUN_COMPLETED", payload: { status: "SUCCEEDED", nodesSucceeded: 0, nodesFailed: 0, durationMs: 0 } },
    ]);
    await Promise.all(consumers);
    const expected = Array.from({ length: 1 + 100 + 1 }, (_, i) => i + 1);
    for (const list of lists) expect(list).toEqual(expected);
    // … and one read of the log per doorbell (21 commits) for all 50 of them, not one each.
    expect(await reads()).toBeLessThanOrEqual(before + 2 * 21);
  });
});
