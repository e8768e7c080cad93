/**
 * The results table against the real server: rows go to the append-only store, each
 * RESULTS event carries only its new rows (offset / total), `Run.results` reads the
 * store, per-run caps fail the node with a message naming the cap; map outputs, gate
 * text and object specs are size-checked like other payloads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { gql, gqlData, makeTokens, type ServerProc, SUBMIT, startServer, type Tokens, testDb } from "./graphql-harness";
import { eventually } from "./hardening-helpers";

let server: ServerProc;
let db: Db;
let t: Tokens;

const ROWS_CAP = 6;
const BYTES_CAP = 4096;

beforeAll(async () => {
  db = testDb();
  t = await makeTokens(db);
  server = await startServer({
    env: {
      SIGNALBOX_MAX_RESULT_ROWS: String(ROWS_CAP),
      SIGNALBOX_MAX_RESULT_BYTES: String(BYTES_CAP),
      // The map test's transforms are trivial; a busy CI machine must not time them out.
      SIGNALBOX_EXPRESSION_TIMEOUT_MS: "10000",
    },
  });
});
afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
});

const CLAIM = `mutation($queue: String!) { claimNode(queue: $queue, leaseMs: 5000) { nodeId nodeKey epoch } }`;
const REPORT = `mutation($input: NodeReportInput!) { reportNode(input: $input) }`;
const COMPLETE = `mutation($id: ID!, $epoch: Int!, $output: JSON) { completeNode(nodeId: $id, epoch: $epoch, output: $output) { key status } }`;
const FAIL = `mutation($id: ID!, $epoch: Int!) { failNode(nodeId: $id, epoch: $epoch, error: "gave up") { key status } }`;

let queues = 0;
async function submit(spec: unknown, params?: unknown): Promise<string> {
  return (await gqlData(server, t.operator, SUBMIT, { input: { spec, params } })).submitRun.id;
}
async function claim(queue: string) {
  return eventually(async () => (await gqlData(server, t.operator, CLAIM, { queue })).claimNode, 10_000);
}
async function run(id: string) {
  return (
    await gqlData(
      server,
      t.viewer,
      `query($id: ID!) { run(id: $id) { status error results { columns rows }
        nodes { key status error } events(first: 1000, types: [RESULTS]) { events {
          ... on ResultsEvent { offset total results { columns rows } } } } } }`,
      { id },
    )
  ).run;
}
const externals = (queue: string, ...nodes: Record<string, unknown>[]) => ({
  name: "results",
  nodes: nodes.map((n) => ({ kind: "external", with: { queue, leaseMs: 5000 }, ...n })),
});

describe("append-only results", () => {
  it("each RESULTS event carries only its new rows at their offset; Run.results reads the whole table", async () => {
    const queue = `q-${t.namespace}-${queues++}`;
    const id = await submit(externals(queue, { id: "live" }, { id: "final", needs: ["live"], results: true }));
    const live = await claim(queue);
    for (const rows of [[{ model: "a", score: 1 }, { model: "b" }], [{ model: "c", score: 3, extra: true }]]) {
      expect(
        (
          await gqlData(server, t.operator, REPORT, {
            input: { nodeId: live.nodeId, epoch: live.epoch, results: rows },
          })
        ).reportNode,
      ).toBe(true);
    }
    await gqlData(server, t.operator, COMPLETE, { id: live.nodeId, epoch: live.epoch, output: null });
    const final = await claim(queue);
    await gqlData(server, t.operator, COMPLETE, {
      id: final.nodeId,
      epoch: final.epoch,
      output: [
        { model: "d", score: 4 },
        { model: "e", score: 5 },
      ],
    });
    const r = await eventually(async () => {
      const got = await run(id);
      return got.status === "SUCCEEDED" ? got : null;
    });
    const all = [
      { model: "a", score: 1 },
      { model: "b" },
      { model: "c", score: 3, extra: true },
      { model: "d", score: 4 },
      { model: "e", score: 5 },
    ];
    expect(r.results).toEqual({ columns: ["model", "score", "extra"], rows: all });
    expect(r.events.events).toEqual([
      { offset: 0, total: 2, results: { columns: ["model", "score"], rows: all.slice(0, 2) } },
      { offset: 2, total: 3, results: { columns: ["model", "score", "extra"], rows: all.slice(2, 3) } },
      { offset: 3, total: 5, results: { columns: ["model", "score", "extra"], rows: all.slice(3) } },
    ]);
    // The store: one row per record, in order, with the node that emitted it.
    const stored = await db.runResult.findMany({ where: { runId: id }, orderBy: { idx: "asc" } });
    expect(stored.map((s) => [s.idx, s.nodeKey, s.row])).toEqual(
      all.map((row, i) => [i, i < 3 ? "live" : "final", row]),
    );
  });

  it("over the row cap: reportNode is BAD_INPUT naming the cap, and the node fails for good with it", async () => {
    const queue = `q-${t.namespace}-${queues++}`;
    const id = await submit(externals(queue, { id: "flood", retries: 2 }));
    const c = await claim(queue);
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ i }));
    await gqlData(server, t.operator, REPORT, { input: { nodeId: c.nodeId, epoch: c.epoch, results: rows(4) } });
    const over = await gql(server, t.operator, REPORT, {
      input: { nodeId: c.nodeId, epoch: c.epoch, results: rows(3) },
    });
    expect(over.errors?.[0].extensions?.code).toBe("BAD_INPUT");
    expect(over.errors?.[0].message).toMatch(
      new RegExp(`results cap reached: .* at most ${ROWS_CAP} rows \\(SIGNALBOX_MAX_RESULT_ROWS\\)`),
    );
    const r = await eventually(async () => {
      const got = await run(id);
      return got.status === "FAILED" ? got : null;
    });
    // Not retried (retries: 2): more attempts would only hit the same cap.
    expect(r.nodes).toEqual([
      { key: "flood", status: "FAILED", error: expect.stringContaining("results cap reached") },
    ]);
    expect(r.results.rows).toHaveLength(4);
    // The failed lease is gone: nothing more can be reported on it.
    const late = await gql(server, t.operator, REPORT, {
      input: { nodeId: c.nodeId, epoch: c.epoch, results: rows(1) },
    });
    expect(late.errors?.[0].extensions?.code).toBe("LEASE_LOST");
  });

  it("over the byte cap: a results:true output is refused (BAD_INPUT) and nothing is stored", async () => {
    const queue = `q-${t.namespace}-${queues++}`;
    const id = await submit(externals(queue, { id: "big", results: true }));
    const c = await claim(queue);
    const output = [{ blob: "x".repeat(2500) }, { blob: "y".repeat(2500) }];
    const r = await gql(server, t.operator, COMPLETE, { id: c.nodeId, epoch: c.epoch, output });
    expect(r.errors?.[0].extensions?.code).toBe("BAD_INPUT");
    expect(r.errors?.[0].message).toMatch(
      new RegExp(`results cap reached: .* at most ${BYTES_CAP} bytes of JSON .*SIGNALBOX_MAX_RESULT_BYTES`),
    );
    expect(await db.runResult.count({ where: { runId: id } })).toBe(0);
    await gqlData(server, t.operator, FAIL, { id: c.nodeId, epoch: c.epoch });
    expect((await eventually(async () => ((await run(id)).status === "FAILED" ? run(id) : null))).results.rows).toEqual(
      [],
    );
  });
});

describe("payload sizes", () => {
  it("an object spec over 1 MiB is INVALID_SPEC, like a text one", async () => {
    const spec = { name: "huge", nodes: [{ id: "a", kind: "sleep", label: "l".repeat(1024 * 1024), with: { ms: 1 } }] };
    const r = await gql(server, t.operator, SUBMIT, { input: { spec } });
    expect(r.errors?.[0].extensions?.code).toBe("INVALID_SPEC");
    expect(JSON.stringify(r.errors?.[0].extensions?.problems)).toMatch(/bytes as JSON; the limit is 1048576 \(1 MiB\)/);
  });

  it("a gate's description over 64 KiB is INVALID_SPEC at its path", async () => {
    const spec = {
      name: "gate-text",
      nodes: [{ id: "g", kind: "gate", with: { title: "ok?", description: "d".repeat(70 * 1024) } }],
    };
    const r = await gql(server, t.operator, SUBMIT, { input: { spec } });
    expect(r.errors?.[0].extensions?.code).toBe("INVALID_SPEC");
    expect(r.errors?.[0].extensions?.problems).toContainEqual({
      path: "nodes[0].with.description",
      message: expect.stringMatching(/the limit is 65536 \(64 KiB\)/),
    });
  });

  it("a map whose gathered output is over 1 MiB fails, saying so", async () => {
    // 18 children whose outputs are 60 KB each: each under 64 KiB, together over 1 MiB.
    const id = await submit({
      name: "fat-map",
      nodes: [
        {
          id: "fan",
          kind: "map",
          with: {
            over: "[1..18]",
            concurrency: 6,
            node: { kind: "transform", with: { expression: "$pad('', 60000, 'z')" } },
          },
        },
      ],
    });
    const r = await eventually(async () => {
      const got = await run(id);
      return got.status === "FAILED" ? got : null;
    }, 30_000);
    expect(r.nodes.find((n: { key: string }) => n.key === "fan")).toMatchObject({
      status: "FAILED",
      error: expect.stringMatching(
        /^map output \(its 18 children's outputs\) is \d+ bytes; the limit is 1048576 \(1 MiB\)$/,
      ),
    });
  }, 40_000);
});
