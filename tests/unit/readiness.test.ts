import { describe, expect, it } from "vitest";
import { type ReadinessNode, resolvePending, runOutcome, runProgress, verdict } from "../../lib/engine/readiness";
import { canTransitionRun } from "../../lib/engine/statuses";

const build = (
  key: string,
  status: ReadinessNode["status"],
  needs: string[] = [],
  trigger: ReadinessNode["trigger"] = "all_succeeded",
): ReadinessNode => ({
  key,
  status,
  needs,
  trigger,
  parentKey: null,
});

describe("trigger rules", () => {
  it("all_succeeded waits, runs, or skips", () => {
    expect(verdict("all_succeeded", ["SUCCEEDED", "RUNNING"])).toBe("wait");
    expect(verdict("all_succeeded", ["SUCCEEDED", "SUCCEEDED"])).toBe("ready");
    expect(verdict("all_succeeded", ["FAILED", "RUNNING"])).toBe("skip");
    expect(verdict("all_succeeded", ["SKIPPED"])).toBe("skip");
  });
  it("all_done runs after any terminal outcome", () => {
    expect(verdict("all_done", ["FAILED", "SUCCEEDED"])).toBe("ready");
    expect(verdict("all_done", ["FAILED", "WAITING"])).toBe("wait");
  });
  it("any_succeeded needs one success", () => {
    expect(verdict("any_succeeded", ["FAILED", "SUCCEEDED"])).toBe("ready");
    expect(verdict("any_succeeded", ["FAILED", "RUNNING"])).toBe("wait");
    expect(verdict("any_succeeded", ["FAILED", "SKIPPED"])).toBe("skip");
  });
  it("roots are ready", () => expect(verdict("all_succeeded", [])).toBe("ready"));
});

describe("resolvePending", () => {
  it("cascades skips down a chain but queues all_done nodes", () => {
    const nodes = [
      build("a", "FAILED"),
      build("b", "PENDING", ["a"]),
      build("c", "PENDING", ["b"]),
      build("d", "PENDING", ["c"], "all_done"),
    ];
    expect(resolvePending(nodes)).toEqual({ ready: ["d"], skipped: ["b", "c"] });
  });
  it("leaves map children to their map node", () => {
    const child = { ...build("m[0]", "PENDING"), parentKey: "m" };
    expect(resolvePending([build("m", "RUNNING"), child])).toEqual({ ready: [], skipped: [] });
  });
});

describe("run outcome", () => {
  it("fails on an unabsorbed failure, succeeds when all_done absorbed it", () => {
    expect(runOutcome([build("a", "FAILED"), build("b", "SKIPPED", ["a"])])).toBe("FAILED");
    expect(runOutcome([build("a", "FAILED"), build("b", "SUCCEEDED", ["a"], "all_done")])).toBe("SUCCEEDED");
    expect(runOutcome([build("a", "SUCCEEDED")])).toBe("SUCCEEDED");
  });
  it("progress counts terminal nodes and partial progress", () => {
    expect(
      runProgress([
        { status: "SUCCEEDED", progress: 1 },
        { status: "RUNNING", progress: 0.5 },
      ]),
    ).toBe(0.75);
  });
});

describe("run transitions", () => {
  it("follows QUEUED → RUNNING ⇄ PAUSED → terminal", () => {
    expect(canTransitionRun("QUEUED", "RUNNING")).toBe(true);
    expect(canTransitionRun("RUNNING", "PAUSED")).toBe(true);
    expect(canTransitionRun("PAUSED", "RUNNING")).toBe(true);
    expect(canTransitionRun("PAUSED", "SUCCEEDED")).toBe(false);
    expect(canTransitionRun("SUCCEEDED", "RUNNING")).toBe(false);
    expect(canTransitionRun("CANCELLED", "CANCELLED")).toBe(false);
  });
});
