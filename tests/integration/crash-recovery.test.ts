import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allEvents,
  buildRig,
  completionsByNode,
  expectGapless,
  finished,
  submit,
  type TestRig,
  waitForRun,
} from "./helpers";
import { killHard, startWorkerProcess } from "./processes";

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig({ worker: false });
});
afterAll(async () => rig.stop());

describe("durability across processes", () => {
  it("kill -9 of the worker mid-run → a new worker finishes it: gapless log, every node completed once", async () => {
    const run = await submit(rig, {
      name: "crash",
      nodes: [
        { id: "s1", kind: "sleep", with: { ms: 300 } },
        { id: "s2", kind: "sleep", needs: ["s1"], with: { ms: 300 } },
        {
          id: "fan",
          kind: "map",
          needs: ["s2"],
          with: { over: "[1,2,3,4,5,6,7,8]", concurrency: 4, node: { kind: "sleep", with: { ms: 400 } } },
        },
        { id: "s3", kind: "sleep", needs: ["fan"], with: { ms: 600 } },
        { id: "s4", kind: "transform", needs: ["s3"], with: { expression: "'done'" } },
      ],
    });
    const a = startWorkerProcess();
    // Kill it while the fan-out is in flight.
    await waitForRun(rig.db, run.id, () => true);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const running = await rig.db.runNode.count({ where: { runId: run.id, parentKey: "fan", status: "RUNNING" } });
      if (running > 0) break;
      if (Date.now() > deadline) throw new Error("fan-out never started");
      await new Promise((r) => setTimeout(r, 20));
    }
    await killHard(a);
    const b = startWorkerProcess();
    try {
      const done = await waitForRun(rig.db, run.id, finished, 45_000);
      expect(done.status).toBe("SUCCEEDED");
    } finally {
      await killHard(b);
    }
    const events = await allEvents(rig.db, run.id);
    expectGapless(events);
    const completions = completionsByNode(events);
    const nodes = await rig.db.runNode.findMany({ where: { runId: run.id } });
    expect(nodes).toHaveLength(5 + 8);
    for (const n of nodes) {
      expect(n.status).toBe("SUCCEEDED");
      expect(completions.get(n.key)).toBe(1);
    }
    // At least one node was retried after its lease expired (the killed worker's).
    expect(nodes.some((n) => n.attempt > 1)).toBe(true);
  }, 90_000);

  it("two worker processes share one run's nodes without double completion", async () => {
    const script = "setTimeout(() => console.log('::output ' + JSON.stringify({ pid: process.ppid })), 300)";
    const workers = [
      startWorkerProcess({ SIGNALBOX_WORKER_CONCURRENCY: "4" }),
      startWorkerProcess({ SIGNALBOX_WORKER_CONCURRENCY: "4" }),
    ];
    await Promise.all(workers.map((w) => w.ready));
    const run = await submit(rig, {
      name: "two-workers",
      nodes: [
        {
          id: "fan",
          kind: "map",
          with: { over: "[1..24]", concurrency: 24, node: { kind: "command", with: { argv: ["node", "-e", script] } } },
        },
      ],
    });
    try {
      const done = await waitForRun(rig.db, run.id, finished, 60_000);
      expect(done.status).toBe("SUCCEEDED");
    } finally {
      await Promise.all(workers.map(killHard));
    }
    const children = await rig.db.runNode.findMany({ where: { runId: run.id, parentKey: "fan" } });
    expect(children).toHaveLength(24);
    const pids = new Set(children.map((c) => (c.output as { pid: number }).pid));
    expect(pids).toEqual(new Set(workers.map((w) => w.pid)));
    const events = await allEvents(rig.db, run.id);
    expectGapless(events);
    for (const c of children) expect(completionsByNode(events).get(c.key)).toBe(1);
  }, 90_000);
});
