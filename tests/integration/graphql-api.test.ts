import { describe, expect, it } from "vitest";
import { gql, gqlData, type ServerProc, SUBMIT, serveForTests, type Tokens } from "./graphql-harness";

let server: ServerProc;
let t: Tokens;

serveForTests({}, (h) => {
  ({ server, t } = h);
});

const RUN = /* GraphQL */ `
  query Run($id: ID!) {
    run(id: $id) {
      id namespace label pipeline status statusReason progress lastSeq sealed error durationMs
      createdAt startedAt finishedAt spec params
      cost { spent budget remaining }
      nodes { id key kind status needs output dynamic parentKey run { id } }
      edges { from to }
      results { columns rows }
      events(first: 3, types: [RUN_STATUS, RUN_COMPLETED]) { nextSeq hasMore events { seq type } }
    }
  }`;

const sleepSpec = (name: string, ms = 30, extra: Record<string, unknown> = {}) => ({
  name,
  nodes: [{ id: "a", kind: "sleep", with: { ms }, ...extra }],
});

async function submit(input: Record<string, unknown>, token = t.operator): Promise<string> {
  return (await gqlData(server, token, SUBMIT, { input })).submitRun.id;
}

async function waitStatus(id: string, statuses: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { run } = await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { status statusReason } }`, { id });
    if (statuses.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run is ${run.status}, wanted ${statuses}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("queries", () => {
  it("run: nodes, edges, cost, results, spec and an events page, with ISO dates", async () => {
    const id = await submit({
      budget: 5,
      params: { k: 2 },
      spec: {
        name: "shape",
        nodes: [
          { id: "a", kind: "transform", with: { expression: "[{'name': 'x', 'score': $$.params.k}]" }, cost: 0.5 },
          { id: "b", kind: "transform", needs: ["a"], with: { expression: "inputs.a" }, results: true },
        ],
      },
    });
    await waitStatus(id, ["SUCCEEDED"]);
    const { run } = await gqlData(server, t.viewer, RUN, { id });
    expect(run).toMatchObject({
      id,
      namespace: t.namespace,
      label: "shape",
      pipeline: "shape",
      status: "SUCCEEDED",
      progress: 1,
      sealed: true,
      params: { k: 2 },
      cost: { spent: 0.5, budget: 5, remaining: 4.5 },
      edges: [{ from: "a", to: "b" }],
      results: { columns: ["name", "score"], rows: [{ name: "x", score: 2 }] },
    });
    expect(run.spec.nodes.map((n: { id: string }) => n.id)).toEqual(["a", "b"]);
    expect(run.nodes.map((n: { key: string; status: string }) => [n.key, n.status])).toEqual([
      ["a", "SUCCEEDED"],
      ["b", "SUCCEEDED"],
    ]);
    expect(run.nodes[0].run.id).toBe(id);
    expect(run.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    // Paged by seq: RUN_STATUS events only, and the page says where to continue.
    const page = run.events;
    expect(page.events.every((e: { type: string }) => ["RUN_STATUS", "RUN_COMPLETED"].includes(e.type))).toBe(true);
    expect(page.nextSeq).toBe(page.events.at(-1).seq);
    const rest = await gqlData(
      server,
      t.viewer,
      `query($id: ID!, $after: Int) { events(runId: $id, afterSeq: $after, first: 1000) { nextSeq hasMore events { seq } } }`,
      { id, after: page.nextSeq },
    );
    expect(rest.events.hasMore).toBe(false);
    expect(rest.events.events[0].seq).toBe(page.nextSeq + 1);
    expect(rest.events.nextSeq).toBe(run.lastSeq);
  });

  it("runs: newest first, opaque cursor pagination and filters", async () => {
    const tag = `page-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await submit({ spec: sleepSpec(`${tag}-${i}`, 10), label: `${tag} run ${i}` }));
    const q = `query($search: String, $after: String, $status: [RunStatus!], $pipeline: String) {
      runs(search: $search, first: 2, after: $after, status: $status, pipeline: $pipeline) {
        nodes { id } edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }`;
    const p1 = (await gqlData(server, t.viewer, q, { search: tag })).runs;
    expect(p1.nodes.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    expect(p1.edges[1].cursor).toBe(p1.pageInfo.endCursor);
    const p2 = (await gqlData(server, t.viewer, q, { search: tag, after: p1.pageInfo.endCursor })).runs;
    expect(p2.nodes.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    const byPipeline = (await gqlData(server, t.viewer, q, { pipeline: `${tag}-1` })).runs;
    expect(byPipeline.nodes.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
    const byId = (await gqlData(server, t.viewer, q, { search: ids[0] })).runs;
    expect(byId.nodes.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    for (const id of ids) await waitStatus(id, ["SUCCEEDED"]);
    const none = (await gqlData(server, t.viewer, q, { search: tag, status: ["FAILED"] })).runs;
    expect(none.nodes).toEqual([]);
    // `events` / `results` on a list of runs are refused before anything runs (a page per
    // run); they are read on run(id).
    for (const field of ["events(afterSeq: 1, first: 2) { nextSeq }", "results { rows }"]) {
      const listed = await gql(
        server,
        t.viewer,
        `query($search: String) { runs(search: $search) { nodes { id ${field} } } }`,
        {
          search: tag,
        },
      );
      expect(listed.data ?? null).toBeNull();
      expect(listed.errors?.[0]).toMatchObject({
        message: `${field.split(/[ (]/)[0]} are only available on run(id)`,
        extensions: { code: "BAD_INPUT" },
      });
    }
    const bad = await gql(server, t.viewer, q, { after: "not-a-cursor" });
    expect(bad.errors?.[0].extensions?.code).toBe("BAD_INPUT");
  });
});

