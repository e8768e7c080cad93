/**
 * Fan-out benchmark (SPEC §9): delivered events/s to N graphql-ws subscribers of one
 * run's `runEvents` (the real server.ts, events appended through lib/events
 * `appendEventsNow` by this process, i.e. commit → NOTIFY → the server's feed → every
 * subscriber) vs a raw `ws` server broadcasting pre-serialized frames of the same size to
 * the same number of raw `ws` clients. Both fleets are read by the same client code
 * (clients.ts) in their own process. Offered load is the same for both: E events at R/s
 * in ticks of 10 ms; delivered/s = N × E / (last frame received − first event produced).
 * Alternating rounds after a warm-up of each; medians. Target (SPEC §9): ratio ≥ 1.0.
 *
 *   npm run bench:fanout    BENCH_SUBSCRIBERS (1000) BENCH_EVENTS (per round, 400)
 *                           BENCH_RATE (events/s offered, 1000) BENCH_ROUNDS (3)
 */
import { appendEventsNow } from "../lib/events/append";
import {
  benchDb,
  cpuMeter,
  cpuSeconds,
  envInt,
  forkHelper,
  LOG_SUBSCRIPTION,
  logPayload,
  median,
  metricSum,
  pace,
  phase,
  ratioBar,
  report,
  round,
  runBench,
  serverMetrics,
  setupRuns,
  startDatabase,
  startServer,
} from "./support";

const N = envInt("BENCH_SUBSCRIBERS", 1000);
const EVENTS = envInt("BENCH_EVENTS", 400);
const RATE = envInt("BENCH_RATE", 1000);
const ROUNDS = envInt("BENCH_ROUNDS", 3);
const PER_TICK = RATE >= 100 ? Math.round(RATE / 100) : 1; // as support.ts `pace`
const TICK_MS = (PER_TICK * 1000) / RATE;

