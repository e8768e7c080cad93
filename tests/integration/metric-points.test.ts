import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { gqlData, type ServerProc, SUBMIT, serveForTests, type Tokens } from "./graphql-harness";

let server: ServerProc;
let t: Tokens;

serveForTests({}, (h) => {
  ({ server, t } = h);
});

const CLAIM = `mutation($queue: String!) { claimNode(queue: $queue, leaseMs: 5000, worker: "w") { nodeId epoch attempt } }`;
const REPORT = `mutation($input: NodeReportInput!) { reportNode(input: $input) }`;
const SERIES = `query($id: ID!) {
  run(id: $id) {
    nodes { key metrics }
    metricPoints { seq nodeKey name value attempt at }
    events(first: 1000, types: [NODE_STATE]) { events { seq ... on NodeStateEvent { metricPoints { seq name value } } } }
  }
}`;

async function claim(queue: string) {
  for (let i = 0; i < 100; i++) {
    const { claimNode } = await gqlData(server, t.operator, CLAIM, { queue });
    if (claimNode) return claimNode;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("nothing to claim");
}

describe("metric series (every reported value with its time and attempt)", () => {
  it("keeps each value of a report in order, serves the run's series and the points in its NODE_STATE event", async () => {
    const queue = `q-${randomUUID()}`;
    const spec = { name: "metric-series", nodes: [{ id: "train", kind: "external", with: { queue } }] };
    const { submitRun } = await gqlData(server, t.operator, SUBMIT, { input: { spec } });
    const lease = await claim(queue);
    const t0 = Date.now() - 10_000;
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    // Two values of `loss` in one report: both are points, the node keeps the last.
    await gqlData(server, t.operator, REPORT, {
      input: {
        nodeId: lease.nodeId,
        epoch: lease.epoch,
        metricPoints: [
          { name: "loss", value: 0.9, at: at(0) },
          { name: "loss", value: 0.5, at: at(100) },
        ],
      },
    });
    // The name → value map older workers send: timed on arrival.
    await gqlData(server, t.operator, REPORT, {
      input: { nodeId: lease.nodeId, epoch: lease.epoch, metrics: { loss: 0.25, acc: 0.75 } },
    });
    const { run } = await gqlData(server, t.viewer, SERIES, { id: submitRun.id });
    expect(run.nodes[0].metrics).toEqual({ loss: 0.25, acc: 0.75 });
    expect(run.metricPoints.map((p: { name: string; value: number }) => [p.name, p.value])).toEqual([
      ["loss", 0.9],
      ["loss", 0.5],
      ["loss", 0.25],
      ["acc", 0.75],
    ]);
    for (const p of run.metricPoints) expect(p).toMatchObject({ nodeKey: "train", attempt: lease.attempt });
    expect(run.metricPoints[0].at).toBe(at(0));
    // The same points arrive live: in the NODE_STATE events that recorded them, with their seq.
    const live = run.events.events.flatMap((e: { metricPoints: { seq: number }[] }) => e.metricPoints);
    expect(live.map((p: { name: string; value: number }) => p.value)).toEqual([0.9, 0.5, 0.25, 0.75]);
    expect(live.map((p: { seq: number }) => p.seq)).toEqual(run.metricPoints.map((p: { seq: number }) => p.seq));
  });
});
