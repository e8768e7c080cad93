/**
 * Ingest benchmark (SPEC §9): events/s through `appendEvents` (Prisma, run-row lock, seq
 * assignment, NOTIFY) vs a raw batched `pg` INSERT of the same rows into an identical
 * table, measured side by side on the same database. Target (SPEC §9): ratio ≥ 0.7.
 *
 *   npm run bench:ingest            (embedded PostgreSQL in a temp dir, or DATABASE_URL)
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb } from "../lib/db/client";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { applyMigrations } from "../lib/db/schema-engine";
import { appendEventsNow } from "../lib/events/append";
import { ratioBar } from "./support";

const TOTAL = Number(process.env.BENCH_EVENTS ?? 50_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const RUNS = 8; // concurrent runs being written, one writer each

function payload(i: number) {
  return { level: "INFO", message: `line ${i}: the quick brown fox jumps over the lazy dog`, nodeKey: "train" };
}

async function main() {
  let url = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-bench-"));
    fs.chmodSync(dir, 0o755);
    const db = await startEmbeddedPostgres(dir);
    url = db.url;
    stop = async () => {
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  await applyMigrations(url);
  const db = createDb(url, { max: RUNS + 2 });
  const raw = new pg.Pool({ connectionString: url, max: RUNS + 2 });
  await raw.query("DROP TABLE IF EXISTS bench_events; CREATE TABLE bench_events (LIKE run_events INCLUDING ALL)");
  await db.namespace.upsert({ where: { name: "bench" }, create: { name: "bench" }, update: {} });
  const runIds = await Promise.all(
    Array.from({ length: RUNS }, async () => {
      const id = randomUUID();
      await db.run.create({ data: { id, namespace: "bench", spec: {}, params: {} } });
      return id;
    }),
  );
  const perRun = Math.floor(TOTAL / RUNS);

  const rawWriter = async (runId: string) => {
    for (let i = 0; i < perRun; i += BATCH) {
      const n = Math.min(BATCH, perRun - i);
      const seqs = Array.from({ length: n }, (_, k) => i + k + 1);
      await raw.query(
        `INSERT INTO bench_events (run_id, seq, type, at, payload)
         SELECT $1::uuid, s, 'LOG', clock_timestamp(), p::jsonb FROM unnest($2::int[], $3::text[]) AS x(s, p)`,
        [runId, seqs, seqs.map((s) => JSON.stringify(payload(s)))],
      );
    }
  };
  const sbxWriter = async (runId: string) => {
    for (let i = 0; i < perRun; i += BATCH) {
      const n = Math.min(BATCH, perRun - i);
      const events = Array.from({ length: n }, (_, k) => ({ type: "LOG" as const, payload: payload(i + k) }));
      await appendEventsNow(db, runId, events);
    }
  };
  const time = async (fn: (id: string) => Promise<void>) => {
    const t0 = performance.now();
    await Promise.all(runIds.map(fn));
    return (perRun * RUNS) / ((performance.now() - t0) / 1000);
  };
  // Warm up both paths, then alternate to share any machine noise fairly.
  await time(rawWriter);
  await raw.query("TRUNCATE bench_events");
  const rawRates: number[] = [];
  const sbxRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    rawRates.push(await time(rawWriter));
    await raw.query("TRUNCATE bench_events");
    await db.$executeRaw`DELETE FROM run_events WHERE run_id = ANY(${runIds}::uuid[])`;
    await db.$executeRaw`UPDATE runs SET last_seq = 0 WHERE id = ANY(${runIds}::uuid[])`;
    sbxRates.push(await time(sbxWriter));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  const ratio = median(sbxRates) / median(rawRates);
  console.log(
    JSON.stringify(
      {
        bench: "ingest",
        events: perRun * RUNS,
        batch: BATCH,
        writers: RUNS,
        rawPerSec: Math.round(median(rawRates)),
        signalboxPerSec: Math.round(median(sbxRates)),
        ratio: Number(ratio.toFixed(3)),
        target: ">= 0.7",
        pass: ratio >= 0.7,
        bars: [
          ratioBar("ingest (events/s) vs raw batched pg insert", median(sbxRates), median(rawRates), "events/s", {
            min: 0.7,
          }),
        ],
      },
      null,
      2,
    ),
  );
  await raw.query("DROP TABLE bench_events");
  await raw.end();
  await db.$disconnect();
  await stop();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
