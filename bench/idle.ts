/**
 * Idle subscription memory benchmark (SPEC §9: ≤ 20 KB per idle subscription). K
 * graphql-ws `runEvents` subscriptions to idle runs (distinct runs by default: one live
 * feed per run, the worst case) are opened on the real server.ts from a client process;
 * each has read its one-event backlog (so it is demonstrably registered and live) and
 * then sits idle. The server's resident memory (VmRSS of the child process, /proc) is read
 * before and after, each after a settle period; bytes per subscription = ΔRSS / K. The
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
  LOG_SUBSCRIPTION,
  logPayload,
  report,
  round,
  rssBytes,
  runBench,
  setupRuns,
  sleep,
  startDatabase,
  startServer,
} from "./support";

const K = envInt("BENCH_IDLE_SUBSCRIPTIONS", 2000);
const RUNS = Math.min(K, envInt("BENCH_IDLE_RUNS", K));
const PER_CONN = envInt("BENCH_SUBS_PER_CONN", 1);
const SETTLE_MS = envInt("BENCH_SETTLE_SECONDS", 4) * 1000;
const TARGET_BYTES = 20 * 1024;

/** RSS after `SETTLE_MS`: the median of 5 readings over the last second. */
async function settledRss(pid: number): Promise<number> {
  await sleep(SETTLE_MS - 1000);
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssBytes(pid));
    await sleep(250);
  }
  return xs.sort((a, b) => a - b)[2];
}

runBench(async () => {
  const url = await startDatabase();
  const db = benchDb(url);
  const { token, runIds } = await setupRuns(db, RUNS + 1);
  const warmRun = runIds.pop()!;
  for (const id of [...runIds, warmRun]) await appendEventsNow(db, id, [{ type: "LOG", payload: logPayload(1) }]);
  const subscribes = runIds.map((runId) => ({ query: LOG_SUBSCRIPTION, variables: { runId, afterSeq: 0 } }));
  const connections = Math.ceil(K / PER_CONN);

  // Signalbox. Warm the code paths first (a few subscriptions opened and closed).
  const server = await startServer(url);
  const warm = forkHelper("clients.ts");
  await warm.rpc.call("open", {
    url: server.wsUrl,
    mode: "graphql",
    n: 20,
    token,
    subscribes: [{ query: LOG_SUBSCRIPTION, variables: { runId: warmRun, afterSeq: 0 } }],
  });
  await warm.rpc.call("await", { seq: 1, timeoutMs: 30_000 });
  await warm.rpc.call("close");
  await warm.stop();

  const fleet = forkHelper("clients.ts");
  const sbxBefore = await settledRss(server.pid);
  await fleet.rpc.call("open", {
    url: server.wsUrl,
    mode: "graphql",
    n: connections,
    token,
    subscribes,
    subsPerClient: PER_CONN,
  });
  const live = await fleet.rpc.call("await", { seq: 1, timeoutMs: 120_000 });
  if (!live.done) throw new Error(`only ${connections - live.lagging} of ${connections} connections got their backlog`);
  const idleCpu = cpuMeter({ server: server.pid });
  const sbxAfter = await settledRss(server.pid);
  const sbxIdleCpu = idleCpu();
  const stats = await fleet.rpc.call("stats");
  await fleet.rpc.call("close");
  await fleet.stop();
  await server.stop();

  // Raw baseline: K idle plain WebSocket connections.
  const raw = forkHelper("raw.ts");
  const { port } = await raw.rpc.call("listen");
  const rawFleet = forkHelper("clients.ts");
  await rawFleet.rpc.call("open", { url: `ws://127.0.0.1:${port}`, mode: "raw", n: 20 });
  await rawFleet.rpc.call("close");
  const rawBefore = await settledRss(raw.pid);
  await rawFleet.rpc.call("open", { url: `ws://127.0.0.1:${port}`, mode: "raw", n: K });
  const rawAfter = await settledRss(raw.pid);
  await rawFleet.rpc.call("close");

  const perSub = (sbxAfter - sbxBefore) / K;
  const rawPerConn = (rawAfter - rawBefore) / K;
  report({
    bench: "idle",
    scale: { subscriptions: K, distinctRuns: RUNS, subscriptionsPerConnection: PER_CONN, connections },
    signalbox: {
      rssBeforeMiB: round(sbxBefore / 2 ** 20),
      rssAfterMiB: round(sbxAfter / 2 ** 20),
      bytesPerSubscription: Math.round(perSub),
      idleServerCpuCores: sbxIdleCpu.server,
      clientProblems: stats.problems,
    },
    raw: {
      rssBeforeMiB: round(rawBefore / 2 ** 20),
      rssAfterMiB: round(rawAfter / 2 ** 20),
      bytesPerConnection: Math.round(rawPerConn),
    },
    ratioToRaw: round(perSub / rawPerConn, 2),
    target: `<= ${TARGET_BYTES} bytes per idle subscription`,
    pass: perSub <= TARGET_BYTES,
  });
});
