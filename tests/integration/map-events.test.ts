import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEvents, buildRig, finished, submit, type TestRig, waitForRun } from "./helpers";

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig();
});
afterAll(() => rig?.stop());

describe("map expansion", () => {
  it("records the parent's new progress and item count in the log, in the same commit as DAG_MUTATED", async () => {
    const run = await submit(rig, {
      name: "map-events",
      nodes: [
        { id: "items", kind: "transform", with: { expression: "[1, 2, 3]" } },
        {
          id: "each",
          kind: "map",
          needs: ["items"],
          with: { over: "inputs.items", node: { kind: "sleep", with: { ms: 5 } } },
        },
      ],
    });
    await waitForRun(rig.db, run.id, finished);
    const events = await allEvents(rig.db, run.id);
    const mutated = events.findIndex((e) => e.type === "DAG_MUTATED");
    expect(mutated).toBeGreaterThan(0);
    const parentStates = events
      .slice(0, mutated)
      .filter((e) => e.type === "NODE_STATE" && (e.payload.node as { key: string }).key === "each");
    const last = parentStates.at(-1)?.payload.node as { progress: number; metrics: unknown; status: string };
    expect(last).toMatchObject({ status: "RUNNING", progress: 0, metrics: { items: 3 } });
  });
});
