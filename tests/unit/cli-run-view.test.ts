import { describe, expect, it } from "vitest";
import { colorsFor } from "../../sdk/src/cli/format";
import { apply, initialState, plainLines, type RunViewState, render, seed } from "../../sdk/src/cli/run-view";
import type { Run, RunNode } from "../../sdk/src/client";
import type { RunEvent } from "../../sdk/src/watch";

const RUN = "7d3f0c2e-1111-4222-8333-944455556666";
const T0 = Date.parse("2026-12-07T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

function node(key: string, over: Partial<RunNode> = {}): RunNode {
  return {
    id: `n-${key}`,
    runId: RUN,
    key,
    kind: "sleep",
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
  };
}

function snapshot(nodes: RunNode[], over: Partial<Run> = {}): Run & { nodes: RunNode[] } {
  return {
    id: RUN,
    namespace: "default",
    label: "nightly",
    pipeline: "nightly",
    pipelineVersion: 3,
    status: "RUNNING",
    statusReason: null,
    createdAt: at(0),
    startedAt: at(0),
    finishedAt: null,
    durationMs: null,
    progress: 0,
    cost: { spent: 0.25, budget: 2, remaining: 1.75 },
    error: null,
    lastSeq: 2,
    trigger: "API",
    params: {},
    sealed: false,
    nodes,
    ...over,
  };
}

let seq = 2;
const base = (type: RunEvent["type"], ms = 1000) => ({ id: `${RUN}:${++seq}`, seq, runId: RUN, at: at(ms), type });
const nodeState = (n: RunNode, ms?: number): RunEvent => ({
  __typename: "NodeStateEvent",
  ...base("NODE_STATE", ms),
  node: n,
  metricPoints: [],
});
const log = (message: string, nodeKey: string | null = "fetch"): RunEvent => ({
  __typename: "LogEvent",
  ...base("LOG"),
  level: "INFO",
  message,
  nodeKey,
});

/** Visible lines of a frame (no colors). */
const lines = (s: RunViewState, width = 120, height?: number) =>
  render(s, width, { now: T0 + 5_000, height }).split("\n");

describe("run view reducer", () => {
  it("folds a map's 1,000 children into one row with counts by status", () => {
    let s = seed(initialState(RUN), snapshot([node("items", { status: "SUCCEEDED" }), node("each", { kind: "map" })]));
    const children = Array.from({ length: 1000 }, (_, i) => node(`each[${i}]`, { parentKey: "each", dynamic: true }));
    s = apply(s, [
      nodeState(node("each", { kind: "map", status: "RUNNING", startedAt: at(500) })),
      {
        __typename: "DagMutatedEvent",
        ...base("DAG_MUTATED"),
        addedNodes: children,
        addedEdges: children.map((c) => ({ from: "each", to: c.key })),
      },
      ...children.slice(0, 300).map((c) => nodeState({ ...c, status: "SUCCEEDED", progress: 1 })),
      ...children.slice(300, 304).map((c) => nodeState({ ...c, status: "RUNNING", startedAt: at(900) })),
      nodeState({ ...children[304], status: "FAILED", error: "boom" }),
    ]);
    const frame = lines(s);
    const mapRows = frame.filter((l) => l.includes("each"));
    expect(mapRows).toHaveLength(1);
    expect(mapRows[0]).toMatch(/each\s+map ×1000\s+RUNNING/);
    expect(mapRows[0]).toContain("301/1000");
    expect(mapRows[0]).toContain("✔300");
    expect(mapRows[0]).toContain("✖1");
    expect(mapRows[0]).toContain("·695");
    expect(frame.length).toBeLessThan(20);
  });

  it("shows a waiting gate with the exact command that approves it", () => {
    let s = seed(initialState(RUN), snapshot([node("review", { kind: "gate" })]));
    const waiting = node("review", {
      kind: "gate",
      status: "WAITING",
      startedAt: at(1000),
      gate: { title: "Publish these rows?", description: null, presentation: [1, 2], decision: null },
    });
    s = apply(s, [
      nodeState(waiting),
      {
        __typename: "GateWaitingEvent",
        ...base("GATE_WAITING"),
        node: waiting,
        gate: waiting.gate!,
      },
    ]);
    const frame = render(s, 120, { now: T0 + 5_000 });
    expect(frame).toContain("Waiting for a decision");
    expect(frame).toContain("Publish these rows?");
    expect(frame).toContain(`signalbox approve ${RUN} review`);
  });

  it("draws progress bars for the run and each node", () => {
    let s = seed(initialState(RUN), snapshot([node("fetch"), node("train"), node("report")]));
    s = apply(s, [
      nodeState(node("fetch", { status: "SUCCEEDED", progress: 1, durationMs: 1200, finishedAt: at(1200) })),
      nodeState(node("train", { status: "RUNNING", progress: 0.5, startedAt: at(1200) })),
    ]);
    const frame = lines(s);
    const train = frame.find((l) => l.includes("train"))!;
    const cellsOf = (ch: string) => [...train].filter((c) => c === ch).length;
    expect(cellsOf("█")).toBe(cellsOf("░")); // half full
    expect(cellsOf("█")).toBeGreaterThan(0);
    expect(train).toContain("50%");
    expect(train).toContain("3.8s"); // running for 5.0 − 1.2 s
    expect(frame.find((l) => l.includes("fetch"))).toMatch(/SUCCEEDED\s+█+\s+100%\s+1\.2s/);
    // The run: (1 + 0.5 + 0) / 3 = 50 %, cost against budget, elapsed.
    expect(frame[1]).toMatch(/^█{15}░{15}\s+50%\s+cost 0\.25 \/ 2\.00\s+elapsed 5\.0s/);
    expect(frame[0]).toMatch(/^nightly v3 {2}7d3f0c2e-.* RUNNING$/);
  });

  it("never changes the state it is given, and skips what the snapshot already holds", () => {
    const s0 = seed(initialState(RUN), snapshot([node("fetch", { status: "RUNNING" })], { lastSeq: 10 }));
    const frozen = JSON.stringify({ ...s0, nodes: [...s0.nodes] });
    seq = 4; // replaying from the start: seqs ≤ 10 are older than the snapshot
    const s1 = apply(s0, [nodeState(node("fetch", { status: "QUEUED" })), log("old line")]);
    expect(JSON.stringify({ ...s0, nodes: [...s0.nodes] })).toBe(frozen);
    expect(s1.nodes.get("fetch")?.status).toBe("RUNNING"); // the older state is ignored…
    expect(s1.logs.map((l) => l.message)).toEqual(["old line"]); // …its log line is not
    seq = 10;
    const s2 = apply(s1, nodeState(node("fetch", { status: "SUCCEEDED", progress: 1 })));
    expect(s2.nodes.get("fetch")?.status).toBe("SUCCEEDED");
    expect(s1.nodes.get("fetch")?.status).toBe("RUNNING");
  });

  it("keeps the last five log lines", () => {
    let s = seed(initialState(RUN), snapshot([node("fetch")]));
    for (let i = 1; i <= 8; i++) s = apply(s, log(`line ${i}`));
    expect(s.logs.map((l) => l.message)).toEqual(["line 4", "line 5", "line 6", "line 7", "line 8"]);
    expect(lines(s).filter((l) => /line \d/.test(l))).toHaveLength(5);
  });

  it("fits the terminal: no line wider than it, no more lines than its height", () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      node(`a-rather-long-node-name-${i}`, { status: i < 40 ? "SUCCEEDED" : i === 40 ? "RUNNING" : "PENDING" }),
    );
    let s = seed(initialState(RUN), snapshot(many));
    for (let i = 1; i <= 5; i++) s = apply(s, log(`a long log line ${"x".repeat(200)}`));
    for (const width of [60, 80, 120]) {
      const frame = lines(s, width, 24);
      expect(frame.length).toBeLessThanOrEqual(23);
      for (const l of frame) expect([...l].length).toBeLessThanOrEqual(width);
      // The running node is kept (its key cut in the middle, so its end still tells it apart).
      expect(frame.find((l) => l.includes("RUNNING") && !l.startsWith("nightly"))).toMatch(
        /^. a-rather-l.*….*-name-40 /,
      );
      expect(frame.some((l) => /… \d+ more nodes: .*succeeded/.test(l))).toBe(true);
    }
  });

  it("says how to go on when the budget stopped the run", () => {
    let s = seed(initialState(RUN), snapshot([node("a", { status: "SUCCEEDED" }), node("b")]));
    s = apply(s, [
      { __typename: "RunStatusEvent", ...base("RUN_STATUS"), status: "PAUSED", reason: "BUDGET", progress: 0.5 },
      {
        __typename: "CostUpdateEvent",
        ...base("COST_UPDATE"),
        spent: 2,
        budget: 2,
        remaining: 0,
        blockedNode: "b",
        nodeCost: 0.5,
      },
    ]);
    const frame = lines(s);
    expect(frame[0]).toMatch(/PAUSED \(BUDGET\)$/);
    expect(frame).toContain("Paused for budget: b needs 0.50, 2.00 of 2.00 spent");
    expect(frame).toContain(`  signalbox budget ${RUN} <amount>`);
    expect(frame).toContain(`  signalbox resume ${RUN}`);
  });

  it("colors only on request, with the same text", () => {
    const s = seed(initialState(RUN), snapshot([node("fetch", { status: "FAILED", error: "HTTP 500" })]));
    const plain = render(s, 100, { now: T0 });
    const colored = render(s, 100, { now: T0, colors: colorsFor({ isTTY: true }, { FORCE_COLOR: "1" }) });
    expect(plain).not.toContain("\u001b[");
    expect(colored).toContain("\u001b[");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping colors
    expect(colored.replace(/\u001b\[[0-9;]*m/g, "")).toBe(plain);
  });
});

