/**
 * Re-runs (SPEC §11) through the real server: rerunRun plain and from failure, what is
 * reused (spec nodes, a map's children one by one, decided gates) and what runs again,
 * the new run's event log against its tables, budgets, results, the runs(trigger:)
 * filter, and who may re-run what.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSession } from "../../lib/auth/sessions";
import type { Db } from "../../lib/db/client";
import { cli, cliHome, ensureBuilt, startCli } from "./cli-helpers";
import {
  APPROVE,
  gql,
  gqlData,
  makeTokens,
  type ServerProc,
  SUBMIT,
  serveForTests,
  type Tokens,
} from "./graphql-harness";
import { allEvents, expectGapless } from "./helpers";

let server: ServerProc;
let db: Db;
let t: Tokens;

serveForTests({}, (h) => {
  ({ server, db, t } = h);
});

const RERUN = /* GraphQL */ `
  mutation Rerun($id: ID!, $fromFailure: Boolean, $params: JSON) {
    rerunRun(id: $id, fromFailure: $fromFailure, params: $params) { id status trigger params rerunOf { id } }
  }`;

const RUN = /* GraphQL */ `
  query Run($id: ID!) {
    run(id: $id) {
      id status label pipeline trigger params error
      cost { spent budget }
      rerunOf { id }
      reruns { id trigger }
      nodes { key status reused output metrics cost attempt dynamic parentKey gate { decision { decision } } }
      results { columns rows }
    }
  }`;

/** Five transforms in a chain; `c` fails while `params.fail` is true. Each costs 0.1. */
const chain = {
  name: "rerun-chain",
  budget: 1,
  params: { fail: false },
  nodes: [
    { id: "a", kind: "transform", cost: 0.1, with: { expression: "{'v': 1}" } },
    {
      id: "b",
      kind: "transform",
      cost: 0.1,
      needs: ["a"],
      results: true,
      with: { expression: "[{'name': 'b', 'score': inputs.a.v + 1}]" },
    },
    {
      id: "c",
      kind: "transform",
      cost: 0.1,
      needs: ["b"],
      with: { expression: "params.fail ? $error('c is broken') : 'fixed'" },
    },
    { id: "d", kind: "transform", cost: 0.1, needs: ["c"], with: { expression: "inputs.c & '!'" } },
    { id: "e", kind: "transform", cost: 0.1, needs: ["d"], with: { expression: "inputs.d & '!'" } },
  ],
};

async function submit(input: Record<string, unknown>, token = t.operator): Promise<string> {
  return (await gqlData(server, token, SUBMIT, { input })).submitRun.id;
}

async function rerun(id: string, vars: { fromFailure?: boolean; params?: unknown } = {}, token = t.operator) {
  return (await gqlData(server, token, RERUN, { id, ...vars })).rerunRun;
}

