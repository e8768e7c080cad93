import { describe, expect, it } from "vitest";
import { formatCost, formatDuration } from "../../app/components/format";
import { backoffDelay } from "../../app/components/live/backoff";
import { runMatches } from "../../app/components/live/graphcache";
import type { RunSummary } from "../../app/graphql/types";
import { locateProblems, parsePath } from "../../sdk/src/spec-problems";

describe("formatDuration", () => {
  it("is short: ms, one-decimal seconds, then units", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(3_500)).toBe("3.5s");
    expect(formatDuration(42_000)).toBe("42s");
    expect(formatDuration(125_000)).toBe("2m 5s");
    expect(formatDuration(3_720_000)).toBe("1h 2m");
    expect(formatDuration(null)).toBe("—");
  });
});

describe("formatCost", () => {
  it("keeps 2 to 4 decimals", () => {
    expect(formatCost(0.12)).toBe("0.12");
    expect(formatCost(0.0125)).toBe("0.0125");
    expect(formatCost(3)).toBe("3.00");
  });
});

describe("backoffDelay", () => {
  it("doubles from 1 s with ±20 % jitter and never exceeds 30 s", () => {
    expect(backoffDelay(0, () => 0.5)).toBe(1_000);
    expect(backoffDelay(2, () => 0.5)).toBe(4_000);
    expect(backoffDelay(1, () => 0)).toBe(1_600);
    expect(backoffDelay(1, () => 1)).toBe(2_400);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
  });
});

describe("spec problems → lines", () => {
  const text = "name: x\nnodes:\n  - id: a\n    kind: sleep\n  - id: b\n    kind: sleep\n    needs: [ghost]\n";
  it("parses paths", () => expect(parsePath("nodes[2].needs[0]")).toEqual(["nodes", 2, "needs", 0]));
  it("maps a path to its line, a missing one to its nearest parent, syntax errors by message", () => {
    const located = locateProblems(text, [
      { path: "nodes[1].needs[0]", message: "unknown node" },
      { path: "nodes[1].with.ms", message: "required" },
      { path: "", message: "YAML syntax error at line 3, column 4" },
    ]);
    expect(located.map((p) => p.line)).toEqual([7, 5, 3]);
  });
});

describe("runMatches (runsChanged list insert)", () => {
  const run = {
    id: "r1",
    status: "RUNNING",
    pipeline: "nightly-report",
    label: "Backfill",
    trigger: "RERUN",
  } as RunSummary;
  it("honours status, pipeline, search and trigger filters like listRuns", () => {
    expect(runMatches(run, { status: null, pipeline: null, search: null })).toBe(true);
    expect(runMatches(run, { status: ["FAILED"] })).toBe(false);
    expect(runMatches(run, { pipeline: "other" })).toBe(false);
    expect(runMatches(run, { search: "backf" })).toBe(true);
    expect(runMatches(run, { search: "nightly" })).toBe(true);
    expect(runMatches(run, { search: "zzz" })).toBe(false);
    expect(runMatches(run, { trigger: ["RERUN", "MANUAL"] })).toBe(true);
    expect(runMatches(run, { trigger: ["API"] })).toBe(false);
    expect(runMatches(run, { trigger: [] })).toBe(true);
  });
});
