/**
 * bench:dispatch (SPEC §9 "built-in node dispatch"): how long a ready built-in node waits
 * before it runs, with 100 runs going at once. 100 runs of a chain of `transform` nodes are
 * submitted together to the real in-process worker (default concurrency) on a fresh
 * database; each node's wait is read from the event log afterwards: the `at` of its
 * NODE_STATE QUEUED event → the `at` of its NODE_STATE RUNNING event (both PostgreSQL's
 * `clock_timestamp()` at insert: one clock, nothing measured by the bench's own timers).
 * Two rounds after a warm-up; p50 and p99 over every node of the measured rounds.
 *
 *   npm run bench:dispatch   BENCH_DISPATCH_RUNS (100) BENCH_DISPATCH_CHAIN (5 nodes per run)
 */
import { ensureNamespace } from "../lib/auth/tokens";
import { createDb } from "../lib/db/client";
import { Worker } from "../lib/engine/worker";
import { env } from "../lib/env";
import { Notifier } from "../lib/events/notifier";
import { submitRun } from "../lib/runs/submit-run";
import { type Bar, envInt, onCleanup, phase, report, round, runBench, startDatabase } from "./support";

const RUNS = envInt("BENCH_DISPATCH_RUNS", 100);
const CHAIN = envInt("BENCH_DISPATCH_CHAIN", 5);
const ROUNDS = 2;
const TARGET = { p50: 5, p99: 25 };

function chainSpec() {
  return {
    name: "bench-dispatch",
    nodes: Array.from({ length: CHAIN }, (_, i) =>
      i === 0
        ? { id: "n0", kind: "transform", with: { expression: "1" } }
        : { id: `n${i}`, kind: "transform", needs: [`n${i - 1}`], with: { expression: `inputs.n${i - 1} + 1` } },
    ),
  };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : Number.NaN;

runBench(async () => {
  const url = await startDatabase();
  // The worker's pool as the server would size it; submissions and polling on their own.
  const db = createDb(url);
  onCleanup(() => db.$disconnect());
  const submitter = createDb(url, { max: 10, connectionTimeoutMillis: 60_000 });
  onCleanup(() => submitter.$disconnect());
  const probe = createDb(url, { max: 2 });
  onCleanup(() => probe.$disconnect());
  const notifier = new Notifier(url);
  await notifier.start();
  onCleanup(() => notifier.stop());
  await ensureNamespace(db, "bench");
  const e = env();
  const worker = new Worker(db, notifier, {
    concurrency: e.SIGNALBOX_WORKER_CONCURRENCY,
    namespaceConcurrency: e.SIGNALBOX_NAMESPACE_CONCURRENCY,
    leaseMs: e.SIGNALBOX_LEASE_MS,
    settings: { allowCommands: false, httpAllowedHosts: [] },
  });
  worker.start();
  onCleanup(() => worker.stop(1_000));

  const round_ = async (n: number) => {
    // Submitted ten at a time (a hundred transactions at once would only queue for the
    // pool); the first runs are still going when the last are submitted.
    const runs: { id: string }[] = [];
    for (let i = 0; i < n; i += 10) {
      const chunk = Array.from({ length: Math.min(10, n - i) }, () =>
        submitRun(submitter, { namespace: "bench", spec: chainSpec() }, { allowCommands: false }),
      );
      runs.push(...(await Promise.all(chunk)));
    }
    const ids = runs.map((r) => r.id);
    for (;;) {
      const open = await probe.run.count({ where: { id: { in: ids }, finishedAt: null } });
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const failed = await probe.run.count({ where: { id: { in: ids }, status: { not: "SUCCEEDED" } } });
    if (failed) throw new Error(`${failed} of ${n} runs did not succeed`);
    // Per node: its QUEUED event → its next RUNNING event.
    const rows = await probe.$queryRaw<{ ms: number }[]>`
      WITH s AS (
        SELECT run_id, seq, at, payload->'node'->>'key' AS key, payload->'node'->>'status' AS status
        FROM run_events WHERE run_id = ANY(${ids}::uuid[]) AND type = 'NODE_STATE'
      )
      SELECT EXTRACT(EPOCH FROM (r.at - q.at)) * 1000 AS ms
      FROM s q JOIN LATERAL (
        SELECT at FROM s r WHERE r.run_id = q.run_id AND r.key = q.key AND r.status = 'RUNNING' AND r.seq > q.seq
        ORDER BY r.seq LIMIT 1
      ) r ON true
      WHERE q.status = 'QUEUED'`;
    if (rows.length < n * CHAIN) throw new Error(`only ${rows.length} of ${n * CHAIN} nodes went QUEUED → RUNNING`);
    return rows.map((r) => Number(r.ms));
  };

  phase("warm-up");
  await round_(Math.min(RUNS, 20));
  const waits: number[] = [];
  const perRound: { p50: number; p99: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    phase(`round ${i + 1}: ${RUNS} runs × ${CHAIN} nodes`);
    const w = (await round_(RUNS)).sort((a, b) => a - b);
    perRound.push({ p50: round(quantile(w, 0.5), 2), p99: round(quantile(w, 0.99), 2) });
    waits.push(...w);
  }
  waits.sort((a, b) => a - b);
  const p50 = quantile(waits, 0.5);
  const p99 = quantile(waits, 0.99);
  const bars: Bar[] = [
    {
      bar: `built-in dispatch p50 (ready → RUNNING, ${RUNS} runs)`,
      signalbox: `${round(p50, 2)} ms`,
      baseline: null,
      ratio: null,
      target: `<= ${TARGET.p50} ms`,
      pass: p50 <= TARGET.p50,
    },
    {
      bar: `built-in dispatch p99 (ready → RUNNING, ${RUNS} runs)`,
      signalbox: `${round(p99, 2)} ms`,
      baseline: null,
      ratio: null,
      target: `<= ${TARGET.p99} ms`,
      pass: p99 <= TARGET.p99,
    },
  ];
  report({
    bench: "dispatch",
    scale: { runs: RUNS, nodesPerRun: CHAIN, rounds: ROUNDS, workerConcurrency: e.SIGNALBOX_WORKER_CONCURRENCY },
    waitMs: {
      p50: round(p50, 2),
      p90: round(quantile(waits, 0.9), 2),
      p99: round(p99, 2),
      max: round(waits.at(-1) ?? 0, 2),
      samples: waits.length,
    },
    rounds: perRound,
    target: `p50 <= ${TARGET.p50} ms, p99 <= ${TARGET.p99} ms`,
    pass: bars.every((b) => b.pass),
    bars,
  });
});
