import { describe, expect, it } from "vitest";
import { parentOf } from "../../app/components/run/run-state";
import type { NodeView } from "../../app/components/run/types";
import {
  criticalPath,
  NodeTransitions,
  type Span,
  segmentsOf,
  spanOf,
  timelineRows,
} from "../../app/components/timeline/timeline-model";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function buildNode(key: string, over: Partial<NodeView> = {}): NodeView {
  return {
    id: `id-${key}`,
    runId: "r",
    key,
    kind: "transform",
    label: null,
    status: "PENDING",
    attempt: 0,
    needs: [],
    progress: 0,
    output: null,
    metrics: {},
    cost: 0,
    error: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    dynamic: false,
    reused: false,
    parentKey: null,
    gate: null,
    ...over,
  } as NodeView;
}

describe("timeline segments", () => {
  it("queued, running and a retry's second queue/run, from the node's transitions", () => {
    const t = new NodeTransitions();
    t.record("a", "PENDING", T0);
    t.record("a", "QUEUED", T0 + 100);
    t.record("a", "RUNNING", T0 + 300);
    t.record("a", "RUNNING", T0 + 400); // a progress report: same span
    t.record("a", "QUEUED", T0 + 1000); // failed attempt, retried
    t.record("a", "RUNNING", T0 + 1500);
    t.record("a", "SUCCEEDED", T0 + 2000);
    const node = buildNode("a", { status: "SUCCEEDED", startedAt: iso(300), finishedAt: iso(2000) });
    expect(segmentsOf(node, t.of("a"), T0 + 9999)).toEqual([
      { kind: "queued", start: T0 + 100, end: T0 + 300, open: false },
      { kind: "running", start: T0 + 300, end: T0 + 1000, open: false },
      { kind: "queued", start: T0 + 1000, end: T0 + 1500, open: false },
      { kind: "running", start: T0 + 1500, end: T0 + 2000, open: false },
    ]);
  });

  it("the open segment grows with the clock; a gate's wait is its own kind", () => {
    const t = new NodeTransitions();
    t.record("g", "QUEUED", T0);
    t.record("g", "WAITING", T0 + 50);
    const node = buildNode("g", { kind: "gate", status: "WAITING", startedAt: iso(50) });
    const at1 = segmentsOf(node, t.of("g"), T0 + 1000);
    const at2 = segmentsOf(node, t.of("g"), T0 + 5000);
    expect(at1[1]).toEqual({ kind: "waiting", start: T0 + 50, end: T0 + 1000, open: true });
    expect(at2[1].end).toBe(T0 + 5000);
  });

  it("history loaded later goes in front of what the page recorded live", () => {
    const t = new NodeTransitions();
    t.record("a", "RUNNING", T0 + 300);
    t.record("a", "SUCCEEDED", T0 + 900);
    t.prepend([
      { key: "a", status: "PENDING", at: T0 },
      { key: "a", status: "QUEUED", at: T0 + 100 },
      { key: "a", status: "RUNNING", at: T0 + 300 },
    ]);
    expect(t.of("a").map((x) => x.status)).toEqual(["PENDING", "QUEUED", "RUNNING", "SUCCEEDED"]);
    const node = buildNode("a", { status: "SUCCEEDED", startedAt: iso(300), finishedAt: iso(900) });
    expect(segmentsOf(node, t.of("a"), T0 + 5000).map((g) => [g.kind, g.start - T0, g.end - T0])).toEqual([
      ["queued", 100, 300],
      ["running", 300, 900],
    ]);
  });

  it("falls back to startedAt / finishedAt for history the client never saw", () => {
    const done = buildNode("old", { status: "SUCCEEDED", startedAt: iso(0), finishedAt: iso(700) });
    expect(segmentsOf(done, [], T0 + 5000)).toEqual([{ kind: "running", start: T0, end: T0 + 700, open: false }]);
    const running = buildNode("live", { status: "RUNNING", startedAt: iso(0) });
    expect(segmentsOf(running, [], T0 + 900)).toEqual([{ kind: "running", start: T0, end: T0 + 900, open: true }]);
    expect(segmentsOf(buildNode("p"), [], T0 + 900)).toEqual([]);
  });
});

describe("critical path", () => {
  const spans = (o: Record<string, [number, number]>) =>
    new Map<string, Span>(Object.entries(o).map(([k, [start, end]]) => [k, { start, end }]));

  it("walks back from the last node through the predecessor that ended last", () => {
    // a → (b slow, c fast) → d ; e is unrelated and short
    const nodes = new Map(
      [
        buildNode("a"),
        buildNode("b", { needs: ["a"] }),
        buildNode("c", { needs: ["a"] }),
        buildNode("d", { needs: ["b", "c"] }),
        buildNode("e"),
      ].map((n) => [n.key, n]),
    );
    const path = criticalPath(
      nodes,
      spans({ a: [0, 10], b: [10, 90], c: [10, 20], d: [90, 100], e: [0, 50] }),
      parentOf,
    );
    expect([...path]).toEqual(["d", "b", "a"]);
  });

  it("goes through a map's slowest child, then the map's own needs", () => {
    const nodes = new Map(
      [
        buildNode("load"),
        buildNode("fan", { kind: "map", needs: ["load"] }),
        buildNode("fan[0]", { dynamic: true, parentKey: "fan" }),
        buildNode("fan[1]", { dynamic: true, parentKey: "fan" }),
        buildNode("report", { needs: ["fan"] }),
      ].map((n) => [n.key, n]),
    );
    const path = criticalPath(
      nodes,
      spans({ load: [0, 5], fan: [5, 60], "fan[0]": [6, 20], "fan[1]": [6, 59], report: [60, 70] }),
      parentOf,
    );
    expect([...path]).toEqual(["report", "fan", "fan[1]", "load"]);
  });
});

describe("timeline rows", () => {
  it("one row per node; a map's children grouped under it with their spread, shown when expanded", () => {
    const t = new NodeTransitions();
    const nodes = new Map(
      [
        buildNode("fan", { kind: "map", status: "RUNNING", startedAt: iso(0) }),
        buildNode("fan[0]", {
          dynamic: true,
          parentKey: "fan",
          status: "SUCCEEDED",
          startedAt: iso(10),
          finishedAt: iso(110),
        }),
        buildNode("fan[1]", {
          dynamic: true,
          parentKey: "fan",
          status: "SUCCEEDED",
          startedAt: iso(20),
          finishedAt: iso(320),
        }),
        buildNode("after", { needs: ["fan"] }),
      ].map((n) => [n.key, n]),
    );
    const segs = (n: NodeView) => segmentsOf(n, t.of(n.key), T0 + 1000);
    const collapsed = timelineRows(nodes, segs, parentOf, new Set());
    expect(collapsed.map((r) => r.key)).toEqual(["fan", "after"]);
    expect(collapsed[0].group).toEqual({
      count: 2,
      expanded: false,
      spread: { start: T0 + 10, end: T0 + 320, count: 2, p50: 100, max: 300 },
    });
    const open = timelineRows(nodes, segs, parentOf, new Set(["fan"]));
    expect(open.map((r) => [r.key, r.depth])).toEqual([
      ["fan", 0],
      ["fan[0]", 1],
      ["fan[1]", 1],
      ["after", 0],
    ]);
    expect(spanOf(segs(nodes.get("fan[1]")!))).toEqual({ start: T0 + 20, end: T0 + 320 });
  });
});
