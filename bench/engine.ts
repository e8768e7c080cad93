/**
 * bench:engine (SPEC §9 "map fan-out", issue 9): the engine's cost per map child as the
 * map grows. One map of N trivial `transform` children (N = 10, 100, 1,000), run by the
 * real in-process worker on a fresh database; every SQL statement the engine sends is
 * counted. Reported per child: statements and milliseconds, and children/s. The baseline
 * is the same engine at N = 100 (per-child cost must be flat from 100 to 1,000).
 *
 *   npm run bench:engine            (embedded PostgreSQL in a temp dir, or DATABASE_URL)
 */

import { RunConsoleDocument } from "../app/graphql/generated";
import type { ServerContext } from "../graphql/context";
import { localExecutor } from "../graphql/local";
import { buildSchema } from "../graphql/resolvers/index";
import { ensureNamespace } from "../lib/auth/tokens";
import { createDb } from "../lib/db/client";
import { Worker } from "../lib/engine/worker";
import { Notifier } from "../lib/events/notifier";
import { listRuns, MAX_NODES_PAGE } from "../lib/runs/queries";
import { submitRun } from "../lib/runs/submit-run";
import { envInt, onCleanup, phase, report, runBench, startDatabase } from "./support";

const SIZES = [10, 100, envInt("BENCH_MAP_CHILDREN", 1000)];
const HISTORY_RUNS = envInt("BENCH_HISTORY_RUNS", 10_000);
const BIG_RUN_NODES = envInt("BENCH_BIG_RUN_NODES", 5_000);

function mapSpec(n: number) {
  return {
    name: `bench-map-${n}`,
    nodes: [
      { id: "items", kind: "transform", with: { expression: `[1..${n}]` } },
      {
        id: "fan",
        kind: "map",
        needs: ["items"],
        with: {
          over: "inputs.items",
          maxItems: n,
          concurrency: 50,
          node: { kind: "transform", with: { expression: "item * 2" } },
        },
      },
      { id: "sum", kind: "transform", needs: ["fan"], with: { expression: "$sum(inputs.fan)" } },
    ],
  };
}

