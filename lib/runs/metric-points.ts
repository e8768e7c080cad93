import type { Db } from "../db/client";

/**
 * Node metrics as a time series (SPEC §12). Every `::metric name=value` and `job.metric`
 * is kept as a point in the NODE_STATE event that records it — the event log is the store:
 * live charts get points in the run's event stream (no extra query per point), and a page
 * load reads a run's whole series in one query.
 */
export interface MetricPoint {
  nodeKey: string;
  name: string;
  value: number;
  attempt: number;
  /** ISO time the value was reported. */
  at: string;
}

/** A value as an executor reports it, before it is tied to a node and attempt. */
export interface ReportedMetric {
  name: string;
  value: number;
  /** Epoch ms. */
  at: number;
}

/** Most points one run's series returns (the newest): a chart of more says nothing more. */
const MAX_SERIES_POINTS = 50_000;

/** Points of one report, for the NODE_STATE payload. Values that are not finite numbers are dropped. */
export function metricPoints(
  node: { key: string; attempt: number },
  reported: readonly ReportedMetric[],
): MetricPoint[] {
  return reported
    .filter((m) => Number.isFinite(m.value))
    .map((m) => ({
      nodeKey: node.key,
      name: m.name,
      value: m.value,
      attempt: node.attempt,
      at: new Date(m.at).toISOString(),
    }));
}

/** The latest value of each name, for the node's `metrics` (what the node reports now). */
export function latestValues(reported: readonly ReportedMetric[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of reported) if (Number.isFinite(m.value)) out[m.name] = m.value;
  return out;
}

/**
 * A run's metric series, oldest first, each point with the seq of the event that holds it
 * (a client continuing live skips events up to the last of these). One query: the NODE_STATE
 * events that carry points, through the (run_id, seq) primary key.
 */
export async function readMetricPoints(db: Db, runId: string, limit = MAX_SERIES_POINTS) {
  const rows = await db.$queryRaw<(MetricPoint & { seq: number })[]>`
    SELECT * FROM (
      SELECT e.seq, p->>'nodeKey' AS "nodeKey", p->>'name' AS name, (p->>'value')::float8 AS value,
             (p->>'attempt')::int AS attempt, p->>'at' AS at, o.ord
      FROM run_events e
      CROSS JOIN LATERAL jsonb_array_elements(e.payload->'metricPoints') WITH ORDINALITY AS o(p, ord)
      WHERE e.run_id = ${runId}::uuid AND e.type = 'NODE_STATE' AND e.payload ? 'metricPoints'
      ORDER BY e.seq DESC, o.ord DESC
      LIMIT ${limit}
    ) newest ORDER BY seq, ord`;
  return rows.map(({ seq, nodeKey, name, value, attempt, at }) => ({ seq, nodeKey, name, value, attempt, at }));
}
