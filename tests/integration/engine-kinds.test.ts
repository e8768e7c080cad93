import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideGate } from "../../lib/engine/gates";
import { claimExternal } from "../../lib/engine/leases";
import { completeNode, reportProgress } from "../../lib/engine/report";
import { readResults } from "../../lib/engine/results";
import { isDomainError } from "../../lib/errors";
import { allEvents, buildRig, expectGapless, finished, submit, type TestRig, waitForNode, waitForRun } from "./helpers";

let rig: TestRig;
let server: http.Server;
let base: string;
let flaky = 0;

beforeAll(async () => {
  rig = await buildRig();
  server = http.createServer((req, res) => {
    if (req.url === "/items")
      return res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ items: [{ v: 1 }, { v: 2 }, { v: 3 }] }));
    if (req.url === "/flaky") {
      flaky++;
      if (flaky < 3) return res.writeHead(503).end("try again");
      return res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    }
    res.writeHead(404).end("nope");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await rig.stop();
});

const node = async (runId: string, key: string) =>
  rig.db.runNode.findUniqueOrThrow({ where: { runId_key: { runId, key } } });

describe("node kinds", () => {
  it("http: parses JSON; non-2xx fails the node and the run", async () => {
    const ok = await submit(rig, { name: "h", nodes: [{ id: "get", kind: "http", with: { url: `${base}/items` } }] });
    expect((await waitForRun(rig.db, ok.id, finished)).status).toBe("SUCCEEDED");
    const out = (await node(ok.id, "get")).output as { status: number; body: { items: unknown[] } };
    expect(out.status).toBe(200);
    expect(out.body.items).toHaveLength(3);

    const bad = await submit(rig, {
      name: "h404",
      nodes: [{ id: "get", kind: "http", with: { url: `${base}/missing` } }],
    });
    const run = await waitForRun(rig.db, bad.id, finished);
    expect(run.status).toBe("FAILED");
    expect((await node(bad.id, "get")).error).toContain("HTTP 404");
  });

  it("retries with backoff, then succeeds (attempt 3)", async () => {
    flaky = 0;
    const run = await submit(rig, {
      name: "retry",
      nodes: [{ id: "f", kind: "http", retries: 3, retryDelayMs: 50, with: { url: `${base}/flaky` } }],
    });
    expect((await waitForRun(rig.db, run.id, finished)).status).toBe("SUCCEEDED");
    const f = await node(run.id, "f");
    expect(f.attempt).toBe(3);
    const logs = (await allEvents(rig.db, run.id)).filter(
      (e) => e.type === "LOG" && String(e.payload.message).includes("failed"),
    );
    expect(logs).toHaveLength(2);
  });

  it("map: grows the DAG at run time (DAG_MUTATED), respects concurrency, completes with children outputs", async () => {
    const run = await submit(rig, {
      name: "map",
      nodes: [
        { id: "src", kind: "transform", with: { expression: "[10, 20, 30, 40, 50]" } },
        {
          id: "each",
          kind: "map",
          needs: ["src"],
          with: { over: "inputs.src", concurrency: 2, node: { kind: "transform", with: { expression: "item * 2" } } },
        },
        { id: "sum", kind: "transform", needs: ["each"], with: { expression: "$sum(inputs.each)" } },
      ],
    });
    expect((await waitForRun(rig.db, run.id, finished)).status).toBe("SUCCEEDED");
    expect((await node(run.id, "each")).output).toEqual([20, 40, 60, 80, 100]);
    expect((await node(run.id, "sum")).output).toBe(300);
    const events = await allEvents(rig.db, run.id);
    expectGapless(events);
    const mutated = events.find((e) => e.type === "DAG_MUTATED")!;
    const added = mutated.payload.addedNodes as { key: string; dynamic: boolean }[];
    expect(added.map((n) => n.key)).toEqual(["each[0]", "each[1]", "each[2]", "each[3]", "each[4]"]);
    expect(added.every((n) => n.dynamic)).toBe(true);
    expect(mutated.payload.addedEdges).toContainEqual({ from: "each", to: "each[4]" });
    // Never more than 2 children running at once.
    let running = 0;
    let peak = 0;
    for (const e of events) {
      const n = e.payload.node as { key: string; status: string } | undefined;
      if (e.type !== "NODE_STATE" || !n?.key.startsWith("each[")) continue;
      if (n.status === "RUNNING") peak = Math.max(peak, ++running);
      if (n.status === "SUCCEEDED") running--;
    }
    expect(peak).toBeLessThanOrEqual(2);
  });

  it("gate MODIFY: output is the patch; REJECT fails the gate and skips downstream", async () => {
    const spec = {
      name: "gates",
      nodes: [
        { id: "g", kind: "gate", with: { title: "go?", show: "{'x': 1}" } },
        { id: "after", kind: "transform", needs: ["g"], with: { expression: "inputs.g" } },
      ],
    };
    const a = await submit(rig, spec);
    await waitForNode(rig.db, a.id, "g", "WAITING");
    await decideGate(rig.db, {
      runId: a.id,
      nodeKey: "g",
      decision: "MODIFY",
      patch: { x: 2 },
      feedback: "bump",
      decidedBy: "t",
    });
    expect((await waitForRun(rig.db, a.id, finished)).status).toBe("SUCCEEDED");
    expect((await node(a.id, "after")).output).toEqual({ x: 2 });

    const b = await submit(rig, spec);
    await waitForNode(rig.db, b.id, "g", "WAITING");
    await decideGate(rig.db, {
      runId: b.id,
      nodeKey: "g",
      decision: "REJECT",
      feedback: "not today",
      decidedBy: "t",
      idempotencyKey: "k1",
    });
    const run = await waitForRun(rig.db, b.id, finished);
    expect(run.status).toBe("FAILED");
    expect((await node(b.id, "g")).error).toContain("not today");
    expect((await node(b.id, "after")).status).toBe("SKIPPED");
    // Same key again: idempotent. A different decision: CONFLICT.
    await decideGate(rig.db, {
      runId: b.id,
      nodeKey: "g",
      decision: "REJECT",
      feedback: "not today",
      decidedBy: "t",
      idempotencyKey: "k1",
    });
    await expect(
      decideGate(rig.db, { runId: b.id, nodeKey: "g", decision: "APPROVE", decidedBy: "u", idempotencyKey: "k2" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const decided = (await allEvents(rig.db, b.id)).filter((e) => e.type === "GATE_DECIDED");
    expect(decided).toHaveLength(1);
  });

  it("command: workflow commands report progress, cost, metrics, output and result rows", async () => {
    const script = [
      "console.log('hello from the command');",
      "console.log('::progress 0.5');",
      "console.log('::cost 0.25');",
      "console.log('::metric loss=0.125');",
      "console.log('::result ' + JSON.stringify({model: 'a', score: 0.9}));",
      "console.log('::result ' + JSON.stringify({model: 'b', score: 0.7, extra: 1}));",
      "console.log('::output ' + JSON.stringify({best: 'a'}));",
      "console.error('a warning');",
    ].join("\n");
    const run = await submit(rig, {
      name: "cmd",
      nodes: [{ id: "c", kind: "command", cost: 0.1, with: { argv: ["node", "-e", script] } }],
    });
    const done = await waitForRun(rig.db, run.id, finished);
    expect(done.status).toBe("SUCCEEDED");
    const c = await node(run.id, "c");
    expect(c.output).toEqual({ best: "a" });
    expect(c.metrics).toEqual({ loss: 0.125 });
    expect(c.cost).toBeCloseTo(0.35);
    expect(done.spent).toBeCloseTo(0.35);
    expect(done.resultsColumns).toEqual(["model", "score", "extra"]);
    expect((await readResults(rig.db, done)).rows).toHaveLength(2);
    const logs = (await allEvents(rig.db, run.id)).filter((e) => e.type === "LOG").map((e) => e.payload);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: "INFO", message: "hello from the command", nodeKey: "c" }),
    );
    expect(logs).toContainEqual(expect.objectContaining({ level: "WARNING", message: "a warning" }));
  });

  it("external: claimed by a worker with a lease; a stale epoch is LEASE_LOST; results: true fills the table", async () => {
    const run = await submit(rig, {
      name: "ext",
      nodes: [
        { id: "score", kind: "external", results: true, with: { queue: `q-${rig.namespace}`, input: { rows: 2 } } },
      ],
    });
    await waitForNode(rig.db, run.id, "score", "QUEUED");
    const claim = await claimExternal(rig.db, {
      namespace: rig.namespace,
      queue: `q-${rig.namespace}`,
      owner: "ext-1",
      leaseMs: 5000,
    });
    expect(claim).toMatchObject({ nodeKey: "score", input: { rows: 2 }, attempt: 1 });
    await reportProgress(
      rig.db,
      { runId: run.id, nodeId: claim!.nodeId, epoch: claim!.epoch },
      { progress: 0.5, logs: [{ level: "INFO", message: "scoring" }] },
    );
    const stale = { runId: run.id, nodeId: claim!.nodeId, epoch: claim!.epoch - 1 };
    const err = await completeNode(rig.db, stale, []).catch((e) => e);
    expect(isDomainError(err, "LEASE_LOST")).toBe(true);
    await completeNode(rig.db, { runId: run.id, nodeId: claim!.nodeId, epoch: claim!.epoch }, [
      { name: "x", score: 1 },
      { name: "y", score: 0.5 },
    ]);
    const done = await waitForRun(rig.db, run.id, finished);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.resultsColumns).toEqual(["name", "score"]);
    const again = await completeNode(rig.db, { runId: run.id, nodeId: claim!.nodeId, epoch: claim!.epoch }, []).catch(
      (e) => e,
    );
    expect(isDomainError(again, "LEASE_LOST")).toBe(true);
  });

  it("timeout: a node over its timeoutMs fails with a timeout error", async () => {
    const run = await submit(rig, {
      name: "to",
      nodes: [{ id: "s", kind: "sleep", timeoutMs: 200, with: { ms: 5000 } }],
    });
    const done = await waitForRun(rig.db, run.id, finished, 10_000);
    expect(done.status).toBe("FAILED");
    expect((await node(run.id, "s")).error).toContain("timed out after 200 ms");
  });

  it("trigger rules: all_done runs after a failure and absorbs it; any_succeeded needs one success", async () => {
    const run = await submit(rig, {
      name: "triggers",
      nodes: [
        { id: "ok", kind: "transform", with: { expression: "1" } },
        { id: "bad", kind: "http", with: { url: `${base}/missing` } },
        { id: "cleanup", kind: "transform", needs: ["bad"], trigger: "all_done", with: { expression: "'cleaned'" } },
        {
          id: "either",
          kind: "transform",
          needs: ["ok", "bad"],
          trigger: "any_succeeded",
          with: { expression: "'one'" },
        },
        { id: "strict", kind: "transform", needs: ["ok", "bad"], with: { expression: "'never'" } },
      ],
    });
    const done = await waitForRun(rig.db, run.id, finished);
    expect((await node(run.id, "cleanup")).status).toBe("SUCCEEDED");
    expect((await node(run.id, "either")).status).toBe("SUCCEEDED");
    expect((await node(run.id, "strict")).status).toBe("SKIPPED");
    // `bad` is absorbed by cleanup (all_done) → the run succeeds.
    expect(done.status).toBe("SUCCEEDED");
  });
});

describe("failure messages", () => {
  it("a JSONata evaluation error reads as its message, not [object Object]", async () => {
    const run = await submit(rig, {
      name: "jsonata-err",
      nodes: [{ id: "t", kind: "transform", with: { expression: "$number('abc') + $undefinedFn()" } }],
    });
    await waitForRun(rig.db, run.id, finished);
    const t = await node(run.id, "t");
    expect(t.status).toBe("FAILED");
    expect(t.error).not.toContain("[object Object]");
    expect(t.error?.length).toBeGreaterThan(5);
  });
});
