import type { Db, Tx } from "../db/client";
import { metrics } from "../metrics";
import { doorbell } from "./doorbell";
import type { NewEvent } from "./types";

/**
 * Append events to a run's log inside the caller's transaction — the same one that
 * changes the state they record. Seqs come from `runs.last_seq`: the UPDATE takes the
 * run's row lock, so concurrent appenders serialize per run and a rolled-back
 * transaction gives its seqs back (gapless). One multi-row INSERT per call (batched).
 * The caller rings `doorbell(db).events(runId, lastSeq)` once the transaction committed.
 *
 * Returns the first and last seq assigned, or `null` when the run is sealed (its
 * RUN_COMPLETED was appended): nothing may follow it, so the events are dropped.
 *
 * It is one statement, so it is atomic on its own: pass `db` to append without an
 * interactive transaction (the log-ingest hot path). With `fence`, the append happens
 * only while that node is RUNNING under that lease epoch (else `null`).
 */
export async function appendEvents(
  tx: Tx | Db,
  runId: string,
  events: NewEvent[],
  fence?: { nodeId: string; epoch: number },
): Promise<{ firstSeq: number; lastSeq: number } | null> {
  if (events.length === 0) return null;
  const n = events.length;
  const types = events.map((e) => e.type);
  const payloads = events.map((e) => JSON.stringify(e.payload));
  const seals = types.includes("RUN_COMPLETED");
  // One statement, one round trip: bump the counter (row lock), insert the batch with
  // seqs derived from the new counter. The doorbell is rung after commit (doorbell.ts).
  const rows = await tx.$queryRaw<{ last_seq: number }[]>`
    WITH bumped AS (
      UPDATE runs SET last_seq = last_seq + ${n}, sealed = sealed OR ${seals},
        updated_at = clock_timestamp() AT TIME ZONE 'UTC'
      WHERE id = ${runId}::uuid AND NOT sealed AND (${fence?.nodeId ?? null}::uuid IS NULL OR EXISTS (
        SELECT 1 FROM run_nodes n WHERE n.id = ${fence?.nodeId ?? null}::uuid
          AND n.lease_epoch = ${fence?.epoch ?? 0} AND n.status = 'RUNNING'))
      RETURNING last_seq
    ), inserted AS (
      INSERT INTO run_events (run_id, seq, type, at, payload)
      SELECT ${runId}::uuid, bumped.last_seq - ${n} + x.ord::int, x.type, clock_timestamp(), x.payload::jsonb
      FROM bumped, unnest(${types}::text[], ${payloads}::text[]) WITH ORDINALITY AS x(type, payload, ord)
      RETURNING 1
    )
    SELECT last_seq FROM bumped`;
  if (rows.length === 0) return null;
  metrics.eventsAppended.inc(n);
  const lastSeq = Number(rows[0].last_seq);
  return { firstSeq: lastSeq - n + 1, lastSeq };
}

/** Append outside any transaction (atomic: one statement) and ring the doorbell. */
export async function appendEventsNow(
  db: Db,
  runId: string,
  events: NewEvent[],
  fence?: { nodeId: string; epoch: number },
): Promise<{ firstSeq: number; lastSeq: number } | null> {
  const r = await appendEvents(db, runId, events, fence);
  if (r) doorbell(db).events(runId, r.lastSeq);
  return r;
}
