import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelRun, pauseRun, resumeRun, setBudget } from "../../lib/engine/control";
import { allEvents, buildRig, expectGapless, finished, submit, type TestRig, waitForNode, waitForRun } from "./helpers";

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig();
});
afterAll(async () => rig.stop());

const node = async (runId: string, key: string) =>
  rig.db.runNode.findUniqueOrThrow({ where: { runId_key: { runId, key } } });

describe("run control", () => {
  it("budget: pauses before overspending, resumes after raising it; spent never exceeds the budget", async () => {
    const run = await submit(rig, {
      name: "budget",
      budget: 0.25,
      nodes: [
        { id: "a", kind: "transform", cost: 0.1, with: { expression: "1" } },
        { id: "b", kind: "transform", cost: 0.1, needs: ["a"], with: { expression: "2" } },
        { id: "c", kind: "transform", cost: 0.1, needs: ["b"], with: { expression: "3" } },
      ],
    });
    const paused = await waitForRun(rig.db, run.id, (r) => r.status === "PAUSED");
    expect(paused.statusReason).toBe("BUDGET");
    expect(paused.spent).toBeCloseTo(0.2);
    expect((await node(run.id, "c")).status).toBe("QUEUED");
    // Resuming without more budget pauses again at once.
    await resumeRun(rig.db, run.id);
    await waitForRun(rig.db, run.id, (r) => r.status === "PAUSED");
    await setBudget(rig.db, run.id, 0.5);
    await resumeRun(rig.db, run.id);
    const done = await waitForRun(rig.db, run.id, finished);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.spent).toBeCloseTo(0.3);
    const events = await allEvents(rig.db, run.id);
    expectGapless(events);
    const statuses = events
      .filter((e) => e.type === "RUN_STATUS")
      .map((e) => `${e.payload.status}:${e.payload.reason ?? ""}`);
    expect(statuses).toContain("PAUSED:BUDGET");
    const costs = events.filter((e) => e.type === "COST_UPDATE").map((e) => e.payload.spent as number);
    expect(Math.max(...costs)).toBeCloseTo(0.3);
  });

  it("pause: running nodes finish, nothing new starts until resume", async () => {
    const run = await submit(rig, {
      name: "pause",
      nodes: [
        { id: "a", kind: "sleep", with: { ms: 400 } },
        { id: "b", kind: "transform", needs: ["a"], with: { expression: "1" } },
      ],
    });
    await waitForNode(rig.db, run.id, "a", "RUNNING");
    await pauseRun(rig.db, run.id);
    await waitForNode(rig.db, run.id, "a", "SUCCEEDED");
    await new Promise((r) => setTimeout(r, 500));
    expect((await node(run.id, "b")).status).toBe("QUEUED");
    expect((await rig.db.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("PAUSED");
    await resumeRun(rig.db, run.id);
    expect((await waitForRun(rig.db, run.id, finished)).status).toBe("SUCCEEDED");
  });

  it("cancel mid-sleep: the sleep aborts within a second, pending nodes are CANCELLED, the log is sealed", async () => {
    const run = await submit(rig, {
      name: "cancel-sleep",
      nodes: [
        { id: "long", kind: "sleep", with: { ms: 60_000 } },
        { id: "next", kind: "transform", needs: ["long"], with: { expression: "1" } },
      ],
    });
    await waitForNode(rig.db, run.id, "long", "RUNNING");
    const t0 = Date.now();
    await cancelRun(rig.db, run.id);
    // The worker drops the execution: nothing of this run stays active in it.
    while (rig.worker!.running > 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - t0).toBeLessThan(1000);
    const done = await rig.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.status).toBe("CANCELLED");
    expect((await node(run.id, "long")).status).toBe("CANCELLED");
    expect((await node(run.id, "next")).status).toBe("CANCELLED");
    await new Promise((r) => setTimeout(r, 300));
    const events = await allEvents(rig.db, run.id);
    expectGapless(events);
    expect(events.at(-1)?.type).toBe("RUN_COMPLETED");
  });

  it("cancel mid-command: the subprocess gets SIGTERM within a second", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-cancel-"));
    const marker = path.join(dir, "got-sigterm");
    const script = `process.on('SIGTERM', () => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes'); process.exit(143); }); console.log('started'); setInterval(() => {}, 1000);`;
    const run = await submit(rig, {
      name: "cancel-cmd",
      nodes: [{ id: "c", kind: "command", with: { argv: ["node", "-e", script] } }],
    });
    await waitForNode(rig.db, run.id, "c", "RUNNING");
    // Wait until the process is up (its first line was logged).
    const deadline = Date.now() + 10_000;
    while (!(await allEvents(rig.db, run.id)).some((e) => e.payload.message === "started") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    await cancelRun(rig.db, run.id);
    while (!fs.existsSync(marker) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(marker)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await node(run.id, "c")).status).toBe("CANCELLED");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("cancel of a finished run is an INVALID_TRANSITION", async () => {
    const run = await submit(rig, { name: "done", nodes: [{ id: "a", kind: "transform", with: { expression: "1" } }] });
    await waitForRun(rig.db, run.id, finished);
    await expect(cancelRun(rig.db, run.id)).rejects.toMatchObject({ code: "INVALID_TRANSITION" });
  });
});
