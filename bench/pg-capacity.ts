/**
 * What PostgreSQL carries on this machine (ARCHITECTURE "Scale model"), measured with
 * Signalbox's own write path: event appends per second through lib/events `appendEvents`
 * (one event per statement, as a node's state change writes them, and 100 per statement,
 * as log ingest batches them) from C concurrent connections over many runs, and NOTIFY/s
 * (`pg_notify` from C connections, counted as they arrive at one LISTEN connection, as a
 * server process's notifier receives doorbells). Informational: no baseline, no target.
 *
 *   npm run bench:pg    BENCH_SECONDS (per measurement, 5) BENCH_CONNECTIONS (8)
 */
import pg from "pg";
import { appendEvents } from "../lib/events/append";
import { benchDb, envInt, logPayload, phase, report, round, runBench, setupRuns, startDatabase } from "./support";

const SECONDS = envInt("BENCH_SECONDS", 5);
const C = envInt("BENCH_CONNECTIONS", 8);

/** Run `op` from C loops for SECONDS; returns how many units they completed per second. */
async function sustained(op: (worker: number) => Promise<number>): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  const counts = await Promise.all(
    Array.from({ length: C }, async (_, w) => {
      let n = 0;
      while (performance.now() < until) n += await op(w);
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 1000);
}

runBench(async () => {
  const url = await startDatabase();
  const db = benchDb(url, C);
  const { runIds } = await setupRuns(db, 100);
  phase("database ready");

  let i = 0;
  const single = await sustained(async (w) => {
    await appendEvents(db, runIds[(w + i++ * C) % runIds.length], [{ type: "LOG", payload: logPayload(i) }]);
    return 1;
  });
  phase(`single-event appends: ${Math.round(single)}/s`);
  const batch = Array.from({ length: 100 }, (_, k) => ({ type: "LOG" as const, payload: logPayload(k) }));
  const batched = await sustained(async (w) => {
    await appendEvents(db, runIds[(w + i++ * C) % runIds.length], batch);
    return batch.length;
  });
  phase(`batched appends: ${Math.round(batched)} events/s`);

  // NOTIFY: C sender connections, one listener; payloads like a doorbell's (run id + seq).
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  let received = 0;
  listener.on("notification", () => {
    received++;
  });
  await listener.query("LISTEN bench_bell");
  const senders = await Promise.all(
    Array.from({ length: C }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const payload = `${runIds[0]}:123456`;
  const sent = await sustained(async (w) => {
    await senders[w].query("SELECT pg_notify('bench_bell', $1)", [payload]);
    return 1;
  });
  // Let the listener drain what was sent, then count what it got per second of sending.
  const expected = Math.round(sent * SECONDS);
  const drainUntil = performance.now() + 10_000;
  while (received < expected * 0.99 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  phase(`NOTIFY: ${Math.round(sent)}/s sent, ${received} received`);
  await Promise.all([...senders.map((c) => c.end()), listener.end()]);

  report({
    bench: "pg-capacity",
    scale: { seconds: SECONDS, connections: C, runs: runIds.length },
    appendsPerSec: { singleEventStatements: Math.round(single), batched100EventsPerSec: Math.round(batched) },
    notifyPerSec: Math.round(sent),
    notifyReceivedShare: round(received / Math.max(1, expected), 3),
  });
});
