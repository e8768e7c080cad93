/**
 * Query cost against the real server: lists count as many times as their `first` (with
 * the operation's variables), `events` / `results` are only read on run(id), and
 * `Run.nodes` is paginated. Refused operations execute nothing, on HTTP and WebSocket.
 */
import { describe, expect, it } from "vitest";
import { gql, gqlData, type ServerProc, SUBMIT, serveForTests, type Tokens } from "./graphql-harness";
import { ackedSocket, metric, metricsText } from "./hardening-helpers";

let server: ServerProc;
let t: Tokens;
let runId: string;

const spec = {
  name: "cost",
  nodes: [
    { id: "a", kind: "sleep", with: { ms: 1 } },
    { id: "b", kind: "sleep", needs: ["a"], with: { ms: 1 } },
    { id: "c", kind: "sleep", needs: ["b"], with: { ms: 1 } },
  ],
};

// No worker: the runs stay queued, with their nodes; nothing here needs them to run.
serveForTests({ worker: false }, async (h) => {
  ({ server, t } = h);
  for (let i = 0; i < 3; i++) runId = (await gqlData(server, t.operator, SUBMIT, { input: { spec } })).submitRun.id;
});

const executed = async () => metric(await metricsText(server), "signalbox_graphql_operations_total");

async function overWs(query: string, variables: Record<string, unknown>): Promise<string> {
  const s = await ackedSocket(server, t.viewer);
  s.send({ id: "1", type: "subscribe", payload: { query, variables } });
  const m = await s.waitFor((x) => x.id === "1" && x.type !== "complete");
  s.ws.close();
  return JSON.stringify(m);
}

const EVENT = "seq type ... on LogEvent { message level nodeKey }";

describe("cost scales with list sizes", () => {
  it("runs(first: 200) { nodes { events(first: 1000) } } is refused before execution (HTTP and WebSocket)", async () => {
    const query = `{ runs(first: 200) { nodes { id events(first: 1000) { events { ${EVENT} } } } } }`;
    const before = await executed();
    const r = await gql(server, t.viewer, query);
    expect(r.status).toBe(400);
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]).toMatchObject({
      message: "events are only available on run(id)",
      extensions: { code: "BAD_INPUT" },
    });
    expect(await overWs(query, {})).toContain("events are only available on run(id)");
    // Every other way to a run of a list: edges, a node's run, a gate's run.
    for (const q of [
      `{ runs { edges { node { events { nextSeq } } } } }`,
      `{ runs { nodes { results { rows } } } }`,
      `{ runs(first: 200) { nodes { spec } } }`,
      `query($id: ID!) { run(id: $id) { nodes { run { events { nextSeq } } } } }`,
      `{ gates { run { results { rows } } } }`,
    ]) {
      const refused = await gql(server, t.viewer, q, { id: runId });
      expect(refused.errors?.[0].extensions?.code, q).toBe("BAD_INPUT");
      expect(refused.errors?.[0].message, q).toMatch(/^(events are|results are|spec is) only available on run\(id\)$/);
    }
    expect(await executed()).toBe(before);
  });

  it("nodes of many runs cost runs × nodes: refused with the cost, also when `first` comes from variables", async () => {
    const before = await executed();
    // 200 runs × 1,000 nodes (the default page) × 4 fields: far over 100,000.
    const wide = await gql(server, t.viewer, `{ runs(first: 200) { nodes { id nodes { id key status } } } }`);
    expect(wide.status).toBe(400);
    expect(wide.errors?.[0].message).toMatch(/^Query Cost limit of 100000 exceeded, found \d+/);
    expect(wide.errors?.[0].extensions?.code).toBe("BAD_INPUT");
    // The same document is cheap or costly by its variables alone (validation caches by document).
    const q = `query($n: Int, $m: Int) { runs(first: $n) { nodes { id nodes(first: $m) { id key } } } }`;
    const costly = await gql(server, t.viewer, q, { n: 200, m: 200 });
    expect(costly.errors?.[0].message).toMatch(/Query Cost limit of 100000 exceeded, found 120\d{3}/);
    expect(await overWs(q, { n: 200, m: 200 })).toMatch(/Query Cost limit of 100000 exceeded/);
    expect(await executed()).toBe(before);
    const cheap = await gqlData(server, t.viewer, q, { n: 2, m: 2 });
    expect(cheap.runs.nodes).toHaveLength(2);
    expect(cheap.runs.nodes[0].nodes.map((n: { key: string }) => n.key)).toEqual(["a", "b"]);
    expect(await executed()).toBe(before + 1);
  });

  it("a subscription's selection runs per event: over 1,000 per event it is refused", async () => {
    const heavy = `subscription($id: ID!) { runEvents(runId: $id) { seq ... on NodeStateEvent { node { run { nodes { id key } } } } } }`;
    expect(await overWs(heavy, { id: runId })).toMatch(/Subscription cost limit of 1000 per event exceeded, found \d+/);
    // The web app's event selection is far below it and streams as usual.
    const light = `subscription($id: ID!) { runEvents(runId: $id) { seq type ... on NodeStateEvent { node { id key status output } } } }`;
    expect(await overWs(light, { id: runId })).toMatch(/"type":"next".*"seq":1/);
  });

  it("a 1,000-event page of full events and a run page of the web app's size stay under the limit", async () => {
    const page = await gqlData(
      server,
      t.viewer,
      `query($id: ID!) { events(runId: $id, first: 1000) { nextSeq events { seq type
        ... on NodeStateEvent { node { id key status output metrics gate { title description presentation } } }
        ... on GateWaitingEvent { node { id key } gate { title description presentation decision { decision feedback } } }
        ... on LogEvent { level message nodeKey } } } }`,
      { id: runId },
    );
    expect(page.events.events.length).toBeGreaterThan(0);
    const { run } = await gqlData(
      server,
      t.viewer,
      `query($id: ID!) { run(id: $id) { id spec nodes { id key status needs output }
        edges { from to } results { columns rows } events(first: 1000) { nextSeq } } }`,
      { id: runId },
    );
    expect(run.nodes.map((n: { key: string }) => n.key)).toEqual(["a", "b", "c"]);
    expect(run.results).toEqual({ columns: [], rows: [] });
    expect(run.spec.name).toBe("cost");
    // A page of runs is read without their specs, and still answers its fields.
    const list = await gqlData(server, t.viewer, `{ runs(first: 200) { nodes { id status pipeline } } }`);
    expect(list.runs.nodes.map((r: { id: string }) => r.id)).toContain(runId);
  });
});

describe("Run.nodes pages", () => {
  it("first / after page through a run's nodes in DAG order; first is 1..5000", async () => {
    const q = `query($id: ID!, $first: Int, $after: String) { run(id: $id) { nodes(first: $first, after: $after) { key } } }`;
    const keys = async (first: number, after?: string) =>
      (await gqlData(server, t.viewer, q, { id: runId, first, after })).run.nodes.map((n: { key: string }) => n.key);
    expect(await keys(2)).toEqual(["a", "b"]);
    expect(await keys(2, "b")).toEqual(["c"]);
    expect(await keys(2, "c")).toEqual([]);
    expect(await keys(5_000)).toEqual(["a", "b", "c"]);
    for (const first of [0, 5_001]) {
      const r = await gql(server, t.viewer, q, { id: runId, first });
      expect(r.errors?.[0].extensions?.code).toBe("BAD_INPUT");
      expect(r.errors?.[0].message).toBe("first must be 1..5000");
    }
  });
});
