import type { Db } from "../db/client";

/**
 * Rate-limit windows in PostgreSQL (SPEC §2: shared by every server process): hits per key
 * and fixed window in `rate_windows`, one upsert per hit (or per batch of hits). The rate
 * over the last `windowMs` is estimated from the current and the previous window (the
 * "sliding window counter": the previous one weighted by how much of it still overlaps).
 */
export async function hitWindow(db: Db, key: string, windowMs: number, hits = 1, now = Date.now()): Promise<number> {
  const start = Math.floor(now / windowMs) * windowMs;
  const rows = await db.$queryRaw<{ cur: number; prev: number }[]>`
    WITH up AS (
      INSERT INTO rate_windows (key, window_start, hits) VALUES (${key}, ${BigInt(start)}, ${hits})
      ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + EXCLUDED.hits
      RETURNING hits)
    SELECT (SELECT hits FROM up) AS cur,
      COALESCE((SELECT hits FROM rate_windows WHERE key = ${key} AND window_start = ${BigInt(start - windowMs)}), 0) AS prev`;
  sweep(db, now);
  const { cur, prev } = rows[0];
  return Number(cur) + Number(prev) * (1 - (now - start) / windowMs);
}

/**
 * `hitWindow` for many keys in one statement (a process's batched counts): the estimated
 * hits of each key over the last `windowMs`, in the order given.
 */
export async function hitWindows(
  db: Db,
  hits: [key: string, n: number][],
  windowMs: number,
  now = Date.now(),
): Promise<number[]> {
  if (!hits.length) return [];
  const start = Math.floor(now / windowMs) * windowMs;
  const keys = hits.map(([k]) => k);
  const counts = hits.map(([, n]) => n);
  const rows = await db.$queryRaw<{ key: string; cur: number; prev: number }[]>`
    WITH up AS (
      INSERT INTO rate_windows (key, window_start, hits)
      SELECT k, ${BigInt(start)}, n FROM unnest(${keys}::text[], ${counts}::int[]) AS t(k, n)
      ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + EXCLUDED.hits
      RETURNING key, hits)
    SELECT up.key, up.hits AS cur, COALESCE(p.hits, 0) AS prev
    FROM up LEFT JOIN rate_windows p ON p.key = up.key AND p.window_start = ${BigInt(start - windowMs)}`;
  sweep(db, now);
  const frac = (now - start) / windowMs;
  const byKey = new Map(rows.map((r) => [r.key, Number(r.cur) + Number(r.prev) * (1 - frac)]));
  return keys.map((k) => byKey.get(k) ?? 0);
}

/** Windows older than this are deleted (longer than any window in use). */
const KEEP_MS = 10 * 60_000;
let lastSweep = 0;

/** At most once a minute per process: drop old windows (best effort). */
function sweep(db: Db, now: number) {
  if (now - lastSweep < 60_000) return;
  lastSweep = now;
  db.$executeRaw`DELETE FROM rate_windows WHERE window_start < ${BigInt(now - KEEP_MS)}`.catch(() => {});
}
