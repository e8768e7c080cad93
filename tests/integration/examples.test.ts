import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as demoScores } from "../../app/api/demo/scores/route";
import { resumeRun, setBudget } from "../../lib/engine/control";
import { decideGate } from "../../lib/engine/gates";
import { readResults } from "../../lib/engine/results";
import { seedExamples } from "../../lib/pipelines/seed";
import { readMetricPoints } from "../../lib/runs/metric-points";
import { submitRun } from "../../lib/runs/submit-run";
import { buildRig, finished, type TestRig, waitForNode, waitForRun } from "./helpers";

let rig: TestRig;
let server: http.Server;
let registered: string[];

beforeAll(async () => {
  rig = await buildRig();
  // The examples call the app's own demo endpoint; serve the same route handler here.
  server = http.createServer(async (req, res) => {
    const r = demoScores(new Request(`http://127.0.0.1${req.url}`));
    res.writeHead(r.status, { "content-type": "application/json" }).end(await r.text());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  registered = await seedExamples(rig.db, rig.namespace, (server.address() as AddressInfo).port, true);
});
afterAll(async () => {
  server.close();
  await rig.stop();
});

const start = (pipeline: string) => submitRun(rig.db, { namespace: rig.namespace, pipeline }, { allowCommands: true });

describe("example pipelines", () => {
  it("are all registered, once per checksum", async () => {
    expect(registered.sort()).toEqual(["command-metrics", "hello-gate", "nightly-report", "scoring-fanout"]);
    const again = await seedExamples(rig.db, rig.namespace, (server.address() as AddressInfo).port, true);
    expect(again).toHaveLength(4);
    expect(await rig.db.pipeline.count({ where: { namespace: rig.namespace } })).toBe(4);
  });

  it("hello-gate: waits for approval, then fills the results table", async () => {
    const run = await start("hello-gate");
    await waitForNode(rig.db, run.id, "approve", "WAITING");
    await decideGate(rig.db, { runId: run.id, nodeKey: "approve", decision: "APPROVE", decidedBy: "test" });
    const done = await waitForRun(rig.db, run.id, finished);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.resultsColumns).toEqual(["sent", "at"]);
    expect(((await readResults(rig.db, done)).rows as { sent: string }[])[0].sent).toBe("hello, operator");
  });

  it("scoring-fanout: http → map with costs → pauses at budget → raise + resume → leaderboard", async () => {
    const run = await start("scoring-fanout");
    const paused = await waitForRun(rig.db, run.id, (r) => r.status === "PAUSED", 30_000);
    expect(paused.statusReason).toBe("BUDGET");
    expect(paused.spent).toBeLessThanOrEqual(0.3 + 1e-9);
    await setBudget(rig.db, run.id, 2);
    await resumeRun(rig.db, run.id);
    const done = await waitForRun(rig.db, run.id, finished, 30_000);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.resultsColumns).toEqual(["model", "score", "latency_ms", "params_b"]);
    const scores = ((await readResults(rig.db, done)).rows as { score: number }[]).map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  }, 60_000);

  it("nightly-report: review gate, fan-out, results, all_done archive", async () => {
    const run = await start("nightly-report");
    await waitForNode(rig.db, run.id, "review", "WAITING", 30_000);
    await decideGate(rig.db, { runId: run.id, nodeKey: "review", decision: "APPROVE", decidedBy: "test" });
    const done = await waitForRun(rig.db, run.id, finished, 30_000);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.resultsColumns).toEqual(["name", "score", "day"]);
    expect(((await readResults(rig.db, done)).rows as unknown[]).length).toBeGreaterThan(0);
  }, 60_000);

  it("command-metrics: progress, metrics, cost and result rows from a subprocess", async () => {
    const run = await start("command-metrics");
    const done = await waitForRun(rig.db, run.id, finished, 30_000);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.spent).toBeCloseTo(0.1);
    expect(done.resultsColumns).toEqual(["epoch", "loss", "accuracy"]);
    expect((await readResults(rig.db, done)).rows).toHaveLength(5);
    // Every `::metric loss=…` is a point of the loss curve, with its attempt.
    const points = await readMetricPoints(rig.db, run.id);
    expect(points.map((p) => [p.name, p.value, p.attempt])).toEqual(
      [1, 2, 3, 4, 5].map((epoch) => ["loss", 1 / (epoch + 1), 1]),
    );
  });
});

describe("example seeding", () => {
  it("a start on another port does not add versions", async () => {
    const before = await rig.db.pipeline.count({ where: { namespace: rig.namespace } });
    await seedExamples(rig.db, rig.namespace, 65000, true);
    expect(await rig.db.pipeline.count({ where: { namespace: rig.namespace } })).toBe(before);
  });
});