async function waitDone(id: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { run } = await gqlData(server, t.viewer, RUN, { id });
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run is ${run.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitNode(id: string, key: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { run } = await gqlData(server, t.viewer, RUN, { id });
    if (run.nodes.find((n: { key: string }) => n.key === key)?.status === status) return run;
    if (Date.now() > deadline) throw new Error(`node ${key} never became ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type NodeSnap = { key: string; status: string; reused?: boolean; output?: unknown };

/** Per node key, the statuses its NODE_STATE / DAG_MUTATED snapshots went through, in seq order. */
async function statusesByNode(runId: string): Promise<Map<string, string[]>> {
  const events = await allEvents(db, runId);
  expectGapless(events);
  const m = new Map<string, string[]>();
  const add = (n: NodeSnap) => m.set(n.key, [...(m.get(n.key) ?? []), n.status]);
  for (const e of events) {
    if (e.type === "NODE_STATE") add(e.payload.node as NodeSnap);
    if (e.type === "DAG_MUTATED") for (const n of e.payload.addedNodes as NodeSnap[]) add(n);
  }
  return m;
}

/** The log replayed: every node's last snapshot, to compare with the tables. */
async function replayNodes(runId: string): Promise<Map<string, NodeSnap>> {
  const m = new Map<string, NodeSnap>();
  for (const e of await allEvents(db, runId)) {
    if (e.type === "NODE_STATE" || e.type === "GATE_WAITING" || e.type === "GATE_DECIDED") {
      const n = e.payload.node as NodeSnap;
      m.set(n.key, n);
    }
    if (e.type === "DAG_MUTATED") for (const n of e.payload.addedNodes as NodeSnap[]) m.set(n.key, n);
  }
  return m;
}

const byKey = (run: { nodes: NodeSnap[] }) => Object.fromEntries(run.nodes.map((n) => [n.key, n]));

describe("rerunRun from failure", () => {
  it("reuses a chain's succeeded nodes (never RUNNING, outputs and result rows copied, not charged) and runs the rest", async () => {
    const sourceId = await submit({ spec: chain, params: { fail: true }, label: "nightly" });
    const source = await waitDone(sourceId);
    expect(source.status).toBe("FAILED");
    expect(source.nodes.map((n: NodeSnap) => n.status)).toEqual([
      "SUCCEEDED",
      "SUCCEEDED",
      "FAILED",
      "SKIPPED",
      "SKIPPED",
    ]);
    expect(source.cost.spent).toBeCloseTo(0.2);

    // The cause removed: params given override the spec's defaults (fail: false).
    const created = await rerun(sourceId, { fromFailure: true, params: {} });
    expect(created).toMatchObject({ trigger: "RERUN", params: { fail: false }, rerunOf: { id: sourceId } });
    const run = await waitDone(created.id);
    expect(run.status).toBe("SUCCEEDED");
    expect(run).toMatchObject({
      label: "nightly",
      pipeline: "rerun-chain",
      trigger: "RERUN",
      rerunOf: { id: sourceId },
    });
    const nodes = byKey(run);
    for (const k of ["a", "b"]) {
      expect(nodes[k]).toMatchObject({ status: "SUCCEEDED", reused: true, attempt: 0, cost: 0 });
      expect(nodes[k].output).toEqual(byKey(source)[k].output);
    }
    for (const k of ["c", "d", "e"]) expect(nodes[k]).toMatchObject({ status: "SUCCEEDED", reused: false, attempt: 1 });
    expect(nodes.e.output).toBe("fixed!!");
    // Only c, d and e were charged; the budget is the source's.
    expect(run.cost.spent).toBeCloseTo(0.3);
    expect(run.cost.budget).toBe(1);
    // b's rows (produced in the source) are in the new run's results table.
    expect(run.results).toEqual({ columns: ["name", "score"], rows: [{ name: "b", score: 2 }] });

    // The log: reused nodes appear once, SUCCEEDED (never QUEUED or RUNNING); the others ran.
    const statuses = await statusesByNode(created.id);
    expect(statuses.get("a")).toEqual(["SUCCEEDED"]);
    expect(statuses.get("b")).toEqual(["SUCCEEDED"]);
    for (const k of ["c", "d", "e"]) expect(statuses.get(k)).toEqual(["QUEUED", "RUNNING", "SUCCEEDED"]);
    // …and says what the tables say.
    const replay = await replayNodes(created.id);
    for (const n of run.nodes) expect(replay.get(n.key)).toMatchObject({ status: n.status, reused: n.reused });
    const results = (await allEvents(db, created.id)).filter((e) => e.type === "RESULTS");
    expect(results.map((e) => e.payload.offset)).toEqual([0]);

    // The source lists it.
    const after = await gqlData(server, t.viewer, RUN, { id: sourceId });
    expect(after.run.reruns).toEqual([{ id: created.id, trigger: "RERUN" }]);
  });

  it("re-expands a map that failed and reuses its succeeded children one by one", async () => {
    const spec = {
      name: "rerun-map",
      params: { broken: false },
      nodes: [
        { id: "items", kind: "transform", with: { expression: "[0, 1, 2, 3]" } },
        {
          id: "each",
          kind: "map",
          needs: ["items"],
          with: {
            over: "inputs.items",
            node: {
              kind: "transform",
              cost: 0.01,
              with: { expression: "params.broken and item % 2 = 1 ? $error('odd item') : item * 10" },
            },
          },
        },
        { id: "sum", kind: "transform", needs: ["each"], with: { expression: "$sum(inputs.each)" } },
      ],
    };
    const sourceId = await submit({ spec, params: { broken: true } });
    const source = await waitDone(sourceId);
    expect(source.status).toBe("FAILED");
    const s = byKey(source);
    expect([s["each[0]"], s["each[1]"], s["each[2]"], s["each[3]"]].map((n) => n.status)).toEqual([
      "SUCCEEDED",
      "FAILED",
      "SUCCEEDED",
      "FAILED",
    ]);

    const created = await rerun(sourceId, { fromFailure: true, params: { broken: false } });
    const run = await waitDone(created.id);
    expect(run.status).toBe("SUCCEEDED");
    const n = byKey(run);
    expect(n.items).toMatchObject({ reused: true });
    // The map ran again (it had failed); its children that succeeded were reused.
    expect(n.each).toMatchObject({ status: "SUCCEEDED", reused: false, output: [0, 10, 20, 30] });
    expect(n["each[0]"]).toMatchObject({ status: "SUCCEEDED", reused: true, output: 0, cost: 0, dynamic: true });
    expect(n["each[2]"]).toMatchObject({ status: "SUCCEEDED", reused: true, output: 20, cost: 0 });
    expect(n["each[1]"]).toMatchObject({ status: "SUCCEEDED", reused: false, output: 10, attempt: 1 });
    expect(n["each[3]"]).toMatchObject({ status: "SUCCEEDED", reused: false, output: 30, attempt: 1 });
    expect(n.sum.output).toBe(60);
    // Two children charged, two reused for free.
    expect(run.cost.spent).toBeCloseTo(0.02);

    const statuses = await statusesByNode(created.id);
    expect(statuses.get("each[0]")).toEqual(["SUCCEEDED", "SUCCEEDED"]); // DAG_MUTATED, then its NODE_STATE
    expect(statuses.get("each[2]")).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect(statuses.get("each[1]")).toEqual(["PENDING", "QUEUED", "RUNNING", "SUCCEEDED"]);
    expect(statuses.get("each")).toContain("RUNNING");
    const replay = await replayNodes(created.id);
    for (const node of run.nodes) expect(replay.get(node.key)).toMatchObject({ status: node.status });

    // A plain re-run (here of the re-run) runs every child again.
    const plain = await waitDone((await rerun(created.id)).id);
    expect(plain.status).toBe("SUCCEEDED");
    expect(plain.nodes.filter((x: NodeSnap) => x.reused)).toEqual([]);
    expect(plain.cost.spent).toBeCloseTo(0.04);
  });

  it("reuses a succeeded map whole, with its children, when a later node failed", async () => {
    const spec = {
      name: "rerun-map-whole",
      params: { fail: false },
      nodes: [
        {
          id: "each",
          kind: "map",
          with: { over: "[1, 2, 3]", node: { kind: "transform", with: { expression: "item + 100" } } },
        },
        {
          id: "after",
          kind: "transform",
          needs: ["each"],
          with: { expression: "params.fail ? $error('later') : $count(inputs.each)" },
        },
      ],
    };
    const sourceId = await submit({ spec, params: { fail: true } });
    expect((await waitDone(sourceId)).status).toBe("FAILED");
    const run = await waitDone((await rerun(sourceId, { fromFailure: true, params: { fail: false } })).id);
    expect(run.status).toBe("SUCCEEDED");
    const n = byKey(run);
    expect(n.each).toMatchObject({ reused: true, output: [101, 102, 103] });
    for (const k of ["each[0]", "each[1]", "each[2]"])
      expect(n[k]).toMatchObject({ status: "SUCCEEDED", reused: true, parentKey: "each", dynamic: true });
    expect(n.after).toMatchObject({ reused: false, output: 3 });
    const statuses = await statusesByNode(run.id);
    expect(statuses.get("each")).toEqual(["SUCCEEDED"]);
  });

  it("reuses a gate decided APPROVE, and re-runs a cancelled run's unfinished nodes", async () => {
    const spec = {
      name: "rerun-gate",
      params: { fail: false },
      nodes: [
        { id: "ok", kind: "gate", with: { title: "Go?", show: "params" } },
        { id: "work", kind: "transform", needs: ["ok"], with: { expression: "params.fail ? $error('no') : 'done'" } },
        { id: "review", kind: "gate", needs: ["work"], with: { title: "Publish?" } },
      ],
    };
    const sourceId = await submit({ spec });
    await waitNode(sourceId, "ok", "WAITING");
    await gqlData(server, t.operator, APPROVE, { runId: sourceId, key: "ok" });
    await waitNode(sourceId, "review", "WAITING");
    await gqlData(server, t.operator, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: sourceId });

    const created = await rerun(sourceId, { fromFailure: true });
    const run = await waitNode(created.id, "review", "WAITING");
    const n = byKey(run);
    expect(n.ok).toMatchObject({ status: "SUCCEEDED", reused: true, gate: { decision: { decision: "APPROVE" } } });
    expect(n.work).toMatchObject({ status: "SUCCEEDED", reused: true, output: "done" });
    expect(n.review).toMatchObject({ status: "WAITING", reused: false });
    await gqlData(server, t.operator, APPROVE, { runId: created.id, key: "review" });
    expect((await waitDone(created.id)).status).toBe("SUCCEEDED");
  });
});

describe("rerunRun", () => {
  it("plain: a new run of the same spec and params that executes every node", async () => {
    const sourceId = await submit({ spec: chain, params: { fail: true } });
    await waitDone(sourceId);
    const created = await rerun(sourceId);
    expect(created).toMatchObject({ trigger: "RERUN", params: { fail: true }, rerunOf: { id: sourceId } });
    const same = await waitDone(created.id);
    expect(same.status).toBe("FAILED"); // same params, same failure
    const fixed = await waitDone((await rerun(sourceId, { params: { fail: false } })).id);
    expect(fixed.status).toBe("SUCCEEDED");
    expect(fixed.nodes.every((n: NodeSnap) => n.reused === false)).toBe(true);
    expect(fixed.cost.spent).toBeCloseTo(0.5);
    const statuses = await statusesByNode(fixed.id);
    for (const k of ["a", "b", "c", "d", "e"]) expect(statuses.get(k)).toContain("RUNNING");
    expect(fixed.results.rows).toEqual([{ name: "b", score: 2 }]);
  });

  it("refuses fromFailure on a run that succeeded (or has not finished), and bad params", async () => {
    const ok = await submit({ spec: chain });
    expect((await waitDone(ok)).status).toBe("SUCCEEDED");
    const r = await gql(server, t.operator, RERUN, { id: ok, fromFailure: true });
    expect(r.errors?.[0].extensions?.code).toBe("INVALID_TRANSITION");
    expect(r.errors?.[0].message).toMatch(
      /is SUCCEEDED: only a FAILED or CANCELLED run can be re-run from its failure/,
    );
    const waiting = await submit({ spec: { name: "w", nodes: [{ id: "g", kind: "gate", with: { title: "?" } }] } });
    await waitNode(waiting, "g", "WAITING");
    const r2 = await gql(server, t.operator, RERUN, { id: waiting, fromFailure: true });
    expect(r2.errors?.[0].extensions?.code).toBe("INVALID_TRANSITION");
    const r3 = await gql(server, t.operator, RERUN, { id: ok, params: [1] });
    expect(r3.errors?.[0].extensions?.code).toBe("BAD_INPUT");
    await gqlData(server, t.operator, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: waiting });
  });

  it("another namespace's run is NOT_FOUND, a viewer is FORBIDDEN", async () => {
    const id = await submit({ spec: chain });
    await waitDone(id);
    const other = await makeTokens(db);
    const r = await gql(server, other.operator, RERUN, { id, fromFailure: false });
    expect(r.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const missing = await gql(server, t.operator, RERUN, { id: "00000000-0000-4000-8000-000000000000" });
    expect(missing.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const v = await gql(server, t.viewer, RERUN, { id });
    expect(v.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    // Nothing was created by the refused calls.
    expect(await db.run.count({ where: { rerunOfId: id } })).toBe(0);
  });
});

describe("triggers", () => {
  it("a browser session submits MANUAL, a token API; runs(trigger:) filters", async () => {
    const session = await openSession(db, t.operator);
    const manual = await submit({ spec: chain }, session!.secret);
    const api = await submit({ spec: chain });
    await waitDone(manual);
    const re = (await rerun(api)).id;
    const list = async (trigger: string[]) =>
      (
        await gqlData(
          server,
          t.viewer,
          `query($trigger: [RunTrigger!]) { runs(trigger: $trigger, first: 200) { nodes { id trigger } } }`,
          { trigger },
        )
      ).runs.nodes as { id: string; trigger: string }[];
    const reruns = await list(["RERUN"]);
    expect(reruns.map((r) => r.id)).toContain(re);
    expect(reruns.every((r) => r.trigger === "RERUN")).toBe(true);
    expect((await list(["MANUAL"])).map((r) => r.id)).toEqual([manual]);
    const both = (await list(["MANUAL", "API"])).map((r) => r.id);
    expect(both).toContain(manual);
    expect(both).toContain(api);
    expect(both).not.toContain(re);
    await waitDone(re);
  });
});

describe("signalbox rerun", () => {
  const home = cliHome();
  let env: Record<string, string>;
  beforeAll(() => {
    ensureBuilt();
    env = { ...home.env, SIGNALBOX_URL: server.url, SIGNALBOX_TOKEN: t.operator };
  });
  afterAll(() => home.cleanup());

  const gated = {
    name: "cli-rerun",
    nodes: [
      { id: "prep", kind: "transform", with: { expression: "'ready'" } },
      { id: "review", kind: "gate", needs: ["prep"], with: { title: "Ship it?" } },
      { id: "ship", kind: "transform", needs: ["review"], with: { expression: "'shipped'" } },
    ],
  };

  it("--from-failure --follow: reuses what succeeded, waits at the gate again, exits 0 once it succeeds", async () => {
    const sourceId = await submit({ spec: gated });
    await waitNode(sourceId, "review", "WAITING");
    await gqlData(
      server,
      t.operator,
      `mutation($runId: ID!) { humanDecision(input: { runId: $runId, nodeKey: "review", decision: REJECT, feedback: "not yet" }) { status } }`,
      { runId: sourceId },
    );
    expect((await waitDone(sourceId)).status).toBe("FAILED");

    const p = startCli(["rerun", sourceId, "--from-failure", "--follow"], env);
    const [, newId] = await p.waitFor(new RegExp(`run ([0-9a-f-]{36}) \\(re-run from failure of ${sourceId}\\)`));
    await p.waitFor(/gate review WAITING/);
    await gqlData(server, t.operator, APPROVE, { runId: newId, key: "review" });
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/node prep SUCCEEDED \(reused\)/);
    expect(r.stdout).not.toMatch(/node prep RUNNING/);
    expect(byKey(await waitDone(newId)).ship).toMatchObject({ status: "SUCCEEDED", reused: false });
  });

  it("prints the new run; a refused re-run is exit 3 in one sentence", async () => {
    const ok = await submit({ spec: chain });
    await waitDone(ok);
    const r = await cli(["rerun", ok], env);
    expect(r.code).toBe(0);
    const [id, link] = r.stdout.trim().split("\n");
    expect(link).toBe(`${server.url}/runs/${id}`);
    expect((await gqlData(server, t.viewer, RUN, { id })).run).toMatchObject({ rerunOf: { id: ok } });
    const refused = await cli(["rerun", ok, "--from-failure"], env);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe("");
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/only a FAILED or CANCELLED run can be re-run from its failure/);
    await waitDone(id);
  });
});
