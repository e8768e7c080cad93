/**
 * Slow consumers against the real server: a WebSocket subscriber that stops reading (its
 * TCP socket paused) while a run emits ~25 MB of events is closed with 1013 and resumes by
 * seq without a gap; a healthy subscriber on the same run gets every event; server memory
 * stays bounded; the close is counted in /api/metrics. Same for an SSE reader that stops.
 */
import http from "node:http";
import { describe, expect, it } from "vitest";
import {
  collect,
  type ExecutionResult,
  gqlData,
  range,
  type ServerProc,
  SUBMIT,
  seqsOf,
  serveForTests,
  type Tokens,
  wsClient,
} from "./graphql-harness";
import { ackedSocket, eventually, metric, metricsText, sleep } from "./hardening-helpers";

let server: ServerProc;
let t: Tokens;

serveForTests({}, (h) => {
  ({ server, t } = h);
});

const WATCH =
  "subscription($r: ID!, $s: Int) { runEvents(runId: $r, afterSeq: $s) { seq type ... on LogEvent { message } } }";
const MB = 1024 * 1024;

/** A run with one external node the test drives as its worker: it writes as many logs as we like. */
async function externalRun(queue: string) {
  const spec = { name: "flood", nodes: [{ id: "w", kind: "external", with: { queue, leaseMs: 60_000 } }] };
  const runId = (await gqlData(server, t.operator, SUBMIT, { input: { spec } })).submitRun.id as string;
  const lease = await eventually(
    async () =>
      (
        await gqlData(
          server,
          t.operator,
          "mutation($q: String!) { claimNode(queue: $q, leaseMs: 60000) { nodeId epoch } }",
          { q: queue },
        )
      ).claimNode,
    10_000,
    "the external node to be claimable",
  );
  const line = "x".repeat(8_000);
  return {
    runId,
    /** `reports` × 400 log events of 8 KB. */
    async flood(reports: number) {
      for (let i = 0; i < reports; i++) {
        const logs = Array.from({ length: 400 }, (_, j) => ({ message: `${i}:${j}:${line}` }));
        await gqlData(server, t.operator, "mutation($i: NodeReportInput!) { reportNode(input: $i) }", {
          i: { nodeId: lease.nodeId, epoch: lease.epoch, logs },
        });
      }
    },
    async complete() {
      await gqlData(
        server,
        t.operator,
        "mutation($n: ID!, $e: Int!) { completeNode(nodeId: $n, epoch: $e) { status } }",
        {
          n: lease.nodeId,
          e: lease.epoch,
        },
      );
    },
  };
}

