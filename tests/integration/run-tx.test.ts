import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setNode } from "../../lib/engine/advance";
import { cancelRun, startQueuedRuns } from "../../lib/engine/control";
import { heartbeat } from "../../lib/engine/report";
import { withRun } from "../../lib/engine/run-tx";
import { isDomainError } from "../../lib/errors";
import { appendEventsNow } from "../../lib/events/append";
import { allEvents, buildRig, finished, submit, type TestRig, waitForNode, waitForRun } from "./helpers";

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig();
});
afterAll(() => rig?.stop());

describe("withRun", () => {
  it("refuses (and rolls back) a state change of a run whose log is sealed", async () => {
    const run = await submit(rig, { name: "sealed", nodes: [{ id: "a", kind: "sleep", with: { ms: 10 } }] });
    await waitForRun(rig.db, run.id, finished);
    const before = await allEvents(rig.db, run.id);
    const err = await withRun(rig.db, run.id, async (c) => {
      await c.tx.run.update({ where: { id: run.id }, data: { label: "changed after the end" } });
      c.emit("LOG", { level: "INFO", message: "too late", nodeKey: null });
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDomainError(err, "INVALID_TRANSITION")).toBe(true);
    const after = await rig.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.label).not.toBe("changed after the end");
    expect(await allEvents(rig.db, run.id)).toEqual(before);
  });
});

describe("node transitions", () => {
  it("a write that breaks the node transition table throws INVALID_TRANSITION and changes nothing", async () => {
    const run = await submit(rig, {
      name: "transitions",
      nodes: [
        { id: "a", kind: "transform", with: { expression: "1" } },
        { id: "g", kind: "gate", needs: ["a"], with: { title: "hold" } },
      ],
    });
    await waitForNode(rig.db, run.id, "g", "WAITING");
    const nodes = await rig.db.runNode.findMany({ where: { runId: run.id } });
    const byKey = (k: string) => nodes.find((n) => n.key === k)!;
    const before = await allEvents(rig.db, run.id);
    const attempt = (key: string, data: Parameters<typeof setNode>[2]) =>
      withRun(rig.db, run.id, (c) => setNode(c, byKey(key).id, data)).then(
        () => null,
        (e: unknown) => e,
      );

    // Out of a terminal status, a skipped step, and a field change of a finished node.
    const errors = [
      await attempt("a", { status: "RUNNING" }),
      await attempt("g", { status: "QUEUED" }),
      await attempt("a", { progress: 0.5 }),
    ];
    for (const err of errors) expect(isDomainError(err, "INVALID_TRANSITION")).toBe(true);
    expect(String((errors[0] as Error).message)).toContain("node a is SUCCEEDED");
    expect((await rig.db.runNode.findUniqueOrThrow({ where: { id: byKey("a").id } })).status).toBe("SUCCEEDED");
    expect((await rig.db.runNode.findUniqueOrThrow({ where: { id: byKey("g").id } })).status).toBe("WAITING");
    expect(await allEvents(rig.db, run.id)).toEqual(before);

    // A step the table allows goes through, with its NODE_STATE event.
    expect(await attempt("g", { status: "CANCELLED", finishedAt: new Date() })).toBeNull();
    const after = await allEvents(rig.db, run.id);
    expect(after.length).toBe(before.length + 1);
    expect(after.at(-1)?.type).toBe("NODE_STATE");
  });
});

describe("starting queued runs", () => {
  it("a queued run that cannot start (its log already sealed) does not hold back the others", async () => {
    const idle = await buildRig({ worker: false });
    try {
      const sealed = await submit(idle, {
        name: "sealed-queued",
        nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }],
      });
      await appendEventsNow(idle.db, sealed.id, [
        { type: "RUN_COMPLETED", payload: { status: "CANCELLED", nodesSucceeded: 0, nodesFailed: 0, durationMs: 0 } },
      ]);
      const next = await submit(idle, { name: "after-it", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] });
      const errors: string[] = [];
      await startQueuedRuns(idle.db, 1_000, 1_000, (id) => errors.push(id));
      expect((await idle.db.run.findUniqueOrThrow({ where: { id: next.id } })).status).toBe("RUNNING");
      expect((await idle.db.run.findUniqueOrThrow({ where: { id: sealed.id } })).status).toBe("QUEUED");
      expect(errors).toEqual([]);
    } finally {
      await idle.stop();
    }
  });
});

describe("lease heartbeat", () => {
  it("skips a node row another transaction holds (no wait, so no deadlock) and reports only leases really lost", async () => {
    const run = await submit(rig, {
      name: "beats",
      nodes: [
        { id: "a", kind: "sleep", with: { ms: 20_000 } },
        { id: "b", kind: "sleep", with: { ms: 20_000 } },
      ],
    });
    const a = await waitForNode(rig.db, run.id, "a", "RUNNING");
    const b = await waitForNode(rig.db, run.id, "b", "RUNNING");
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    // A transaction holding a's row, as a completion of several nodes of the run does.
    const holder = rig.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM run_nodes WHERE id = ${a.id}::uuid FOR UPDATE`;
      locked();
      await held;
    });
    await isLocked;
    const before = (await rig.db.runNode.findUniqueOrThrow({ where: { id: b.id } })).leaseExpiresAt!;
    const gone = randomUUID();
    await new Promise((r) => setTimeout(r, 20));
    const lost = await heartbeat(
      rig.db,
      [
        { runId: run.id, nodeId: a.id, epoch: a.leaseEpoch },
        { runId: run.id, nodeId: b.id, epoch: b.leaseEpoch },
        { runId: run.id, nodeId: gone, epoch: 1 }, // a node that is not there
      ],
      60_000,
    );
    release();
    await holder;
    expect(lost).toEqual([gone]); // a (busy) is neither extended nor lost
    // A lease under an epoch the node no longer has is lost.
    expect(await heartbeat(rig.db, [{ runId: run.id, nodeId: b.id, epoch: b.leaseEpoch + 7 }], 60_000)).toEqual([b.id]);
    const after = (await rig.db.runNode.findUniqueOrThrow({ where: { id: b.id } })).leaseExpiresAt!;
    expect(after.getTime()).toBeGreaterThan(before.getTime());
    await cancelRun(rig.db, run.id);
  });
});
