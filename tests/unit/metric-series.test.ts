import { describe, expect, it } from "vitest";
import { MetricSeries } from "../../app/components/metrics/metric-series";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const point = (seq: number, value: number, over: { nodeKey?: string; attempt?: number; ms?: number } = {}) => ({
  __typename: "MetricPoint" as const,
  seq,
  nodeKey: over.nodeKey ?? "train",
  name: "loss",
  value,
  attempt: over.attempt ?? 1,
  at: new Date(T0 + (over.ms ?? seq * 100)).toISOString(),
});

describe("metric series on the run page", () => {
  it("continues the page's history with live events, never counting a point twice", () => {
    const s = new MetricSeries([point(3, 0.9), point(5, 0.5)], T0);
    // Live events up to the history's last seq were already in it.
    s.addEvent(5, [point(5, 0.5)]);
    s.addEvent(8, [point(8, 0.25)]);
    expect(s.lines("loss").map((l) => l.ys)).toEqual([[0.9, 0.5, 0.25]]);
    expect(s.lines("loss")[0].xs).toEqual([0.3, 0.5, 0.8]);
  });

  it("one line per node and per retry attempt; the drawer's view is one node's", () => {
    const s = new MetricSeries([], T0);
    s.addEvent(1, [point(1, 1, { nodeKey: "fan[0]" }), point(1, 2, { nodeKey: "fan[1]" })]);
    s.addEvent(2, [point(2, 3, { nodeKey: "fan[0]", attempt: 2 })]);
    expect(s.lines("loss").map((l) => l.label)).toEqual(["fan[0]", "fan[1]", "fan[0] (attempt 2)"]);
    expect(s.lines("loss", "fan[0]").map((l) => l.ys)).toEqual([[1], [3]]);
    expect(s.namesOf("fan[1]")).toEqual(["loss"]);
    expect(s.namesOf("other")).toEqual([]);
  });
});
