/**
 * Commit → subscriber latency benchmark (SPEC §9: p99 ≤ 1.5× the raw baseline at 1,000
 * subscribers × 20 events/s and at 20 × 1,000). Events are appended by this process through lib/events
 * `appendEventsNow` to one run; N graphql-ws subscribers of the real server.ts (clients.ts,
 * one process) record, per delivered event, receive time − the event's `at` (PostgreSQL
 * `clock_timestamp()` at insert; one machine, one clock; `at` has millisecond precision,
 * so figures are up to 1 ms pessimistic). Side by side, the raw baseline: plain `pg`
 * INSERT + NOTIFY after commit, a plain `ws` server that reads the new rows once per
 * doorbell and broadcasts each frame (serialized once) to N plain `ws` clients.
 *
 * 1,000 × 1,000 is 1 M frames/s, beyond one Node process on a 2-core machine for the raw
 * baseline too, so it runs scaled configurations (reported): all the subscribers at a
 * rate the machine sustains, and the full event rate to fewer subscribers. A run passes
 * when every configuration's p99 is ≤ 1.5× the raw baseline's.
 *
 *   npm run bench:latency   BENCH_LATENCY_CONFIGS ("1000x20,20x1000": subscribers x events/s)
 *                           BENCH_SECONDS (measured per phase, 8) BENCH_WARMUP_SECONDS (2)
 */
import pg from "pg";
import { appendEventsNow } from "../lib/events/append";
import {
  benchDb,
  cpuMeter,
  envInt,
  forkHelper,
  LOG_SUBSCRIPTION,
  logPayload,
  onCleanup,
  pace,
  ratioBar,
  report,
  round,
  runBench,
  setupRuns,
  startDatabase,
  startServer,
} from "./support";

const CONFIGS = (process.env.BENCH_LATENCY_CONFIGS ?? "1000x20,20x1000").split(",").map((c) => {
  const [subscribers, rate] = c.split("x").map(Number);
  if (!(subscribers > 0 && rate > 0)) throw new Error(`bad BENCH_LATENCY_CONFIGS entry ${c}`);
  return { subscribers, rate };
});
const SECONDS = envInt("BENCH_SECONDS", 8);
const WARMUP_SECONDS = envInt("BENCH_WARMUP_SECONDS", 2);
/** SPEC §9: p99 ≤ 1.5× the raw baseline's p99, at every configuration. */
const TARGET_RATIO = 1.5;

type Stats = { p50: number; p90: number; p99: number; p999: number; max: number; samples: number; problems: string[] };
const summary = (s: Stats) => ({
  p50: round(s.p50),
  p90: round(s.p90),
  p99: round(s.p99),
  p999: round(s.p999),
  max: round(s.max),
  samples: s.samples,
});