runBench(async () => {
  const url = await startDatabase();
  let statements = 0;
  const db = createDb(url, { max: 10, onQuery: () => statements++ });
  onCleanup(() => db.$disconnect());
  // The bench's own polling goes through another client: only the engine's statements count.
  const probe = createDb(url, { max: 2 });
  onCleanup(() => probe.$disconnect());
  const notifier = new Notifier(url);
  await notifier.start();
  onCleanup(() => notifier.stop());
  await ensureNamespace(db, "bench");
  const worker = new Worker(db, notifier, {
    concurrency: 32,
    leaseMs: 30_000,
    pollMs: 200,
    settings: { allowCommands: false, httpAllowedHosts: [] },
  });
  worker.start();
  onCleanup(() => worker.stop(1_000));

  const results: Record<string, number>[] = [];
  // A warm-up run (JIT, prepared statements, pool), then each size.
  for (const n of [10, ...SIZES]) {
    phase(`map of ${n}`);
    const run = await submitRun(db, { namespace: "bench", spec: mapSpec(n) }, { allowCommands: false });
    // From the map's expansion (its children exist) to the run's end.
    for (;;) {
      if ((await probe.runNode.count({ where: { runId: run.id, parentKey: "fan" } })) === n) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const s0 = statements;
    const t0 = performance.now();
    for (;;) {
      const r = await probe.run.findUniqueOrThrow({
        where: { id: run.id },
        select: { status: true, finishedAt: true },
      });
      if (r.finishedAt) {
        if (r.status !== "SUCCEEDED") throw new Error(`map of ${n}: run ${r.status}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - t0;
    const engineStatements = statements - s0;
    results.push({
      children: n,
      seconds: Math.round(ms) / 1000,
      childrenPerSecond: Math.round((n / ms) * 1000),
      msPerChild: Math.round((ms / n) * 100) / 100,
      statementsPerChild: Math.round((engineStatements / n) * 10) / 10,
    });
  }
  const measured = results.slice(1); // without the warm-up
  await worker.stop(1_000);
  const history = await measureHistory(probe);
  const at = (n: number) => measured.find((r) => r.children === n)!;
  const big = at(SIZES[2]);
  const base = at(100);
  report({
    bench: "engine",
    maps: measured,
    perChildTimeRatio1000vs100: Math.round((big.msPerChild / base.msPerChild) * 100) / 100,
    history,
    perChildStatementsRatio1000vs100: Math.round((big.statementsPerChild / base.statementsPerChild) * 100) / 100,
    targets: {
      childrenPerSecond: ">= 100 at 1,000 children",
      flat: "per-child time and statements at 1,000 ≤ 1.5× those at 100",
      history: "with 10,000 runs: a runs list page ≤ 50 ms; a run page's read ≤ 50 µs per node (250 ms at 5,000)",
    },
    pass:
      history.pass &&
      big.childrenPerSecond >= 100 &&
      big.msPerChild <= 1.5 * base.msPerChild &&
      big.statementsPerChild <= 1.5 * base.statementsPerChild,
  });
});

/**
 * 10,000 runs in one namespace's history (rows written directly, like years of use) and one
 * run of 5,000 nodes: the runs list's first page, a filtered page (status + search) and the
 * big run's page read (lib/runs/snapshot.ts, as the run page does), median of 15 each.
 */
async function measureHistory(db: ReturnType<typeof createDb>) {
  phase(`history: ${HISTORY_RUNS} runs, one of ${BIG_RUN_NODES} nodes`);
  const ns = "bench-history";
  await ensureNamespace(db, ns);
  const statuses = ["SUCCEEDED", "FAILED", "CANCELLED", "SUCCEEDED", "SUCCEEDED"];
  await db.$executeRawUnsafe(
    `INSERT INTO runs (id, namespace, label, pipeline_name, status, spec, created_at, finished_at, last_seq, sealed)
     SELECT gen_random_uuid(), $1, 'nightly ' || i, 'pipeline-' || (i % 20), ($2::text[])[1 + i % 5]::"RunStatus",
            '{"name":"x","nodes":[]}'::jsonb, now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval, 0, true
     FROM generate_series(1, $3::int) AS i`,
    ns,
    statuses,
    HISTORY_RUNS,
  );
  const big = await db.run.create({
    data: { id: crypto.randomUUID(), namespace: ns, label: "big", spec: { name: "big", nodes: [] }, status: "RUNNING" },
  });
  await db.$executeRawUnsafe(
    `INSERT INTO run_nodes (id, run_id, key, kind, needs, config, status, position)
     SELECT gen_random_uuid(), $1::uuid, 'n' || i, 'sleep', '{}', '{"kind":"sleep","with":{"ms":1}}'::jsonb, 'SUCCEEDED', i
     FROM generate_series(1, $2::int) AS i`,
    big.id,
    BIG_RUN_NODES,
  );
  await db.$executeRawUnsafe("ANALYZE runs");
  await db.$executeRawUnsafe("ANALYZE run_nodes");
  const time = async (fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return Math.round(ms[7] * 10) / 10;
  };
  const firstPageMs = await time(() => listRuns(db, { namespace: ns, first: 50 }));
  const filteredPageMs = await time(() =>
    listRuns(db, { namespace: ns, status: ["FAILED"], search: "nightly 9", first: 50 }),
  );
  // The run page's read: the RunConsole document in-process, as app/runs/[id]/page.tsx runs it.
  const execute = localExecutor(buildSchema(), { runtime: { db } } as unknown as ServerContext);
  const viewer = { tokenId: "bench", name: "bench", namespace: ns, role: "VIEWER" as const };
  const bigRunPageMs = await time(() =>
    execute(viewer, RunConsoleDocument, { id: big.id, nodes: MAX_NODES_PAGE, events: 300 }),
  );
  return {
    runs: HISTORY_RUNS,
    firstPageMs,
    filteredPageMs,
    bigRunNodes: BIG_RUN_NODES,
    bigRunPageMs,
    pass: Math.max(firstPageMs, filteredPageMs) <= 50 && bigRunPageMs <= BIG_RUN_NODES * 0.05,
  };
}
