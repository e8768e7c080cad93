import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideGate } from "../../lib/engine/gates";
import { allEvents, buildRig, expectGapless, finished, submit, type TestRig, waitForNode, waitForRun } from "./helpers";

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig();
});
afterAll(async () => rig.stop());

describe("engine: sleep, transform, gate", () => {
  it("runs a chain to SUCCEEDED with a gapless log ending in RUN_COMPLETED", async () => {
    const run = await submit(rig, {
      name: "chain",
      params: { n: 3 },
      nodes: [
        { id: "a", kind: "sleep", with: { ms: 50 } },
        {
          id: "b",
          kind: "transform",
          needs: ["a"],
          with: { expression: "{ 'double': $$.params.n * 2, 'slept': inputs.a.sleptMs }" },
        },
      ],
    });
    const done = await waitForRun(rig.db, run.id, finished);
    expect(done.status).toBe("SUCCEEDED");
    const b = await rig.db.runNode.findUniqueOrThrow({ where: { runId_key: { runId: run.id, key: "b" } } });
    expect(b.output).toEqual({ double: 6, slept: 50 });
    const events = await allEvents(rig.db, run.id);
    expectGapless(events);
    expect(events.at(-1)?.type).toBe("RUN_COMPLETED");
    expect(events.map((e) => e.type)).toContain("EDGE_ACTIVE");
  });

  it("approves a gate: output is the presented value", async () => {
    const run = await submit(rig, {
      name: "gate",
      nodes: [
        { id: "a", kind: "transform", with: { expression: "[1,2,3]" } },
        { id: "g", kind: "gate", needs: ["a"], with: { title: "ok?", show: "inputs.a" } },
      ],
    });
    await waitForNode(rig.db, run.id, "g", "WAITING");
    await decideGate(rig.db, { runId: run.id, nodeKey: "g", decision: "APPROVE", decidedBy: "test" });
    const done = await waitForRun(rig.db, run.id, finished);
    expect(done.status).toBe("SUCCEEDED");
  });
});
