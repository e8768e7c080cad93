import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { gql, gqlData, makeTokens, type ServerProc, SUBMIT, serveForTests, type Tokens } from "./graphql-harness";

let server: ServerProc;
let db: Db;
let t: Tokens;

serveForTests({}, (h) => {
  ({ server, db, t } = h);
});

const CLAIM = /* GraphQL */ `
  mutation($queue: String!, $leaseMs: Int) {
    claimNode(queue: $queue, leaseMs: $leaseMs, worker: "test-worker") {
      runId nodeId nodeKey epoch attempt input leaseMs node { key status attempt }
    }
  }`;
const HEARTBEAT = `mutation($id: ID!, $epoch: Int!) { heartbeatNode(nodeId: $id, epoch: $epoch, leaseMs: 5000) }`;
const REPORT = `mutation($input: NodeReportInput!) { reportNode(input: $input) }`;
const COMPLETE = `mutation($id: ID!, $epoch: Int!, $output: JSON) {
  completeNode(nodeId: $id, epoch: $epoch, output: $output) { key status output } }`;
const FAIL = `mutation($id: ID!, $epoch: Int!, $error: String!) {
  failNode(nodeId: $id, epoch: $epoch, error: $error) { key status error attempt } }`;

const externalSpec = (queue: string, retries = 0) => ({
  name: "external",
  nodes: [
    { id: "score", kind: "external", with: { queue, input: { rows: 3 }, leaseMs: 5000 }, retries, results: true },
  ],
});

async function claimWhenReady(queue: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { claimNode } = await gqlData(server, t.operator, CLAIM, { queue, leaseMs: 5000 });
    if (claimNode) return claimNode;
    if (Date.now() > deadline) throw new Error("nothing to claim");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runOf(id: string) {
  return (
    await gqlData(
      server,
      t.viewer,
      `query($id: ID!) { run(id: $id) { status cost { spent } results { rows }
        nodes { key metrics progress } events(first: 1000, types: [LOG]) { events { ... on LogEvent { message level } } } } }`,
      { id },
    )
  ).run;
}

describe("worker protocol for external nodes", () => {
  it("claim → report → heartbeat → complete; the run finishes with the reported output", async () => {
    const queue = `q-${randomUUID()}`;
    const { submitRun } = await gqlData(server, t.operator, SUBMIT, { input: { spec: externalSpec(queue) } });
    const lease = await claimWhenReady(queue);
    expect(lease).toMatchObject({ runId: submitRun.id, nodeKey: "score", epoch: 1, attempt: 1, input: { rows: 3 } });
    expect(lease.node).toEqual({ key: "score", status: "RUNNING", attempt: 1 });
    const reported = await gqlData(server, t.operator, REPORT, {
      input: {
        nodeId: lease.nodeId,
        epoch: lease.epoch,
        progress: 0.5,
        costDelta: 0.25,
        metrics: { loss: 0.1 },
        logs: [{ level: "WARNING", message: "half way" }],
        results: [{ row: 1 }],
      },
    });
    expect(reported.reportNode).toBe(true);
    expect((await gqlData(server, t.operator, HEARTBEAT, { id: lease.nodeId, epoch: lease.epoch })).heartbeatNode).toBe(
      true,
    );
    const done = await gqlData(server, t.operator, COMPLETE, {
      id: lease.nodeId,
      epoch: lease.epoch,
      output: [{ row: 2 }],
    });
    expect(done.completeNode).toEqual({ key: "score", status: "SUCCEEDED", output: [{ row: 2 }] });
    const run = await runOf(submitRun.id);
    expect(run.status).toBe("SUCCEEDED");
    expect(run.cost.spent).toBe(0.25);
    expect(run.nodes[0].metrics).toEqual({ loss: 0.1 });
    expect(run.results.rows).toEqual([{ row: 1 }, { row: 2 }]);
    expect(run.events.events).toContainEqual({ level: "WARNING", message: "half way" });
  });

  it("a stale epoch is LEASE_LOST; failNode retries with a new epoch", async () => {
    const queue = `q-${randomUUID()}`;
    await gqlData(server, t.operator, SUBMIT, { input: { spec: externalSpec(queue, 1) } });
    const first = await claimWhenReady(queue);
    const failed = await gqlData(server, t.operator, FAIL, { id: first.nodeId, epoch: first.epoch, error: "gpu oom" });
    expect(failed.failNode).toMatchObject({ status: "QUEUED", error: "gpu oom", attempt: 1 });
    const second = await claimWhenReady(queue);
    expect(second.epoch).toBe(first.epoch + 1);
    expect(second.attempt).toBe(2);
    for (const [query, vars] of [
      [COMPLETE, { id: first.nodeId, epoch: first.epoch, output: 1 }],
      [HEARTBEAT, { id: first.nodeId, epoch: first.epoch }],
      [REPORT, { input: { nodeId: first.nodeId, epoch: first.epoch, progress: 1 } }],
    ] as const) {
      const r = await gql(server, t.operator, query, vars);
      expect(r.errors?.[0].extensions?.code).toBe("LEASE_LOST");
    }
    const ok = await gqlData(server, t.operator, COMPLETE, { id: second.nodeId, epoch: second.epoch, output: 2 });
    expect(ok.completeNode.status).toBe("SUCCEEDED");
  });

  it("rejects bad reports with BAD_INPUT, viewers with FORBIDDEN, other namespaces' nodes with NOT_FOUND", async () => {
    const queue = `q-${randomUUID()}`;
    await gqlData(server, t.operator, SUBMIT, { input: { spec: externalSpec(queue) } });
    const lease = await claimWhenReady(queue);
    const bad = await gql(server, t.operator, REPORT, {
      input: { nodeId: lease.nodeId, epoch: lease.epoch, metrics: { loss: "high" } },
    });
    expect(bad.errors?.[0].extensions?.code).toBe("BAD_INPUT");
    const viewer = await gql(server, t.viewer, CLAIM, { queue });
    expect(viewer.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const other = await makeTokens(db);
    const foreign = await gql(server, other.operator, COMPLETE, { id: lease.nodeId, epoch: lease.epoch });
    expect(foreign.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    expect((await gqlData(server, other.operator, CLAIM, { queue })).claimNode).toBeNull();
    const shortLease = await gql(server, t.operator, CLAIM, { queue, leaseMs: 5 });
    expect(shortLease.errors?.[0].extensions?.code).toBe("BAD_INPUT");
  });
});
