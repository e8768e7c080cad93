import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import {
  APPROVE,
  collect,
  type ExecutionResult,
  GATED_SPEC,
  gqlData,
  makeTokens,
  type Proc,
  RUN_EVENTS,
  range,
  type ServerProc,
  SUBMIT,
  seqsOf,
  sseClient,
  startServer,
  startWorker,
  type Tokens,
  testDb,
  watchRuns,
  wsClient,
} from "./graphql-harness";

let a: ServerProc;
let b: ServerProc;
let worker: Proc;
let db: Db;
let t: Tokens;

beforeAll(async () => {
  db = testDb();
  t = await makeTokens(db);
  // Started one after another: each start seeds the admin token and example pipelines.
  a = await startServer({ worker: false });
  b = await startServer({ worker: false });
  worker = await startWorker();
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
  await db?.$disconnect();
});

describe("several processes", () => {
  it("a subscriber on server A sees a run submitted and approved on server B and executed by a worker process", async () => {
    const { submitRun } = await gqlData(b, t.operator, SUBMIT, { input: { spec: GATED_SPEC } });
    const runId = submitRun.id;
    const onA = wsClient(a, t.viewer);
    const sseOnA = sseClient(a, t.viewer);
    const approveOnB = async (r: ExecutionResult) => {
      const e = r.data?.runEvents;
      if (e?.type === "GATE_WAITING") await gqlData(b, t.operator, APPROVE, { runId, key: e.node.key });
    };
    try {
      const [ws, sse] = await Promise.all([
        collect(onA, RUN_EVENTS, { runId, afterSeq: 0 }, approveOnB).done,
        collect(sseOnA, RUN_EVENTS, { runId, afterSeq: 0 }).done,
      ]);
      const seqs = seqsOf(ws);
      expect(seqs).toEqual(range(1, seqs.length));
      expect(seqsOf(sse)).toEqual(seqs);
      expect(ws.at(-1)?.data?.runEvents).toMatchObject({ type: "RUN_COMPLETED", status: "SUCCEEDED" });
      // The worker process, not either server, executed the nodes.
      const { run } = await gqlData(a, t.viewer, `query($id: ID!) { run(id: $id) { status lastSeq } }`, { id: runId });
      expect(run).toEqual({ status: "SUCCEEDED", lastSeq: seqs.length });
    } finally {
      await onA.dispose();
      sseOnA.dispose();
    }
  });

  it("runsChanged on server A is woken by changes committed through server B", async () => {
    const client = wsClient(a, t.viewer);
    const watch = await watchRuns(client, b, t.operator); // probes go through B as well
    const spec = { name: "long", nodes: [{ id: "s", kind: "sleep", with: { ms: 60_000 } }] };
    const runId = (await gqlData(b, t.operator, SUBMIT, { input: { spec } })).submitRun.id;
    await gqlData(b, t.operator, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: runId });
    await watch.waitFor((seen) => seen.some((c) => c.id === runId && c.status === "CANCELLED"));
    watch.stop();
    await client.dispose();
  });

  it("after kill -9 of the server mid-run, a client resuming from its last seq gets the rest and the run completes", async () => {
    await worker.stop(); // only the killed server's in-process worker holds the nodes' leases
    const c = await startServer();
    const spec = {
      name: "crash",
      nodes: [
        { id: "items", kind: "transform", with: { expression: "[1..8]" } },
        {
          id: "each",
          kind: "map",
          needs: ["items"],
          with: { over: "inputs.items", concurrency: 2, node: { kind: "sleep", with: { ms: 300 } } },
        },
      ],
    };
    const runId = (await gqlData(c, t.operator, SUBMIT, { input: { spec } })).submitRun.id;
    const client = wsClient(c, t.viewer);
    const before: ExecutionResult[] = [];
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: RUN_EVENTS, variables: { runId, afterSeq: 0 } },
        {
          next: (r: ExecutionResult) => {
            before.push(r);
            if (r.data?.runEvents.type === "DAG_MUTATED") resolve();
          },
          error: () => resolve(), // the connection drops when the server dies
          complete: () => resolve(),
        },
      );
    });
    await new Promise((r) => setTimeout(r, 200)); // mid-run: map children are sleeping
    c.child.kill("SIGKILL");
    await c.stop();
    await client.dispose();
    const lastSeq = seqsOf(before).at(-1)!;
    const restarted = await startServer();
    const again = wsClient(restarted, t.viewer);
    try {
      const rest = await collect(again, RUN_EVENTS, { runId, afterSeq: lastSeq }).done;
      const seqs = [...seqsOf(before), ...seqsOf(rest)];
      expect(seqs).toEqual(range(1, seqs.length));
      expect(rest.at(-1)?.data?.runEvents).toMatchObject({ type: "RUN_COMPLETED", status: "SUCCEEDED" });
    } finally {
      await again.dispose();
      await restarted.stop();
    }
  });
});