describe("slow WebSocket consumer", () => {
  /** One round: a healthy and a stalled subscriber on a run that emits ~26 MB of events. */
  async function round() {
    const run = await externalRun("slow-ws");
    const closesBefore = metric(await metricsText(server), "signalbox_slow_consumer_closes_total", { transport: "ws" });
    const healthy = wsClient(server, t.viewer);
    const all = collect(healthy, WATCH, { r: run.runId, s: 0 });

    const slow = await ackedSocket(server, t.viewer);
    slow.send({ id: "s", type: "subscribe", payload: { query: WATCH, variables: { r: run.runId, s: 0 } } });
    await slow.waitFor((m) => m.id === "s" && m.type === "next");
    // Stop reading: the kernel buffers fill, then the server's writes stall.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const flooded = run.flood(8); // 3,200 events, ~26 MB of frames
    let maxBuffered = 0;
    await eventually(
      async () => {
        const text = await metricsText(server);
        maxBuffered = Math.max(maxBuffered, metric(text, "signalbox_outbound_buffered_bytes", { transport: "ws" }));
        return metric(text, "signalbox_slow_consumer_closes_total", { transport: "ws" }) > closesBefore;
      },
      30_000,
      "the slow consumer to be closed",
    );
    await flooded;
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await slow.closed;
    expect(code).toBe(1013);
    expect(reason).toMatch(/resume/i);

    await run.complete();
    const healthySeqs = seqsOf(await all.done);
    expect(healthySeqs).toEqual(range(1, healthySeqs.length));
    expect(healthySeqs.length).toBeGreaterThan(3_200);
    expect((await all.done).at(-1)?.data?.runEvents.type).toBe("RUN_COMPLETED");
    await healthy.dispose();

    // The slow client reconnects from the last seq it applied and gets the rest, gapless.
    const got = slow.messages.filter((m) => m.id === "s" && m.type === "next").map((m) => m.payload.data.runEvents.seq);
    expect(got).toEqual(range(1, got.length));
    expect(got.length).toBeLessThan(healthySeqs.length);
    const again = wsClient(server, t.viewer);
    const rest = seqsOf(await collect(again, WATCH, { r: run.runId, s: got.at(-1) }).done);
    expect([...got, ...rest]).toEqual(healthySeqs);
    await again.dispose();
    return { maxBuffered, received: got.length, total: healthySeqs.length };
  }

  it("is closed with 1013 and resumes by seq; a healthy subscriber gets everything; memory stays flat", async () => {
    const memory = async () => {
      // The lowest of a few samples over 2 s: a round's garbage is not the server's memory.
      let best = { rss: Number.POSITIVE_INFINITY, heap: Number.POSITIVE_INFINITY };
      for (let i = 0; i < 4; i++) {
        const text = await metricsText(server);
        best = {
          rss: Math.min(best.rss, metric(text, "signalbox_process_resident_memory_bytes")),
          heap: Math.min(best.heap, metric(text, "signalbox_nodejs_heap_size_used_bytes")),
        };
        await sleep(500);
      }
      return best;
    };
    const samples = [await memory()];
    const rounds = [];
    for (let i = 0; i < 3; i++) {
      rounds.push(await round());
      samples.push(await memory());
    }
    const mb = (b: number) => `${(b / MB).toFixed(0)} MB`;
    console.log(
      `slow consumer: RSS ${samples.map((x) => mb(x.rss)).join(" → ")}, heap used ${samples.map((x) => mb(x.heap)).join(" → ")} ` +
        `over 3 rounds of ~26 MB each; max bytes queued for WebSocket clients ${rounds.map((r) => `${(r.maxBuffered / 1024).toFixed(0)} KiB`).join(", ")}; ` +
        `the stalled client got ${rounds.map((r) => `${r.received}/${r.total}`).join(", ")} events before 1013`,
    );
    // What the server holds for stalled clients is bounded (4 MiB limit, plus one frame)…
    for (const r of rounds) expect(r.maxBuffered).toBeLessThan(5 * MB);
    // …and memory is steady once warm: rounds 2 and 3 (another 52 MB of events, two more
    // stalled clients) leave the heap where round 1 did; RSS (which V8 returns lazily) stays bounded.
    expect(samples[3].heap - samples[1].heap).toBeLessThan(64 * MB);
    expect(samples[3].rss - samples[1].rss).toBeLessThan(256 * MB);
  }, 180_000);
});

describe("slow SSE consumer", () => {
  it("a reader that stops is cut off (stream ended, counted) while a healthy one completes", async () => {
    const run = await externalRun("slow-sse");
    const before = metric(await metricsText(server), "signalbox_slow_consumer_closes_total", {
      transport: "graphql-sse",
    });
    const healthy = wsClient(server, t.viewer);
    const all = collect(healthy, WATCH, { r: run.runId, s: 0 });

    // A raw graphql-sse (distinct connections) reader that reads the first chunk, then stops.
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        `${server.url}/api/graphql/stream`,
        {
          method: "POST",
          agent: false,
          headers: {
            "content-type": "application/json",
            accept: "text/event-stream",
            authorization: `Bearer ${t.viewer}`,
          },
        },
        resolve,
      );
      req.on("error", reject);
      req.end(JSON.stringify({ query: WATCH, variables: { r: run.runId, s: 0 } }));
    });
    expect(res.statusCode).toBe(200);
    await new Promise((r) => res.once("data", r));
    res.pause();
    const ended = new Promise<void>((resolve) => res.socket.once("close", () => resolve()));

    await run.flood(8);
    await eventually(
      async () =>
        metric(await metricsText(server), "signalbox_slow_consumer_closes_total", { transport: "graphql-sse" }) >
        before,
      30_000,
      "the slow SSE reader to be cut off",
    );
    res.resume();
    res.on("data", () => {});
    await ended;
    await run.complete();
    const seqs = seqsOf((await all.done) as ExecutionResult[]);
    expect(seqs).toEqual(range(1, seqs.length));
    await healthy.dispose();
    // Nothing left open for it.
    await eventually(
      async () => metric(await metricsText(server), "signalbox_open_connections", { transport: "graphql-sse" }) === 0,
      5_000,
      "the SSE connection to be gone",
    );
  });
});
