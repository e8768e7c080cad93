import type { Db } from "../db/client";
import { type EventPage, type EventType, MAX_PAGE, type RunEventRecord } from "./types";

interface Row {
  seq: number;
  type: string;
  at: Date;
  payload: Record<string, unknown>;
}

export function toRecord(runId: string, r: Row): RunEventRecord {
  return { id: `${runId}:${r.seq}`, runId, seq: r.seq, type: r.type as EventType, at: r.at, payload: r.payload };
}

/**
 * One page of a run's events with `seq > afterSeq`, in seq order (a primary-key range
 * scan). `limit` is capped at 1,000 so a backlog is never loaded whole.
 */
export async function readEvents(
  db: Db,
  runId: string,
  opts: { afterSeq?: number; limit?: number; types?: EventType[] } = {},
): Promise<EventPage> {
  const afterSeq = Math.max(0, opts.afterSeq ?? 0);
  const limit = Math.min(Math.max(1, opts.limit ?? 500), MAX_PAGE);
  const types = opts.types?.length ? opts.types : null;
  const rows = types
    ? await db.$queryRaw<Row[]>`
        SELECT seq, type, at, payload FROM run_events
        WHERE run_id = ${runId}::uuid AND seq > ${afterSeq} AND type = ANY(${types}::text[])
        ORDER BY seq LIMIT ${limit + 1}`
    : await db.$queryRaw<Row[]>`
        SELECT seq, type, at, payload FROM run_events
        WHERE run_id = ${runId}::uuid AND seq > ${afterSeq}
        ORDER BY seq LIMIT ${limit + 1}`;
  const hasMore = rows.length > limit;
  const events = rows.slice(0, limit).map((r) => toRecord(runId, r));
  return { events, hasMore, nextSeq: events.length ? events[events.length - 1].seq : afterSeq };
}
