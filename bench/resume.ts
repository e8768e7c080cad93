/**
 * Backlog resume benchmark (SPEC §9: a 10,000-event backlog, time to all events ≤ 1.5× the
 * raw baseline over graphql-ws and over graphql-sse). A run with 10,000 LOG events
 * (appended through lib/events); a real graphql-ws client (`graphql-ws` createClient,
 * connection already acknowledged) subscribes to `runEvents(afterSeq: 0)` on the real server.ts; time from subscribe to the
 * first and to the 10,000th event. The same over graphql-sse (`graphql-sse` createClient,
 * distinct-connection mode: the HTTP request is part of the subscribe, as for a real
 * client). Side by side, the raw baseline: a plain `ws` server that reads the same rows
 * with plain `pg` (1,000 a query, like the server's pages) and sends one frame per row to
 * a plain `ws` client that parses each. Alternating rounds after a warm-up; medians (the
 * first, cold round is reported too).
 *
 *   npm run bench:resume   BENCH_BACKLOG (10000) BENCH_ROUNDS (5)
 */
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";
import { appendEventsNow } from "../lib/events/append";
import {
  benchDb,
  cpuSeconds,
  envInt,
  forkHelper,
  LOG_SUBSCRIPTION,
  logPayload,
  median,
  nowMs,
  onCleanup,
  phase,
  ratioBar,
  report,
  round,
  runBench,
  setupRuns,
  startDatabase,
  startServer,
} from "./support";

const BACKLOG = envInt("BENCH_BACKLOG", 10_000);
const ROUNDS = envInt("BENCH_ROUNDS", 5);
/** SPEC §9: time to all events ≤ 1.5× the raw baseline's, over graphql-ws and graphql-sse each. */
const TARGET_RATIO = 1.5;

type Timing = { firstMs: number; allMs: number };
type Sink = { next(v: unknown): void; error(e: unknown): void; complete(): void };
type Subscribable = {
  subscribe(payload: { query: string; variables: Record<string, unknown> }, sink: Sink): () => void;
};

/** Subscribe, time the first and the BACKLOG-th result, then unsubscribe. */
function timeSubscription(client: Subscribable, runId: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    let n = 0;
    let first = 0;
    let lastSeq = 0;
    const t0 = nowMs();
    const stop = client.subscribe(
      { query: LOG_SUBSCRIPTION, variables: { runId, afterSeq: 0 } },
      {
        next(r) {
          const seq = (r as { data?: { runEvents?: { seq: number } } }).data?.runEvents?.seq;
          if (seq !== lastSeq + 1)
            return reject(new Error(`unexpected result after seq ${lastSeq}: ${JSON.stringify(r)}`));
          lastSeq = seq;
          if (++n === 1) first = nowMs();
          if (n === BACKLOG) {
            const all = nowMs();
            stop();
            resolve({ firstMs: first - t0, allMs: all - t0 });
          }
        },
        error: reject,
        complete() {
          if (n < BACKLOG) reject(new Error(`completed after ${n} events`));
        },
      },
    );
  });
}

/** The raw baseline: ask the raw server for the run's rows over an open socket. */
function timeRaw(ws: WebSocket, runId: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    let n = 0;
    let first = 0;
    const t0 = nowMs();
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { payload: { data: { runEvents: { seq: number } } } };
      if (frame.payload.data.runEvents.seq !== n + 1) reject(new Error("raw: out of order"));
      if (++n === 1) first = nowMs();
      if (n === BACKLOG) {
        ws.off("message", onMessage);
        resolve({ firstMs: first - t0, allMs: nowMs() - t0 });
      }
    };
    ws.on("message", onMessage);
    ws.send(JSON.stringify({ runId }));
  });
}