describe("plain lines (not a terminal)", () => {
  it("says each change once: status changes, node states, logs, gates, completion", () => {
    let s = initialState(RUN);
    const out: string[] = [];
    const feed = (ev: RunEvent) => {
      out.push(...plainLines(s, ev));
      s = apply(s, ev);
    };
    seq = 0;
    feed({ __typename: "RunStatusEvent", ...base("RUN_STATUS"), status: "RUNNING", reason: null, progress: 0 });
    feed(nodeState(node("fetch", { status: "QUEUED" })));
    feed(nodeState(node("fetch", { status: "RUNNING", attempt: 1 })));
    feed(nodeState(node("fetch", { status: "RUNNING", attempt: 1, progress: 0.5 }))); // progress only: no line
    feed(log("got 12 rows"));
    feed(nodeState(node("fetch", { status: "SUCCEEDED", durationMs: 1500 })));
    const gate = node("review", {
      kind: "gate",
      status: "WAITING",
      gate: { title: "Ship it?", description: null, presentation: null, decision: null },
    });
    feed(nodeState(gate));
    feed({ __typename: "GateWaitingEvent", ...base("GATE_WAITING"), node: gate, gate: gate.gate! });
    feed({ __typename: "RunStatusEvent", ...base("RUN_STATUS"), status: "SUCCEEDED", reason: null, progress: 1 });
    feed({
      __typename: "RunCompletedEvent",
      ...base("RUN_COMPLETED"),
      status: "SUCCEEDED",
      nodesSucceeded: 2,
      nodesFailed: 0,
      durationMs: 4200,
    });
    const text = out.map((l) => l.replace(/^\d\d:\d\d:\d\d /, ""));
    expect(text).toEqual([
      "run RUNNING",
      "node fetch RUNNING",
      "log INFO fetch: got 12 rows",
      "node fetch SUCCEEDED after 1.5s",
      "gate review WAITING: Ship it?",
      `approve with: signalbox approve ${RUN} review`,
      "run SUCCEEDED in 4.2s: 2 nodes succeeded, 0 failed",
    ]);
  });
});
