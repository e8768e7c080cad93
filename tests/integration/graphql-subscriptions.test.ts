import { describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import {
  APPROVE,
  collect,
  type ExecutionResult,
  GATED_SPEC,
  gqlData,
  RUN_EVENTS,
  range,
  type ServerProc,
  SUBMIT,
  seqsOf,
  serveForTests,
  sseClient,
  type Tokens,
  watchRuns,
  wsClient,
} from "./graphql-harness";

let server: ServerProc;
let db: Db;
let t: Tokens;

serveForTests({}, (h) => {
  ({ server, db, t } = h);
});

/** Approve the gate as soon as the stream says it waits (the human in the loop). */
const approveOnWait = (runId: string) => async (r: ExecutionResult) => {
  const e = r.data?.runEvents;
  if (e?.type === "GATE_WAITING") await gqlData(server, t.operator, APPROVE, { runId, key: e.node.key });
};

async function submitGated(): Promise<string> {
  const { submitRun } = await gqlData(server, t.operator, SUBMIT, { input: { spec: GATED_SPEC } });
  return submitRun.id;
}

describe("runEvents over graphql-ws and graphql-sse", () => {
  let runId: string;
  let wsResults: ExecutionResult[];

  it("graphql-ws: submit → watch from 0 → approve the gate → every event once, completing after RUN_COMPLETED", async () => {
    runId = await submitGated();
    const client = wsClient(server, t.viewer);
    try {
      wsResults = await collect(client, RUN_EVENTS, { runId, afterSeq: 0 }, approveOnWait(runId)).done;
    } finally {
      await client.dispose();
    }
    const seqs = seqsOf(wsResults);
    expect(seqs).toEqual(range(1, seqs.length));
    const last = wsResults.at(-1)?.data?.runEvents;
    expect(last).toMatchObject({ __typename: "RunCompletedEvent", status: "SUCCEEDED" });
    const types = wsResults.map((r) => r.data?.runEvents.type);
    expect(types).toContain("GATE_WAITING");
    expect(types).toContain("DAG_MUTATED");
    // NodeStateEvent.node is the snapshot: map children appear by key.
    const keys = new Set(wsResults.map((r) => r.data?.runEvents.node?.key).filter(Boolean));
    expect(keys).toContain("each[2]");
    const { run } = await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { status lastSeq } }`, {
      id: runId,
    });
    expect(run).toEqual({ status: "SUCCEEDED", lastSeq: seqs.length });
  });

  it("graphql-sse replays the same run with the identical seq list and payloads", async () => {
    const client = sseClient(server, t.viewer);
    try {
      const sse = await collect(client, RUN_EVENTS, { runId, afterSeq: 0 }).done;
      expect(seqsOf(sse)).toEqual(seqsOf(wsResults));
      expect(sse.map((r) => r.data)).toEqual(wsResults.map((r) => r.data));
    } finally {
      client.dispose();
    }
  });

  it("yoga's built-in SSE (Accept: text/event-stream) gives the same seq list", async () => {
    const url = new URL(server.api);
    url.searchParams.set("query", RUN_EVENTS);
    url.searchParams.set("variables", JSON.stringify({ runId, afterSeq: 0 }));
    const res = await fetch(url, { headers: { accept: "text/event-stream", authorization: `Bearer ${t.viewer}` } });
    expect(res.status).toBe(200);
    const text = await res.text(); // the server ends the stream after RUN_COMPLETED
    const seqs = text
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6)).data.runEvents.seq);
    expect(seqs).toEqual(seqsOf(wsResults));
  });

  it("resuming from a middle seq gives exactly the rest, on both transports", async () => {
    const all = seqsOf(wsResults);
    const middle = all[Math.floor(all.length / 2)];
    const ws = wsClient(server, t.viewer);
    const sse = sseClient(server, t.viewer);
    try {
      const [a, b] = await Promise.all([
        collect(ws, RUN_EVENTS, { runId, afterSeq: middle }).done,
        collect(sse, RUN_EVENTS, { runId, afterSeq: middle }).done,
      ]);
      expect(seqsOf(a)).toEqual(range(middle + 1, all.length));
      expect(seqsOf(b)).toEqual(range(middle + 1, all.length));
    } finally {
      await ws.dispose();
      sse.dispose();
    }
  });

  it("a subscriber that joins mid-run and one that reconnects with its last seq both get the rest live", async () => {
    const id = await submitGated();
    const first = wsClient(server, t.viewer);
    // Stop the first watcher at the gate: the run cannot move on before a decision.
    const firstSeen: ExecutionResult[] = [];
    let stopFirst = () => {};
    const atGate = new Promise<void>((resolve, reject) => {
      stopFirst = first.subscribe(
        { query: RUN_EVENTS, variables: { runId: id, afterSeq: 0 } },
        {
          next: (r: ExecutionResult) => {
            firstSeen.push(r);
            if (r.data?.runEvents.type === "GATE_WAITING") resolve();
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    await atGate;
    stopFirst();
    await first.dispose();
    const lastSeq = seqsOf(firstSeen).at(-1)!;
    const again = wsClient(server, t.viewer);
    const rest = collect(again, RUN_EVENTS, { runId: id, afterSeq: lastSeq }).done;
    await gqlData(server, t.operator, APPROVE, { runId: id, key: "review" });
    const resumed = await rest;
    await again.dispose();
    const seqs = [...seqsOf(firstSeen), ...seqsOf(resumed)];
    expect(seqs).toEqual(range(1, seqs.length));
    expect(resumed.at(-1)?.data?.runEvents.type).toBe("RUN_COMPLETED");
  });

  it("`types` filters the stream but it still completes after RUN_COMPLETED", async () => {
    const client = wsClient(server, t.viewer);
    try {
      const got = await collect(client, RUN_EVENTS, { runId, afterSeq: 0, types: ["GATE_WAITING"] }).done;
      expect(got.map((r) => r.data?.runEvents.type)).toEqual(["GATE_WAITING"]);
    } finally {
      await client.dispose();
    }
  });

  it("a sealed run subscribed from its last seq completes at once", async () => {
    const client = sseClient(server, t.viewer);
    try {
      const got = await collect(client, RUN_EVENTS, { runId, afterSeq: seqsOf(wsResults).length }).done;
      expect(got).toEqual([]);
    } finally {
      client.dispose();
    }
  });
});

describe("runsChanged", () => {
  it("delivers a new run and its status changes to the namespace's subscribers", async () => {
    const client = wsClient(server, t.viewer);
    const watch = await watchRuns(client, server, t.operator);
    const { submitRun } = await gqlData(server, t.operator, SUBMIT, {
      input: { spec: { name: "quick", nodes: [{ id: "a", kind: "sleep", with: { ms: 50 } }] } },
    });
    await watch.waitFor((seen) => seen.some((c) => c.id === submitRun.id && c.status === "SUCCEEDED"));
    watch.stop();
    await client.dispose();
    const mine = watch.seen.filter((c) => c.id === submitRun.id).map((c) => c.status);
    expect(mine[0]).toMatch(/QUEUED|RUNNING/);
    expect(mine.at(-1)).toBe("SUCCEEDED");
  });

  it("runsChangedSince: runs changed after `since` (before the subscription started) come first, then live changes", async () => {
    const LIST = "query { runs(first: 1) { asOf } }";
    const { runs } = await gqlData(server, t.viewer, LIST);
    // A run finishes between the list's read and the subscription: the gap a fixed wait raced with.
    const { submitRun } = await gqlData(server, t.operator, SUBMIT, {
      input: { spec: { name: "in-the-gap", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] } },
    });
    await waitForStatus(submitRun.id, "SUCCEEDED");
    const older = new Date(Date.now() - 60 * 60_000).toISOString(); // an hour before: everything replays

    const client = wsClient(server, t.viewer);
    const seen: { id: string; status: string }[] = [];
    const stop = client.subscribe(
      {
        query: "subscription ($since: DateTime!) { runsChangedSince(since: $since) { id status } }",
        variables: { since: runs.asOf },
      },
      {
        next: (r) => seen.push((r.data as { runsChangedSince: { id: string; status: string } }).runsChangedSince),
        error: () => {},
        complete: () => {},
      },
    );
    await until(() => seen.some((c) => c.id === submitRun.id));
    // Its newest state, once (no live change followed it).
    expect(seen.filter((c) => c.id === submitRun.id)).toEqual([{ id: submitRun.id, status: "SUCCEEDED" }]);
    // …and live changes still arrive on the same subscription.
    const live = await gqlData(server, t.operator, SUBMIT, {
      input: { spec: { name: "after", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] } },
    });
    await until(() => seen.some((c) => c.id === live.submitRun.id && c.status === "SUCCEEDED"));
    stop();

    // Without `since`, nothing is replayed; with a time long past, at most 100 runs are.
    const plain: string[] = [];
    const stopPlain = client.subscribe(
      { query: "subscription { runsChanged { id } }" },
      {
        next: (r) => plain.push((r.data as { runsChanged: { id: string } }).runsChanged.id),
        error: () => {},
        complete: () => {},
      },
    );
    const wide: string[] = [];
    const stopWide = client.subscribe(
      {
        query: "subscription ($since: DateTime!) { runsChangedSince(since: $since) { id } }",
        variables: { since: older },
      },
      {
        next: (r) => wide.push((r.data as { runsChangedSince: { id: string } }).runsChangedSince.id),
        error: () => {},
        complete: () => {},
      },
    );
    await until(() => wide.includes(submitRun.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(plain).not.toContain(submitRun.id);
    expect(wide.length).toBeLessThanOrEqual(100);
    stopPlain();
    stopWide();
    await client.dispose();
  });
});

async function waitForStatus(id: string, status: string) {
  await until(async () => (await db.run.findUniqueOrThrow({ where: { id } })).status === status);
}

async function until(pred: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