runBench(async () => {
  const url = await startDatabase();
  phase("database ready");
  const db = benchDb(url);
  const { tokens, runIds } = await setupRuns(db, 1, N);
  const runId = runIds[0];
  const server = await startServer(url);
  phase("server started");
  const raw = forkHelper("raw.ts");
  const { port } = await raw.rpc.call("listen");
  const sbxFleet = forkHelper("clients.ts");
  const rawFleet = forkHelper("clients.ts");

  // Signalbox: every subscriber is live once it has seq 1 (it joins the feed first).
  let seq = 0;
  await appendEventsNow(db, runId, [{ type: "LOG", payload: logPayload(0) }]);
  seq = 1;
  await sbxFleet.rpc.call("open", {
    url: server.wsUrl,
    mode: "graphql",
    n: N,
    tokens,
    subscribes: [{ query: LOG_SUBSCRIPTION, variables: { runId, afterSeq: 0 } }],
  });
  const live = await sbxFleet.rpc.call("await", { seq: 1, timeoutMs: 60_000 });
  phase(`${N} subscribers live`);
  if (!live.done) throw new Error(`only ${N - live.lagging} of ${N} subscribers became live`);
  const { frame: sample } = await sbxFleet.rpc.call("sample");
  await rawFleet.rpc.call("open", { url: `ws://127.0.0.1:${port}`, mode: "raw", n: N });
  phase(`${N} raw clients open`);

  const sbxRound = async (events = EVENTS) => {
    await sbxFleet.rpc.call("reset");
    const cpu = cpuMeter({ server: server.pid, clients: sbxFleet.pid, producer: process.pid });
    const cpu0 = cpuSeconds(server.pid);
    const from = seq;
    const { t0, achievedPerSec } = await pace(RATE, events, async (n, first) => {
      const batch = Array.from({ length: n }, (_, j) => ({
        type: "LOG" as const,
        payload: logPayload(from + first + j),
      }));
      await appendEventsNow(db, runId, batch);
    });
    seq += events;
    const r = await sbxFleet.rpc.call("await", { seq, timeoutMs: 60_000 });
    if (!r.done) {
      const { problems } = await sbxFleet.rpc.call("stats");
      const slow = metricSum(await serverMetrics(server), "signalbox_slow_consumer_closes_total");
      throw new Error(
        `signalbox: ${r.lagging} subscribers stuck at seq ≥ ${r.minSeq} of ${seq} (server slow-consumer closes: ${slow}): ${problems.slice(0, 3)}`,
      );
    }
    const perSec = (N * events) / ((r.at - t0) / 1000);
    const cpuUs = ((cpuSeconds(server.pid) - cpu0) * 1e6) / (N * events);
    phase(`signalbox round: ${Math.round(perSec)} deliveries/s, ${cpuUs.toFixed(1)} µs server CPU each`);
    return { perSec, cpuUs, producedPerSec: achievedPerSec, cpu: cpu() };
  };

  let rawSeq = 0;
  const rawRound = async (events = EVENTS) => {
    await rawFleet.rpc.call("reset");
    const frames = Array.from({ length: events }, (_, i) =>
      sample.replace(/"seq":\d+/, `"seq":${rawSeq + i + 1}`).replace(/line \d+:/, `line ${rawSeq + i + 1}:`),
    );
    rawSeq += events;
    const cpu = cpuMeter({ server: raw.pid, clients: rawFleet.pid });
    const cpu0 = cpuSeconds(raw.pid);
    const { t0 } = await raw.rpc.call("broadcast", { frames, perTick: PER_TICK, tickMs: TICK_MS });
    const r = await rawFleet.rpc.call("await", { seq: rawSeq, timeoutMs: 60_000 });
    if (!r.done) {
      const { problems } = await rawFleet.rpc.call("stats");
      throw new Error(`raw: ${r.lagging} clients stuck at seq ≥ ${r.minSeq} of ${rawSeq}: ${problems}`);
    }
    const perSec = (N * events) / ((r.at - t0) / 1000);
    const cpuUs = ((cpuSeconds(raw.pid) - cpu0) * 1e6) / (N * events);
    phase(`raw round: ${Math.round(perSec)} deliveries/s, ${cpuUs.toFixed(1)} µs server CPU each`);
    return { perSec, cpuUs, cpu: cpu() };
  };

  // Warm-up (JIT, prepared statements, socket buffers), a quarter of a round each.
  await rawRound(Math.ceil(EVENTS / 4));
  await sbxRound(Math.ceil(EVENTS / 4));
  const sbx: Awaited<ReturnType<typeof sbxRound>>[] = [];
  const base: Awaited<ReturnType<typeof rawRound>>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    base.push(await rawRound());
    sbx.push(await sbxRound());
  }
  const stats = await sbxFleet.rpc.call("stats");
  const sbxPerSec = median(sbx.map((r) => r.perSec));
  const rawPerSec = median(base.map((r) => r.perSec));
  const ratio = sbxPerSec / rawPerSec;
  report({
    bench: "fanout",
    scale: { subscribers: N, eventsPerRound: EVENTS, offeredEventsPerSec: RATE, tickMs: TICK_MS, rounds: ROUNDS },
    frameBytes: Buffer.byteLength(sample),
    rawDeliveredPerSec: Math.round(rawPerSec),
    signalboxDeliveredPerSec: Math.round(sbxPerSec),
    rounds: {
      raw: base.map((r) => Math.round(r.perSec)),
      signalbox: sbx.map((r) => Math.round(r.perSec)),
      signalboxProducedEventsPerSec: sbx.map((r) => Math.round(r.producedPerSec)),
    },
    // Server CPU per delivery (user + system, /proc): a throughput proxy that other load
    // on the machine skews much less than wall time. Signalbox's excludes PostgreSQL.
    serverCpuMicrosPerDelivery: {
      raw: round(median(base.map((r) => r.cpuUs)), 2),
      signalbox: round(median(sbx.map((r) => r.cpuUs)), 2),
    },
    cpuRatio: round(median(base.map((r) => r.cpuUs)) / median(sbx.map((r) => r.cpuUs)), 3),
    cpuCoresLastRound: { raw: base.at(-1)?.cpu, signalbox: sbx.at(-1)?.cpu },
    clientProblems: stats.problems,
    ratio: round(ratio, 3),
    target: ">= 1.0",
    pass: ratio >= 1.0,
    bars: [ratioBar("fan-out (deliveries/s) vs raw ws broadcast", sbxPerSec, rawPerSec, "deliveries/s", { min: 1.0 })],
  });
  await sbxFleet.rpc.call("close");
  await rawFleet.rpc.call("close");
});
