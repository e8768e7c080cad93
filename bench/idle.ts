/**
 * Idle subscription memory benchmark (SPEC §9: RSS ≤ 3× a raw idle ws connection; ≤ 0.02
 * cores of server CPU for 2,000 idle subscriptions on 2,000 idle runs). K
 * graphql-ws `runEvents` subscriptions to idle runs (distinct runs by default: one live
 * feed per run, the worst case) are opened on the real server.ts from a client process;
 * each has read its one-event backlog (so it is demonstrably registered and live) and
 * then sits idle. The server's resident memory (VmRSS of the child process, /proc) is read
 * before and after, each after a settle period and a full GC (through the inspector
 * protocol: no hook in the server); bytes per subscription = ΔRSS / K, and Δheap / K. The
 * connection is counted in: one WebSocket per subscription unless BENCH_SUBS_PER_CONN.
 * Side by side, the raw baseline: a plain `ws` server holding K idle connections.
 * Also reported: the server's CPU while the K subscriptions sit idle.
 *
 *   npm run bench:idle   BENCH_IDLE_SUBSCRIPTIONS (2000) BENCH_IDLE_RUNS (= subscriptions)
 *                        BENCH_SUBS_PER_CONN (1) BENCH_SETTLE_SECONDS (4)
 */
import { appendEventsNow } from "../lib/events/append";
import {
  benchDb,
  cpuMeter,
  envInt,
  forkHelper,
  heapAfterGc,
  LOG_SUBSCRIPTION,
  logPayload,
  metricSum,
  ratioBar,
  report,
  round,
  rssBytes,
  runBench,
  type ServerChild,
  serverMetrics,
  setupRuns,
  sleep,
  startDatabase,
  startServer,
} from "./support";

const K = envInt("BENCH_IDLE_SUBSCRIPTIONS", 2000);
const RUNS = Math.min(K, envInt("BENCH_IDLE_RUNS", K));
const PER_CONN = envInt("BENCH_SUBS_PER_CONN", 1);
const connections = Math.ceil(K / PER_CONN);
const SETTLE_MS = envInt("BENCH_SETTLE_SECONDS", 4) * 1000;
/** SPEC §9: RSS per idle subscription ≤ 3× a raw idle ws connection; ≤ 0.02 cores idle. */
const TARGET_RATIO = 3;
const TARGET_IDLE_CORES = 0.02;

/**
 * Memory after `SETTLE_MS`: the heap in use after a full GC (`heap` forces one), then the
 * resident set (median of 5 readings over a second), so that before and after are both
 * read right after a collection and garbage is not counted as subscription memory.
 */
async function snapshot(
  rss: () => Promise<number>,
  heap: () => Promise<number>,
): Promise<{ rss: number; heap: number }> {
  await sleep(SETTLE_MS);
  const h = await heap();
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    await sleep(200);
    xs.push(await rss());
  }
  return { rss: xs.sort((a, b) => a - b)[2], heap: h };
}

/** The server's RSS from /api/metrics (`signalbox_process_resident_memory_bytes`), else /proc. */
async function serverRss(server: ServerChild): Promise<{ bytes: number; source: string }> {
  const fromMetrics = metricSum(await serverMetrics(server), "signalbox_process_resident_memory_bytes");
  return fromMetrics === null
    ? { bytes: rssBytes(server.pid), source: "/proc/<pid>/status VmRSS" }
    : { bytes: fromMetrics, source: "/api/metrics signalbox_process_resident_memory_bytes" };
}

