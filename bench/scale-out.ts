/**
 * Scale-out benchmark (SPEC §9): fan-out deliveries/s of two server processes vs one on
 * this machine. The same server.ts either as one process or as SIGNALBOX_WEB_CONCURRENCY=2
 * (node:cluster: two processes sharing the port, server-cluster.ts), the same N graphql-ws
 * subscribers of one run's `runEvents` opened by client fleets in their own processes
 * (bench/clients.ts, split over two fleets so the clients are not the bottleneck), the same
 * offered load: E events at R/s appended through lib/events by this process. Offered
 * deliveries (N × R) exceed what one process sends, so delivered/s = N × E / (last frame −
 * first event) measures capacity. One process, then two, then one again (the machine's
 * other load drifts); target: two ≥ 1.6× one (medians of the rounds).
 *
 *   npm run bench:scale    BENCH_SUBSCRIBERS (1000) BENCH_EVENTS (per round, 300)
 *                          BENCH_RATE (events/s offered, 1000) BENCH_ROUNDS (3)
 */
import fs from "node:fs";
import { appendEventsNow } from "../lib/events/append";
import {
  benchDb,
  cpuSeconds,
  envInt,
  forkHelper,
  LOG_SUBSCRIPTION,
  logPayload,
  median,
  pace,
  phase,
  report,
  round,
  runBench,
  setupRuns,
  startDatabase,
  startServer,
} from "./support";

const N = envInt("BENCH_SUBSCRIBERS", 1000);
const EVENTS = envInt("BENCH_EVENTS", 300);
const RATE = envInt("BENCH_RATE", 1000);
const ROUNDS = envInt("BENCH_ROUNDS", 3);
const FLEETS = 2;

/** CPU seconds of a process and its children (the cluster's server processes). */
function treeCpuSeconds(pid: number): number {
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {
    // gone
  }
  let sum = 0;
  try {
    sum = cpuSeconds(pid);
  } catch {
    return 0;
  }
  return sum + children.reduce((s, c) => s + treeCpuSeconds(c), 0);
}

runBench(async () => {
  const url = await startDatabase();
  phase("database ready");
  const db = benchDb(url);
  const { tokens, runIds } = await setupRuns(db, 1, N);
  const runId = runIds[0];
  let seq = 0;
  await appendEventsNow(db, runId, [{ type: "LOG", payload: logPayload(0) }]);
  seq = 1;

  /** Rounds against one server configuration; returns delivered/s per round. */
  const measure = async (processes: number) => {
    const server = await startServer(url, { SIGNALBOX_WEB_CONCURRENCY: String(processes) });
    phase(`${processes} server process(es) started`);
    const fleets = Array.from({ length: FLEETS }, () => forkHelper("clients.ts"));
    const per = Math.ceil(N / FLEETS);
    await Promise.all(
      fleets.map((f, i) =>
        f.rpc.call("open", {
          url: server.wsUrl,
          mode: "graphql",
          n: Math.min(per, N - i * per),
          tokens: tokens.slice(i * per, (i + 1) * per),
          subscribes: [{ query: LOG_SUBSCRIPTION, variables: { runId, afterSeq: seq - 1 } }],
        }),
      ),
    );
    const live = await Promise.all(fleets.map((f) => f.rpc.call("await", { seq, timeoutMs: 120_000 })));
    if (!live.every((l) => l.done)) throw new Error(`not every subscriber became live on ${processes} process(es)`);
    phase(`${N} subscribers live on ${processes} process(es)`);

    const oneRound = async (events: number) => {
      await Promise.all(fleets.map((f) => f.rpc.call("reset")));
      const cpu0 = treeCpuSeconds(server.pid);
      const from = seq;
      const { t0 } = await pace(RATE, events, async (n, first) => {
        const batch = Array.from({ length: n }, (_, j) => ({
          type: "LOG" as const,
          payload: logPayload(from + first + j),
        }));
        await appendEventsNow(db, runId, batch);
      });
      seq += events;
      const done = await Promise.all(fleets.map((f) => f.rpc.call("await", { seq, timeoutMs: 120_000 })));
      if (!done.every((d) => d.done)) throw new Error(`subscribers stuck on ${processes} process(es)`);
      const at = Math.max(...done.map((d) => d.at));
      const perSec = (N * events) / ((at - t0) / 1000);
      const cores = (treeCpuSeconds(server.pid) - cpu0) / ((at - t0) / 1000);
      phase(`${processes} process(es): ${Math.round(perSec)} deliveries/s, server ${cores.toFixed(2)} cores`);
      return { perSec, cores };
    };
    await oneRound(Math.ceil(EVENTS / 4)); // warm-up
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await oneRound(EVENTS));
    await Promise.all(fleets.map((f) => f.rpc.call("close")));
    await Promise.all(fleets.map((f) => f.stop()));
    await server.stop();
    return rounds;
  };

  // One, two, one again: the machine's other load drifts, and the single process is measured
  // on both sides of the pair.
  const one = await measure(1);
  const two = await measure(2);
  one.push(...(await measure(1)));
  const onePerSec = median(one.map((r) => r.perSec));
  const twoPerSec = median(two.map((r) => r.perSec));
  const ratio = twoPerSec / onePerSec;
  report({
    bench: "scale-out",
    scale: {
      subscribers: N,
      eventsPerRound: EVENTS,
      offeredEventsPerSec: RATE,
      rounds: ROUNDS,
      clientProcesses: FLEETS,
    },
    oneProcessDeliveredPerSec: Math.round(onePerSec),
    twoProcessesDeliveredPerSec: Math.round(twoPerSec),
    rounds: { one: one.map((r) => Math.round(r.perSec)), two: two.map((r) => Math.round(r.perSec)) },
    // Server CPU (all its processes) during the rounds, in cores: two processes can only
    // help if the machine has a second core to give them.
    serverCores: { one: one.map((r) => round(r.cores, 2)), two: two.map((r) => round(r.cores, 2)) },
    ratio: round(ratio, 3),
    target: ">= 1.6",
    pass: ratio >= 1.6,
  });
});