runBench(async () => {
  const url = await startDatabase();
  const db = benchDb(url);
  const { token, runIds } = await setupRuns(db, 2);
  for (const runId of runIds) {
    for (let i = 0; i < BACKLOG; i += 1000) {
      const n = Math.min(1000, BACKLOG - i);
      await appendEventsNow(
        db,
        runId,
        Array.from({ length: n }, (_, j) => ({ type: "LOG" as const, payload: logPayload(i + j + 1) })),
      );
    }
  }
  // Each run is read by one transport only, so no transport warms the other's rows.
  const [runId, rawRunId] = runIds;
  const server = await startServer(url);
  const raw = forkHelper("raw.ts");
  const { port } = await raw.rpc.call("listen");
  await raw.rpc.call("backlog", { url });

  const wsClient = createWsClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
  });
  onCleanup(() => wsClient.dispose());
  await new Promise<void>((resolve, reject) => {
    wsClient.on("connected", () => resolve());
    wsClient.on("error", reject);
  });
  const sseClient = createSseClient({
    url: `${server.url}/api/graphql/stream`,
    headers: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  onCleanup(() => sseClient.dispose());
  const rawWs = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  onCleanup(() => rawWs.terminate());
  await new Promise((resolve, reject) => rawWs.once("open", resolve).once("error", reject));

  const runs: Record<"ws" | "sse" | "raw", Timing[]> = { ws: [], sse: [], raw: [] };
  // Server CPU (user + system) per replayed event: less skewed by other load than wall time.
  const cpu: Record<"ws" | "sse" | "raw", number[]> = { ws: [], sse: [], raw: [] };
  const measured = async (kind: "ws" | "sse" | "raw", pid: number, f: () => Promise<Timing>) => {
    const c0 = cpuSeconds(pid);
    runs[kind].push(await f());
    cpu[kind].push(((cpuSeconds(pid) - c0) * 1e6) / BACKLOG);
  };
  for (let i = 0; i <= ROUNDS; i++) {
    await measured("ws", server.pid, () => timeSubscription(wsClient as Subscribable, runId));
    await measured("sse", server.pid, () => timeSubscription(sseClient as Subscribable, runId));
    await measured("raw", raw.pid, () => timeRaw(rawWs, rawRunId));
    phase(
      `round ${i}: ws ${runs.ws.at(-1)?.allMs.toFixed(0)} ms, sse ${runs.sse.at(-1)?.allMs.toFixed(0)} ms, raw ${runs.raw.at(-1)?.allMs.toFixed(0)} ms`,
    );
  }
  const summarize = (kind: "ws" | "sse" | "raw") => {
    const ts = runs[kind];
    const warm = ts.slice(1);
    return {
      serverCpuMicrosPerEvent: round(median(cpu[kind].slice(1)), 1),
      firstMs: round(median(warm.map((t) => t.firstMs))),
      allMs: round(median(warm.map((t) => t.allMs))),
      eventsPerSec: Math.round(BACKLOG / (median(warm.map((t) => t.allMs)) / 1000)),
      cold: { firstMs: round(ts[0].firstMs), allMs: round(ts[0].allMs) },
      rounds: warm.map((t) => [round(t.firstMs), round(t.allMs)]),
    };
  };
  const ws = summarize("ws");
  const sse = summarize("sse");
  const base = summarize("raw");
  const passes = (t: { allMs: number }) => t.allMs <= TARGET_RATIO * base.allMs;
  report({
    bench: "resume",
    scale: { backlog: BACKLOG, rounds: ROUNDS },
    graphqlWs: { ...ws, pass: passes(ws) },
    graphqlSse: { ...sse, pass: passes(sse) },
    raw: base,
    ratioAllMs: { ws: round(ws.allMs / base.allMs, 2), sse: round(sse.allMs / base.allMs, 2) },
    target: `all <= ${TARGET_RATIO}x raw, graphql-ws and graphql-sse each`,
    pass: passes(ws) && passes(sse),
    bars: [
      ratioBar(`${BACKLOG}-event resume over graphql-ws vs raw pg pages → ws`, ws.allMs, base.allMs, "ms", {
        max: TARGET_RATIO,
      }),
      ratioBar(`${BACKLOG}-event resume over graphql-sse vs raw pg pages → ws`, sse.allMs, base.allMs, "ms", {
        max: TARGET_RATIO,
      }),
    ],
  });
});