runBench(async () => {
  const url = await startDatabase();
  const db = benchDb(url);
  const { tokens, runIds } = await setupRuns(db, RUNS + 1, connections);
  const warmRun = runIds.pop()!;
  for (const id of [...runIds, warmRun]) await appendEventsNow(db, id, [{ type: "LOG", payload: logPayload(1) }]);
  const subscribes = runIds.map((runId) => ({ query: LOG_SUBSCRIPTION, variables: { runId, afterSeq: 0 } }));

  // Signalbox. Warm the code paths first (a few subscriptions opened and closed).
  const server = await startServer(url, {}, { inspect: true });
  const warm = forkHelper("clients.ts");
  await warm.rpc.call("open", {
    url: server.wsUrl,
    mode: "graphql",
    n: 20,
    tokens,
    subscribes: [{ query: LOG_SUBSCRIPTION, variables: { runId: warmRun, afterSeq: 0 } }],
  });
  await warm.rpc.call("await", { seq: 1, timeoutMs: 30_000 });
  await warm.rpc.call("close");
  await warm.stop();

  const fleet = forkHelper("clients.ts");
  const serverHeap = () => heapAfterGc(server.inspectorUrl!);
  const rssSource = (await serverRss(server)).source;
  const sbxRss = async () => (await serverRss(server)).bytes;
  const sbxBefore = await snapshot(sbxRss, serverHeap);
  await fleet.rpc.call("open", {
    url: server.wsUrl,
    mode: "graphql",
    n: connections,
    tokens,
    subscribes,
    subsPerClient: PER_CONN,
  });
  const live = await fleet.rpc.call("await", { seq: 1, timeoutMs: 60_000 });
  if (!live.done) {
    const { problems } = await fleet.rpc.call("stats");
    throw new Error(`only ${K - live.lagging} of ${K} subscriptions got their backlog: ${problems}`);
  }
  const idleCpu = cpuMeter({ server: server.pid });
  await sleep(SETTLE_MS);
  const sbxIdleCpu = idleCpu();
  const sbxAfter = await snapshot(sbxRss, serverHeap);
  const stats = await fleet.rpc.call("stats");
  await fleet.rpc.call("close");
  await fleet.stop();
  await server.stop();

  // Raw baseline: K idle plain WebSocket connections.
  const raw = forkHelper("raw.ts", ["--expose-gc"]);
  const { port } = await raw.rpc.call("listen");
  const rawFleet = forkHelper("clients.ts");
  await rawFleet.rpc.call("open", { url: `ws://127.0.0.1:${port}`, mode: "raw", n: 20 });
  await rawFleet.rpc.call("close");
  const rawHeap = async () => (await raw.rpc.call("memory")).heapUsed as number;
  const rawRss = async () => rssBytes(raw.pid);
  const rawBefore = await snapshot(rawRss, rawHeap);
  await rawFleet.rpc.call("open", { url: `ws://127.0.0.1:${port}`, mode: "raw", n: K });
  const rawAfter = await snapshot(rawRss, rawHeap);
  await rawFleet.rpc.call("close");

  const perSub = (sbxAfter.rss - sbxBefore.rss) / K;
  const rawPerConn = (rawAfter.rss - rawBefore.rss) / K;
  report({
    bench: "idle",
    scale: { subscriptions: K, distinctRuns: RUNS, subscriptionsPerConnection: PER_CONN, connections },
    signalbox: {
      rssSource,
      rssBeforeMiB: round(sbxBefore.rss / 2 ** 20),
      rssAfterMiB: round(sbxAfter.rss / 2 ** 20),
      bytesPerSubscription: Math.round(perSub),
      heapAfterGcBytesPerSubscription: Math.round((sbxAfter.heap - sbxBefore.heap) / K),
      idleServerCpuCores: sbxIdleCpu.server,
      clientProblems: stats.problems,
    },
    raw: {
      rssBeforeMiB: round(rawBefore.rss / 2 ** 20),
      rssAfterMiB: round(rawAfter.rss / 2 ** 20),
      bytesPerConnection: Math.round(rawPerConn),
      heapAfterGcBytesPerConnection: Math.round((rawAfter.heap - rawBefore.heap) / K),
    },
    ratioToRaw: round(perSub / rawPerConn, 2),
    target: `RSS per subscription <= ${TARGET_RATIO}x a raw connection's; idle server CPU <= ${TARGET_IDLE_CORES} cores`,
    pass: perSub <= TARGET_RATIO * rawPerConn && sbxIdleCpu.server <= TARGET_IDLE_CORES,
    bars: [
      ratioBar(
        `idle runEvents subscription RSS (${K} on ${RUNS} runs) vs raw idle ws connection`,
        perSub / 1024,
        rawPerConn / 1024,
        "KB",
        {
          max: TARGET_RATIO,
        },
      ),
      {
        bar: `server CPU, ${K} idle subscriptions on ${RUNS} idle runs`,
        signalbox: `${sbxIdleCpu.server} cores`,
        baseline: null,
        ratio: null,
        target: `<= ${TARGET_IDLE_CORES} cores`,
        pass: sbxIdleCpu.server <= TARGET_IDLE_CORES,
      },
    ],
  });
});
