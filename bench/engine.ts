/**
 * bench:engine (SPEC §9 "map fan-out", issue 9): the engine's cost per map child as the
 * map grows. One map of N trivial `transform` children (N = 10, 100, 1,000), run by the
 * real in-process worker on a fresh database; every SQL statement the engine sends is
 * counted. Reported per child: statements and milliseconds, and children/s. The baseline
 * is the same engine at N = 100 (per-child cost must be flat from 100 to 1,000).
 *
 *   npm run bench:engine            (embedded PostgreSQL in a temp dir, or DATABASE_URL)
 */
import { ensureNamespace } from "../lib/auth/tokens";
import { createDb } from "../lib/db/client";
import { Worker } from "../lib/engine/worker";
import { Notifier } from "../lib/events/notifier";
import { submitRun } from "../lib/runs/submit-run";
import { envInt, onCleanup, phase, report, runBench, startDatabase } from "./support";

const SIZES = [10, 100, envInt("BENCH_MAP_CHILDREN", 1000)];

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
  const at = (n: number) => measured.find((r) => r.children === n)!;
  const big = at(SIZES[2]);
  const base = at(100);
  report({
    bench: "engine",
    maps: measured,
    perChildTimeRatio1000vs100: Math.round((big.msPerChild / base.msPerChild) * 100) / 100,
    perChildStatementsRatio1000vs100: Math.round((big.statementsPerChild / base.statementsPerChild) * 100) / 100,
    targets: {
      childrenPerSecond: ">= 100 at 1,000 children",
      flat: "per-child time and statements at 1,000 ≤ 1.5× those at 100",
    },
    pass:
      big.childrenPerSecond >= 100 &&
      big.msPerChild <= 1.5 * base.msPerChild &&
      big.statementsPerChild <= 1.5 * base.statementsPerChild,
  });
});