runBench(async () => {
  const url = await startDatabase();
  const db = benchDb(url);
  const raw = new pg.Pool({ connectionString: url, max: 2 });
  onCleanup(() => raw.end());
  await raw.query("CREATE TABLE bench_events (seq int PRIMARY KEY, at timestamptz NOT NULL, payload jsonb NOT NULL)");
  const server = await startServer(url);
  const rawServer = forkHelper("raw.ts");
  const { port } = await rawServer.rpc.call("listen");
  await rawServer.rpc.call("pgFeed", { url });

  const results = [];
  let rawSeq = 0;
  for (const { subscribers, rate } of CONFIGS) {
    const total = rate * (WARMUP_SECONDS + SECONDS);
    const { tokens, runIds } = await setupRuns(db, 1, subscribers);
    const runId = runIds[0];

    // Signalbox: N subscribers live (each has seq 1), then the paced appends.
    const sbxFleet = forkHelper("clients.ts");
    await appendEventsNow(db, runId, [{ type: "LOG", payload: logPayload(0) }]);
    await sbxFleet.rpc.call("open", {
      url: server.wsUrl,
      mode: "graphql",
      n: subscribers,
      tokens,
      subscribes: [{ query: LOG_SUBSCRIPTION, variables: { runId, afterSeq: 0 } }],
    });
    const live = await sbxFleet.rpc.call("await", { seq: 1, timeoutMs: 60_000 });
    if (!live.done) throw new Error(`only ${subscribers - live.lagging} of ${subscribers} subscribers became live`);
    await sbxFleet.rpc.call("reset");
    let cpu: ReturnType<typeof cpuMeter> | null = null;
    const startMeasuring = (elapsed: number) => {
      if (cpu || elapsed < WARMUP_SECONDS * 1000) return;
      cpu = cpuMeter({ server: server.pid, clients: sbxFleet.pid, producer: process.pid });
      void sbxFleet.rpc.call("reset", { measure: true });
    };
    const sbxPaced = await pace(
      rate,
      total,
      async (n, first) => {
        const batch = Array.from({ length: n }, (_, j) => ({
          type: "LOG" as const,
          payload: logPayload(first + j + 1),
        }));
        await appendEventsNow(db, runId, batch);
      },
      startMeasuring,
    );
    const sbxDone = await sbxFleet.rpc.call("await", { seq: total + 1, timeoutMs: 60_000 });
    const sbxCpu = (cpu as ReturnType<typeof cpuMeter> | null)?.();
    const sbx: Stats = await sbxFleet.rpc.call("stats");
    await sbxFleet.rpc.call("close");
    await sbxFleet.stop();

    // Raw baseline: same N, same rate, same batches, plain pg + ws.
    const rawFleet = forkHelper("clients.ts");
    await rawFleet.rpc.call("open", { url: `ws://127.0.0.1:${port}`, mode: "raw", n: subscribers });
    await rawFleet.rpc.call("reset");
    cpu = null;
    const startMeasuringRaw = (elapsed: number) => {
      if (cpu || elapsed < WARMUP_SECONDS * 1000) return;
      cpu = cpuMeter({ server: rawServer.pid, clients: rawFleet.pid, producer: process.pid });
      void rawFleet.rpc.call("reset", { measure: true });
    };
    const from = rawSeq;
    const rawPaced = await pace(
      rate,
      total,
      async (n, first) => {
        const seqs = Array.from({ length: n }, (_, j) => from + first + j + 1);
        await raw.query(
          `INSERT INTO bench_events (seq, at, payload)
           SELECT s, clock_timestamp(), p::jsonb FROM unnest($1::int[], $2::text[]) AS x(s, p)`,
          [seqs, seqs.map((s) => JSON.stringify(logPayload(s)))],
        );
        await raw.query("SELECT pg_notify('bench_events', '')"); // the doorbell, after commit
      },
      startMeasuringRaw,
    );
    rawSeq += total;
    const rawDone = await rawFleet.rpc.call("await", { seq: rawSeq, timeoutMs: 60_000 });
    const rawCpu = (cpu as ReturnType<typeof cpuMeter> | null)?.();
    const base: Stats = await rawFleet.rpc.call("stats");
    await rawFleet.rpc.call("close");
    await rawFleet.stop();
    await rawServer.rpc.call("close");

    results.push({
      subscribers,
      offeredEventsPerSec: rate,
      signalbox: {
        achievedEventsPerSec: Math.round(sbxPaced.achievedPerSec),
        allDelivered: sbxDone.done,
        latencyMs: summary(sbx),
        cpuCores: sbxCpu,
        problems: sbx.problems,
      },
      raw: {
        achievedEventsPerSec: Math.round(rawPaced.achievedPerSec),
        allDelivered: rawDone.done,
        latencyMs: summary(base),
        cpuCores: rawCpu,
      },
      p99Ratio: round(sbx.p99 / base.p99, 2),
      pass: sbxDone.done && sbx.p99 <= TARGET_RATIO * base.p99,
    });
  }

  report({
    bench: "latency",
    scale: {
      spec: "1000 subscribers x 1000 events/s",
      configs: CONFIGS.map((c) => `${c.subscribers}x${c.rate}`),
      measuredSeconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
    },
    results,
    target: `p99 <= ${TARGET_RATIO}x the raw baseline's`,
    pass: results.every((r) => r.pass),
    bars: results.map((r) => ({
      ...ratioBar(
        `commit → subscriber p99, ${r.subscribers} × ${r.offeredEventsPerSec}/s, vs raw pg NOTIFY → ws`,
        r.signalbox.latencyMs.p99,
        r.raw.latencyMs.p99,
        "ms",
        { max: TARGET_RATIO },
      ),
      pass: r.pass,
    })),
  });
});
