import type { Tx } from "../db/client";
import { type LoggedEvent, webhookEventsOf } from "./events";

/**
 * The outbox write, in the run's transaction (`withRun`, after its events are appended):
 * one delivery per enabled webhook of the run's namespace subscribed to each webhook event
 * of the batch, in one `INSERT … SELECT`. It commits or rolls back with the state change,
 * so an event that happened is delivered at least once — a crash after the commit leaves
 * the row for any sender to claim — and one that was rolled back never is.
 *
 * Most batches (node states, logs, costs) hold no webhook event: then nothing is queried.
 * Returns how many deliveries were queued (the caller rings the senders' doorbell).
 *
 * The payload is stored without `run.url`: the sending server adds it from its public URL
 * (sender.ts), since this transaction may run in a worker process that has none.
 */
export async function enqueueDeliveries(tx: Tx, runId: string, events: readonly LoggedEvent[]): Promise<number> {
  const occurrences = webhookEventsOf(events);
  if (occurrences.length === 0) return 0;
  const kinds = occurrences.map((o) => o.event);
  const nodes = occurrences.map((o) => JSON.stringify(o.node));
  const gates = occurrences.map((o) => JSON.stringify(o.gate ?? null));
  // Times as UTC wall-clock, like every timestamp column Prisma writes (no session time zone).
  // The subquery keeps gen_random_uuid() to one value per row (PostgreSQL does not flatten
  // a subquery with a volatile output), so the payload's `id` is the delivery's.
  return tx.$executeRaw`
    INSERT INTO webhook_deliveries (id, webhook_id, event, payload, status, attempts, next_attempt_at, created_at)
    SELECT s.id, s.webhook_id, s.event::"WebhookEvent",
      jsonb_build_object(
        'id', s.id, 'type', s.event, 'at', to_char(s.now, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'namespace', s.namespace,
        'run', jsonb_build_object('id', s.run_id, 'pipeline', s.pipeline, 'status', s.status),
        'node', s.node::jsonb, 'gate', s.gate::jsonb),
      'PENDING', 0, s.now, s.now
    FROM (
      SELECT gen_random_uuid() AS id, w.id AS webhook_id, x.event, x.node, x.gate, x.ord,
        r.namespace, r.id AS run_id, r.pipeline_name AS pipeline, r.status::text AS status,
        now() AT TIME ZONE 'UTC' AS now
      FROM runs r
      CROSS JOIN unnest(${kinds}::text[], ${nodes}::text[], ${gates}::text[]) WITH ORDINALITY AS x(event, node, gate, ord)
      JOIN webhooks w ON w.namespace = r.namespace AND w.enabled AND x.event::"WebhookEvent" = ANY(w.events)
      WHERE r.id = ${runId}::uuid
    ) s
    ORDER BY s.ord, s.webhook_id`;
}
