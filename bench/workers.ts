/**
 * bench:workers (SPEC §9 "external node ready → claimed", "external throughput"): the
 * real server (API only, its in-process engine on) and SDK workers (`createWorker`) in
 * this process, over GraphQL/HTTP.
 *
 * 1. Idle: one worker with nothing to do for BENCH_IDLE_SECONDS (30): requests it sends
 *    per 10 s (bar ≤ 1: it long-polls `claimNode(waitMs:)`, it does not poll).
 * 2. Wake latency: BENCH_WAKE_RUNS (100) runs of one external node, one at a time, to an
 *    idle worker: from the submit's answer (the node is queued in that commit) to the
 *    handler's start. Bars p50 ≤ 50 ms, p99 ≤ 200 ms.
 * 3. Throughput: 8 workers (one token each: the per-token operation limit is per
 *    integration) × concurrency 4, 20 runs × 20 trivial external nodes submitted at once:
 *    nodes claimed and completed per second. Bar ≥ 100/s.
 *
 *   npm run bench:workers          (embedded PostgreSQL in a temp dir, or DATABASE_URL)
 */
import { randomUUID } from "node:crypto";
import { ensureNamespace, hashToken, newSecret } from "../lib/auth/tokens";
import { createWorker, SignalboxClient } from "../sdk/src/index";
import {
  benchDb,
  envInt,
  onCleanup,
  phase,
  report,
  round,
  runBench,
  sleep,
  startDatabase,
  startServer,
} from "./support";

const IDLE_SECONDS = envInt("BENCH_IDLE_SECONDS", 30);
const WAKE_RUNS = envInt("BENCH_WAKE_RUNS", 100);
const RUNS = 20;
const NODES = 20;
const WORKERS = 8;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const externalSpec = (queue: string, n: number) => ({
  name: "bench-external",
  nodes: Array.from({ length: n }, (_, i) => ({ id: `x${i}`, kind: "external", with: { queue, input: { i } } })),
});

runBench(async () => {
  const url = await startDatabase();
  const db = benchDb(url);
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  await ensureNamespace(db, namespace);
  const tokens = Array.from({ length: WORKERS + 1 }, () => newSecret());
  await db.apiToken.createMany({
    data: tokens.map((s, i) => ({ namespace, name: `bench-${i}`, role: "OPERATOR" as const, tokenHash: hashToken(s) })),
  });
  const server = await startServer(url, { SIGNALBOX_IN_PROCESS_WORKER: "1", SIGNALBOX_MAX_ACTIVE_RUNS: "1000" });
  const sbx = new SignalboxClient({ url: server.url, token: tokens[WORKERS] });

  // 1 + 2: one idle worker, then woken run after run.
  phase(`idle worker for ${IDLE_SECONDS} s`);
  const queue = `wake-${randomUUID().slice(0, 6)}`;
  let requests = 0;
  let started: (() => void) | null = null;
  const idle = createWorker({
    url: server.url,
    token: tokens[0],
    queue,
    fetch: (input, init) => {
      requests++;
      return fetch(input, init);
    },
    handler: () => {
      started?.();
      return null;
    },
  });
  onCleanup(() => idle.stop({ deadlineMs: 0 }));
  await idle.start();
  await sleep(IDLE_SECONDS * 1000);
  const idleRequests = requests;
  const idlePer10s = (idleRequests / IDLE_SECONDS) * 10;

  phase(`wake latency over ${WAKE_RUNS} runs`);
  const latencies: number[] = [];
  for (let i = 0; i < WAKE_RUNS; i++) {
    const began = new Promise<number>((resolve) => (started = () => resolve(performance.now())));
    await sleep(20); // the worker is back in its long-poll
    await sbx.submitRun({ spec: externalSpec(queue, 1) });
    const queued = performance.now();
    latencies.push((await began) - queued);
  }
  await idle.stop();

  // 3: throughput.
  phase(`throughput: ${WORKERS} workers, ${RUNS} runs × ${NODES} nodes`);
  const tq = `tp-${randomUUID().slice(0, 6)}`;
  let completed = 0;
  const fleet = tokens.slice(0, WORKERS).map((token, i) =>
    createWorker({
      url: server.url,
      token,
      queue: tq,
      concurrency: 4,
      name: `bench-${i}`,
      handler: (job) => ({ ok: (job.input as { i: number }).i }),
    }),
  );
  for (const w of fleet) {
    onCleanup(() => w.stop({ deadlineMs: 0 }));
    await w.start();
  }
  await sleep(200);
  const t0 = performance.now();
  const runIds = await Promise.all(
    Array.from({ length: RUNS }, async () => (await sbx.submitRun({ spec: externalSpec(tq, NODES) })).id),
  );
  // Completion is read from the database (the bench's probe), not from the workers.
  for (;;) {
    const rows = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM run_nodes WHERE run_id = ANY(${runIds}::uuid[]) AND status = 'SUCCEEDED'`;
    completed = Number(rows[0].n);
    if (completed >= RUNS * NODES) break;
    if (performance.now() - t0 > 120_000) break;
    await sleep(20);
  }
  const seconds = (performance.now() - t0) / 1000;
  const perSecond = completed / seconds;
  await Promise.all(fleet.map((w) => w.stop()));

  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  report({
    bench: "workers",
    idle: {
      seconds: IDLE_SECONDS,
      requests,
      requestsPer10s: round(idlePer10s, 2),
      target: "≤ 1",
      pass: idlePer10s <= 1,
    },
    wakeLatencyMs: {
      runs: WAKE_RUNS,
      p50: round(p50, 1),
      p99: round(p99, 1),
      max: round(Math.max(...latencies), 1),
      target: "p50 ≤ 50, p99 ≤ 200",
      pass: p50 <= 50 && p99 <= 200,
    },
    throughput: {
      workers: WORKERS,
      concurrency: 4,
      nodes: RUNS * NODES,
      completed,
      seconds: round(seconds, 2),
      nodesPerSecond: round(perSecond, 1),
      target: "≥ 100",
      pass: completed === RUNS * NODES && perSecond >= 100,
    },
  });
});
