import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRun } from "../../lib/engine/run-tx";
import { isDomainError } from "../../lib/errors";
import { allEvents, buildRig, finished, submit, type TestRig, waitForRun } from "./helpers";

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