describe("control mutations", () => {
  const STATUS = `status statusReason cost { spent budget remaining }`;
  const m = (name: string, args = "$id: ID!", call = "id: $id") =>
    `mutation(${args}) { ${name}(${call}) { id ${STATUS} } }`;

  it("pause → resume → cancel round-trip, and an invalid transition is INVALID_TRANSITION", async () => {
    const id = await submit({ spec: sleepSpec("control", 60_000) });
    await waitStatus(id, ["RUNNING"]);
    expect((await gqlData(server, t.operator, m("pauseRun"), { id })).pauseRun).toMatchObject({
      status: "PAUSED",
      statusReason: "OPERATOR",
    });
    expect((await gqlData(server, t.operator, m("resumeRun"), { id })).resumeRun.status).toBe("RUNNING");
    expect((await gqlData(server, t.operator, m("cancelRun"), { id })).cancelRun.status).toBe("CANCELLED");
    const again = await gql(server, t.operator, m("pauseRun"), { id });
    expect(again.errors?.[0].extensions?.code).toBe("INVALID_TRANSITION");
    expect(again.status).toBe(200);
  });

  it("budget: pauses for BUDGET, setBudget raises it, resume completes", async () => {
    const id = await submit({ budget: 0.5, spec: sleepSpec("budget", 10, { cost: 1 }) });
    expect(await waitStatus(id, ["PAUSED"])).toMatchObject({ statusReason: "BUDGET" });
    const set = await gqlData(server, t.operator, m("setBudget", "$id: ID!, $b: Float!", "id: $id, budget: $b"), {
      id,
      b: 2,
    });
    expect(set.setBudget.cost).toEqual({ spent: 0, budget: 2, remaining: 2 });
    await gqlData(server, t.operator, m("resumeRun"), { id });
    await waitStatus(id, ["SUCCEEDED"]);
    const { run } = await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { cost { spent remaining } } }`, {
      id,
    });
    expect(run.cost).toEqual({ spent: 1, remaining: 1 });
  });

  it("promoteRun makes the next pipeline version; submit by name + version runs it", async () => {
    const name = `promoted-${Date.now()}`;
    const id = await submit({ spec: sleepSpec("to-promote", 10), params: { p: 1 } });
    await waitStatus(id, ["SUCCEEDED"]);
    const promote = `mutation($id: ID!, $name: String!) {
      promoteRun(runId: $id, name: $name) { id name version checksum promotedFrom spec createdAt } }`;
    const v1 = (await gqlData(server, t.admin, promote, { id, name })).promoteRun;
    const v2 = (await gqlData(server, t.admin, promote, { id, name })).promoteRun;
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.promotedFrom).toBe(id);
    const { pipelines, pipeline } = await gqlData(
      server,
      t.viewer,
      `query($name: String!) { pipelines { name version } pipeline(name: $name, version: 1) { version checksum } }`,
      { name },
    );
    expect(
      pipelines.filter((p: { name: string }) => p.name === name).map((p: { version: number }) => p.version),
    ).toEqual([2, 1]);
    expect(pipeline).toEqual({ version: 1, checksum: v1.checksum });
    const fromPipeline = await gqlData(
      server,
      t.operator,
      `mutation($input: SubmitRunInput!) { submitRun(input: $input) { pipeline pipelineVersion params } }`,
      { input: { pipeline: name, version: 1 } },
    );
    expect(fromPipeline.submitRun).toEqual({ pipeline: name, pipelineVersion: 1, params: { p: 1 } });
    // Operators cannot promote (admin only).
    const denied = await gql(server, t.operator, promote, { id, name });
    expect(denied.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("submitRun: idempotencyKey returns the first run; an invalid spec lists every problem", async () => {
    const key = `idem-${Date.now()}`;
    const a = await submit({ spec: sleepSpec("idem", 10), idempotencyKey: key });
    const b = await submit({ spec: sleepSpec("idem", 10), idempotencyKey: key });
    expect(b).toBe(a);
    const bad = await gql(server, t.operator, SUBMIT, {
      input: {
        spec: {
          name: "bad",
          nodes: [
            { id: "x", kind: "nope" },
            { id: "y", kind: "sleep", needs: ["missing"], with: { ms: 1 } },
          ],
        },
      },
    });
    const err = bad.errors?.[0];
    expect(err?.extensions?.code).toBe("INVALID_SPEC");
    const problems = err?.extensions?.problems as { path: string; message: string }[];
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.map((p) => p.path).join(" ")).toMatch(/nodes\[0\].*nodes\[1\]/);
    const yaml = await submit({ spec: "name: from-yaml\nnodes:\n  - id: a\n    kind: sleep\n    with: { ms: 5 }\n" });
    expect(yaml).toMatch(/^[0-9a-f-]{36}$/);
  });
});
