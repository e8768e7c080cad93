import type { Tx } from "../db/client";
import { metrics } from "../metrics";
import { CHANNELS, type NewEvent } from "./types";

/**
 * Append events to a run's log inside the caller's transaction — the same one that
 * changes the state they record. Seqs come from `runs.last_seq`: the UPDATE takes the
 * run's row lock, so concurrent appenders serialize per run and a rolled-back
 * transaction gives its seqs back (gapless). One multi-row INSERT per call (batched).
 *
 * Returns the first and last seq assigned, or `null` when the run is sealed (its
 * RUN_COMPLETED was appended): nothing may follow it, so the events are dropped.
 */
export async function appendEvents(
  tx: Tx,
  runId: string,
  events: NewEvent[],
): Promise<{ firstSeq: number; lastSeq: number } | null> {
  if (events.length === 0) return null;
  const rows = await tx.$queryRaw<{ last_seq: number }[]>`
    UPDATE runs SET last_seq = last_seq + ${events.length}
    WHERE id = ${runId}::uuid AND NOT sealed
    RETURNING last_seq`;
  if (rows.length === 0) return null;
  const lastSeq = Number(rows[0].last_seq);
  const firstSeq = lastSeq - events.length + 1;
  const seqs = events.map((_, i) => firstSeq + i);
  const types = events.map((e) => e.type);
  const payloads = events.map((e) => JSON.stringify(e.payload));
  await tx.$executeRaw`
    INSERT INTO run_events (run_id, seq, type, at, payload)
    SELECT ${runId}::uuid, x.seq, x.type, clock_timestamp(), x.payload::jsonb
    FROM unnest(${seqs}::int[], ${types}::text[], ${payloads}::text[]) AS x(seq, type, payload)`;
  if (events.some((e) => e.type === "RUN_COMPLETED")) {
    await tx.$executeRaw`UPDATE runs SET sealed = true WHERE id = ${runId}::uuid`;
  }
  metrics.eventsAppended.inc(events.length);
  // Delivered at commit, never for a rolled-back transaction.
  await tx.$executeRaw`SELECT pg_notify(${CHANNELS.events}, ${`${runId}:${lastSeq}`})`;
  return { firstSeq, lastSeq };
}
